// The Kubernetes runner end to end against the fake API server + kubelet of tests/support:
// the real client code over TLS and plain HTTP, watch interruptions (dropped stream, ERROR 410),
// re-attach after an engine restart, cancel, 401/403 and 409.

#include "runners/kubernetes/kube_runner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "engine/spec/decode_util.h"
#include "engine/spec/yaml_tree.h"
#include "runners/kubernetes/kube_client.h"
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

std::string read(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// a: writes a task result and a step result; b: waits for nothing, prints; a sidecar runs
// beside them.
exec::TaskInvocation two_step_task(const std::string& run = "run-1") {
  exec::TaskInvocation inv;
  inv.run_id = run;
  inv.task_run_name = run + "-build";
  inv.steps.push_back(script_step("a",
                                  "echo from-a\nprintf 'v1 with spaces' > /tekton/results/out\n"
                                  "printf s > /tekton/steps/step-a/results/r\n"));
  inv.steps[0].image = "busybox";
  inv.steps[0].result_names = {"r"};
  inv.steps.push_back(script_step("b", "echo from-b \"$GREETING\"\n"));
  inv.steps[1].image = "busybox";
  inv.steps[1].env = {{"GREETING", "hi"}};
  inv.result_names = {"out"};
  return inv;
}

// Polls until the runner has reported `n` finished steps (it has seen their terminated state).
bool wait_steps_finished(RecordingSink& sink, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sink.finished().size() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class KubeRunnerTest : public ::testing::Test {
 protected:
  void start_api(bool tls) {
    FakeKubeOptions o;
    o.work_dir = dir_.path() + "/kubelet";
    if (tls) {
      ASSERT_TRUE(baton::testing::make_test_certificate(dir_.path(), cert_, key_));
      o.cert_pem_file = cert_;
      o.key_pem_file = key_;
    }
    api_ = std::make_unique<FakeKubeApi>(o);
  }
  KubernetesRunnerOptions options(const std::string& token = "good-token") {
    KubernetesRunnerOptions o;
    o.config.server = api_->url();
    o.config.token = token;
    o.config.namespace_ = "ci";
    if (!cert_.empty()) o.config.ca_pem = read(cert_);
    o.reconnect_delay = std::chrono::milliseconds(20);
    o.watch_timeout_seconds = 30;
    return o;
  }
  bool step_done(const std::string& container) {
    return api_->wait_until([&](FakeCluster& c) {
      for (auto& [k, p] : c.pods) {
        auto it = p->logs.find(container);
        if (it != p->logs.end() && it->second.done) return true;
      }
      return false;
    });
  }

  void TearDown() override {
    if (!HasFailure() || !api_) return;
    std::lock_guard<std::mutex> l(api_->cluster().mu);
    for (auto& [k, p] : api_->cluster().pods) {
      std::cerr << k << ": " << p->object["status"].dump() << "\n";
      for (auto& [n, lg] : p->logs) std::cerr << "  log " << n << ": " << lg.bytes << "\n";
    }
  }

  TempDir dir_;
  std::string cert_, key_;
  std::unique_ptr<FakeKubeApi> api_;
};

TEST_F(KubeRunnerTest, RunsAPodOverTlsWithResultsLogsAndSidecar) {
  start_api(true);
  auto opts = options();
  opts.keep_pods = true;  // the pod is inspected below
  KubernetesRunner runner(opts);
  auto inv = two_step_task();
  exec::StepInvocation sc;
  sc.name = "server";
  sc.image = "busybox";
  sc.script = "echo sidecar-up > /tekton/home/ready\nexec sleep 600\n";
  sc.ready_command = {"/bin/sh", "-c", "test -f /tekton/home/ready"};
  inv.sidecars.push_back(sc);
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(inv, sink, done.callback());
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(o->succeeded) << o->reason << ": " << o->message;
  EXPECT_EQ(o->results["out"], "v1 with spaces");
  ASSERT_EQ(o->steps.size(), 2u);
  EXPECT_EQ(o->steps[0].reason, "Completed");
  EXPECT_EQ(o->steps[0].results["r"], "s");
  EXPECT_EQ(o->steps[1].exit_code, 0);
  EXPECT_EQ(sink.out(0), "from-a\n");
  EXPECT_EQ(sink.out(1), "from-b hi\n");
  ASSERT_EQ(sink.finished().size(), 2u);
  FakeCluster& c = api_->cluster();
  std::lock_guard<std::mutex> l(c.mu);
  EXPECT_EQ(c.creates, 1);
  ASSERT_EQ(c.pods.size(), 1u);
  const auto& pod = c.pods.begin()->second->object;
  EXPECT_EQ(pod["metadata"]["namespace"], "ci");
  EXPECT_EQ(pod["metadata"]["labels"][kTaskRunLabel], "run-1-build");
  EXPECT_EQ(pod["status"]["phase"], "Succeeded");
  EXPECT_GE(c.bookmarks_sent, 1);
}

TEST_F(KubeRunnerTest, FailedStepFailsTheTaskAndSkipsTheRest) {
  start_api(false);
  KubernetesRunner runner(options());
  auto inv = two_step_task();
  inv.steps[0].script = "echo boom\nexit 3\n";
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(inv, sink, done.callback());
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_FALSE(o->succeeded);
  EXPECT_EQ(o->reason, "Failed");
  EXPECT_EQ(o->message, "\"step-a\" exited with code 3");
  EXPECT_EQ(o->steps[1].reason, "Skipped");
  EXPECT_EQ(sink.out(0), "boom\n");
}

TEST_F(KubeRunnerTest, OnErrorContinueKeepsGoingAndReportsTheExitCode) {
  start_api(false);
  KubernetesRunner runner(options());
  auto inv = two_step_task();
  inv.steps[0].on_error = "continue";
  inv.steps[0].script = "echo first\nexit 4\n";
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(inv, sink, done.callback());
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(o->succeeded) << o->reason << ": " << o->message;
  EXPECT_EQ(o->steps[0].exit_code, 4);
  EXPECT_EQ(o->steps[0].reason, "Error");
  EXPECT_EQ(o->steps[1].reason, "Completed");
  EXPECT_EQ(sink.out(1), "from-b hi\n");
}

TEST_F(KubeRunnerTest, SurvivesADroppedWatchAndA410MidRun) {
  start_api(false);
  KubernetesRunner runner(options());
  api_->hold("step-b");
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(two_step_task(), sink, done.callback());
  ASSERT_TRUE(step_done("step-a"));
  ASSERT_TRUE(api_->wait_until([](FakeCluster& c) { return c.watches >= 1; }));
  api_->drop_watches();  // the stream is cut: the runner reconnects from its resourceVersion
  ASSERT_TRUE(api_->wait_until([](FakeCluster& c) { return c.watches >= 2; }));
  api_->expire_watches();  // ERROR 410: the runner lists again and watches from there
  ASSERT_TRUE(api_->wait_until([](FakeCluster& c) { return c.gone_sent >= 1 && c.watches >= 3; }));
  int lists_before_release = api_->cluster().lists;
  api_->release("step-b");
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(o->succeeded) << o->reason << ": " << o->message;
  EXPECT_EQ(o->results["out"], "v1 with spaces");
  EXPECT_EQ(sink.out(1), "from-b hi\n");
  EXPECT_GE(lists_before_release, 2);  // the first list, then the re-list after 410
}

// After a restart the engine starts the attempt again: with the same attempt number (the
// runner finds the pod by its labels), or with the next one when the interrupted attempt was
// counted (`baton serve` resumes runs so): a pod of an earlier attempt still running is the
// lost one, since retries only start after an attempt ended.
class KubeRestartTest : public KubeRunnerTest, public ::testing::WithParamInterface<int> {};

TEST_P(KubeRestartTest, RestartedEngineAttachesToTheRunningPod) {
  start_api(false);
  api_->hold("step-b");
  auto inv = two_step_task("run-7");
  RecordingSink first_sink;  // outlives the runner: it reports until on_done
  DoneWaiter first_done;
  {
    KubernetesRunner first(options());
    auto e = first.start(inv, first_sink, first_done.callback());
    ASSERT_TRUE(step_done("step-a"));
    // `first` goes away with the pod still running, as when the engine restarts.
  }
  auto stopped = first_done.wait(std::chrono::seconds(1));
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(stopped->reason, "InternalError");
  EXPECT_NE(stopped->message.find("attaches to it again"), std::string::npos);
  KubernetesRunner second(options());
  RecordingSink sink;
  DoneWaiter done;
  auto again = inv;
  again.attempt += GetParam();
  auto e = second.start(again, sink, done.callback());
  ASSERT_TRUE(api_->wait_until([](FakeCluster& c) { return c.lists >= 2; }));
  api_->release("step-b");
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(o->succeeded) << o->reason << ": " << o->message;
  EXPECT_EQ(o->results["out"], "v1 with spaces");
  EXPECT_EQ(sink.out(0), "from-a\n");  // the finished step's log is read again from the pod
  EXPECT_EQ(sink.out(1), "from-b hi\n");
  bool attached = false;
  for (const auto& n : sink.notices())
    attached = attached || n.find("attached") != std::string::npos;
  EXPECT_TRUE(attached);
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().creates, 1);  // not started again
}

INSTANTIATE_TEST_SUITE_P(SameOrNextAttempt, KubeRestartTest, ::testing::Values(0, 1));

TEST_F(KubeRunnerTest, ARetryGetsItsOwnPod) {
  start_api(false);
  auto opts = options();
  opts.keep_pods = true;  // the first attempt's finished pod stays: it must not be attached to
  KubernetesRunner runner(opts);
  auto inv = two_step_task();
  inv.steps[0].script = "exit 1\n";
  for (int attempt = 0; attempt < 2; ++attempt) {
    inv.attempt = attempt;
    RecordingSink sink;
    DoneWaiter done;
    auto e = runner.start(inv, sink, done.callback());
    auto o = done.wait(std::chrono::seconds(20));
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->reason, "Failed");
  }
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().creates, 2);  // the finished first attempt is not attached to
  EXPECT_EQ(api_->cluster().pods.count("ci/run-1-build-pod-retry1"), 1u);
}

