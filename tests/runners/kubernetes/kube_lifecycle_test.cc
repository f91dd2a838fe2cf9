// The Kubernetes runner's life-cycle edges against the fake API server of tests/support:
// finished pods are deleted (after on_done has the outcome) unless kept, client-side timeouts
// on a server that never answers, a silent watch re-established, a dropped log stream resumed
// without repeating output.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

// A listening socket nobody answers on: the kernel completes the TCP handshake (the backlog),
// the request is written into the socket buffer, and no byte ever comes back.
class Blackhole {
 public:
  Blackhole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port_ = ntohs(a.sin_port);
  }
  ~Blackhole() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool ok() const { return port_ != 0; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

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

TEST(KubeClientTimeouts, AServerThatNeverAnswersFailsTheCallWithinTheTimeout) {
  Blackhole hole;
  ASSERT_TRUE(hole.ok());
  KubeConfig c;
  c.server = hole.url();
  c.token = "t";
  KubeTimeouts t;
  t.request = std::chrono::milliseconds(300);
  KubeClient client(c, t);
  auto begin = std::chrono::steady_clock::now();
  auto r = client.get_pod("ci", "p");
  auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_NE(r.error().message.find("GET " + hole.url() +
                                   "/api/v1/namespaces/ci/pods/p: read: "
                                   "no answer within 0.3 s (request timeout)"),
            std::string::npos)
      << r.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(300));
  EXPECT_LT(took, std::chrono::seconds(3));
  // A watch waits for its headers no longer than a plain call does.
  auto w = client.watch_pods("ci", "a=b", "", 60, [](const Json&) { return true; });
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, "timeout");
}

TEST_F(KubeLifecycleTest, ASilentWatchIsGivenUpAndOpenedAgain) {
  auto o = options();
  o.watch_timeout_seconds = 1;  // the client gives up after 1 s + slack without a byte
  o.timeouts.watch_slack = std::chrono::milliseconds(200);
  KubernetesRunner runner(o);
  api_->hold("step-a");
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(one_step_task("silent", "echo after-stall\n"), sink, done.callback());
  ASSERT_TRUE(api_->wait_until([](FakeCluster& c) { return c.watches >= 1; }));
  api_->stall_watches();  // the open watch will never tell the runner the pod finished
  ASSERT_TRUE(api_->wait_until([](FakeCluster& c) { return c.stalled >= 1; }));
  int watches = api_->cluster().watches;
  api_->release("step-a");
  auto out = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->succeeded) << out->reason << ": " << out->message;
  EXPECT_EQ(sink.out(0), "after-stall\n");
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_GT(api_->cluster().watches, watches);  // watched again, from its resourceVersion
}

TEST_F(KubeLifecycleTest, ADroppedLogStreamResumesWithoutRepeatingOutput) {
  KubernetesRunner runner(options());
  std::string go = dir_.path() + "/go";
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(one_step_task("logs", "printf 'part1\\n'\nwhile [ ! -f '" + go +
                                                  "' ]; do sleep 0.02; done\nprintf 'part2\\n'\n"),
                        sink, done.callback());
  ASSERT_TRUE(sink.wait_for_stdout(0, "part1\n", std::chrono::seconds(10)));
  int requests = api_->cluster().log_requests;
  api_->drop_logs();  // cut mid-way: the runner reads the log again, from its start
  ASSERT_TRUE(api_->wait_until([&](FakeCluster& c) { return c.log_requests > requests; }));
  std::ofstream(go) << "x";
  auto out = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->succeeded) << out->reason << ": " << out->message;
  EXPECT_EQ(sink.out(0), "part1\npart2\n");
}

}  // namespace
}  // namespace baton::runners::kube