TEST_F(KubeRunnerTest, CancelDeletesThePod) {
  start_api(false);
  KubernetesRunner runner(options());
  api_->hold("step-b");
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(two_step_task(), sink, done.callback());
  ASSERT_TRUE(wait_steps_finished(sink, 1));
  e->cancel();
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->reason, "TaskRunCancelled");
  EXPECT_EQ(o->steps[0].reason, "Completed");
  EXPECT_EQ(o->steps[1].reason, "TaskRunCancelled");
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().deletes, 1);
  EXPECT_TRUE(api_->cluster().pods.empty());
}

TEST_F(KubeRunnerTest, CancelRightAfterStartLeavesNoPod) {
  start_api(false);
  KubernetesRunner runner(options());
  for (int i = 0; i < 5; ++i) {  // the cancel lands before, during or after the create
    RecordingSink sink;
    DoneWaiter done;
    auto e = runner.start(two_step_task("early-" + std::to_string(i)), sink, done.callback());
    e->cancel();
    auto o = done.wait(std::chrono::seconds(20));
    ASSERT_TRUE(o.has_value());
    EXPECT_TRUE(o->reason == "TaskRunCancelled" || o->succeeded) << o->reason << ": " << o->message;
  }
  EXPECT_TRUE(api_->wait_until([](FakeCluster& c) {
    for (auto& [k, p] : c.pods)
      if (p->object["status"].value("phase", "") != "Succeeded") return false;
    return true;
  }));
}

TEST_F(KubeRunnerTest, TimeoutDeletesThePod) {
  start_api(false);
  KubernetesRunner runner(options());
  api_->hold("step-b");
  auto inv = two_step_task();
  inv.timeout = std::chrono::milliseconds(300);
  RecordingSink sink;
  DoneWaiter done;
  auto e = runner.start(inv, sink, done.callback());
  auto o = done.wait(std::chrono::seconds(20));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->reason, "TaskRunTimeout");
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().deletes, 1);
}

TEST_F(KubeRunnerTest, UnauthorizedAndForbiddenAreClearErrors) {
  start_api(false);
  for (const auto& [token, want] :
       {std::pair<std::string, std::string>{"", "HTTP 401"}, {"forbidden-token", "HTTP 403"}}) {
    KubernetesRunner runner(options(token));
    RecordingSink sink;
    DoneWaiter done;
    auto e = runner.start(two_step_task(), sink, done.callback());
    auto o = done.wait(std::chrono::seconds(20));
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->reason, "InternalError");
    EXPECT_NE(o->message.find(want), std::string::npos) << o->message;
  }
  std::lock_guard<std::mutex> l(api_->cluster().mu);
  EXPECT_EQ(api_->cluster().creates, 0);
}

TEST_F(KubeRunnerTest, SecondCreateIsAConflict) {
  start_api(true);
  KubeClient client(options().config);
  Json pod = make_pod(two_step_task());
  auto first = client.create_pod("ci", pod);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto again = client.create_pod("ci", pod);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "conflict");
  EXPECT_NE(again.error().message.find("HTTP 409"), std::string::npos);
  // A client that does not trust the server's certificate refuses it.
  KubeConfig untrusted = options().config;
  untrusted.ca_pem.clear();
  auto refused = KubeClient(untrusted).get_pod("ci", pod_name(two_step_task()));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("handshake"), std::string::npos);
}

// docker/kubernetes/rbac.yaml grants every call the runner makes (run, cancel, re-attach, a
// 409 on create), and nothing it does not make.
TEST_F(KubeRunnerTest, RbacGrantsExactlyTheCallsTheRunnerMakes) {
  start_api(false);
  {
    KubernetesRunner runner(options());
    RecordingSink sink;
    DoneWaiter ok, cancelled, conflict;
    auto e1 = runner.start(two_step_task("rbac-a"), sink, ok.callback());
    ASSERT_TRUE(ok.wait(std::chrono::seconds(20)).has_value());
    api_->hold("step-b");
    auto e2 = runner.start(two_step_task("rbac-b"), sink, cancelled.callback());
    ASSERT_TRUE(step_done("step-a"));
    e2->cancel();
    ASSERT_TRUE(cancelled.wait(std::chrono::seconds(20)).has_value());
    // A pod of that name but another run's labels: create answers 409, the runner reads it.
    Json other = make_pod(two_step_task("rbac-c"));
    other["metadata"]["labels"][kRunLabel] = "someone-else";
    ASSERT_TRUE(KubeClient(options().config).create_pod("ci", other).ok());
    auto e3 = runner.start(two_step_task("rbac-c"), sink, conflict.callback());
    auto o = conflict.wait(std::chrono::seconds(20));
    ASSERT_TRUE(o.has_value());
    EXPECT_NE(o->message.find("belongs to another run"), std::string::npos) << o->message;
  }
  auto docs = spec::parse_yaml_file(std::string(BATON_SOURCE_DIR) + "/docker/kubernetes/rbac.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  std::set<std::string> granted;
  for (const auto& d : *docs) {
    Json obj = spec::to_json(d.root);
    if (obj.value("kind", "") != "Role") continue;
    for (const auto& rule : obj["rules"]) {
      EXPECT_EQ(rule["apiGroups"], Json::array({""}));  // core group only
      for (const auto& r : rule["resources"])
        for (const auto& v : rule["verbs"])
          granted.insert(v.get<std::string>() + " " + r.get<std::string>());
    }
  }
  std::set<std::string> calls;
  {
    std::lock_guard<std::mutex> l(api_->cluster().mu);
    calls = api_->cluster().calls;
  }
  EXPECT_EQ(calls, granted);
}

}  // namespace
}  // namespace baton::runners::kube
