// The podman runner against real podman and a base image built here from local files: steps in
// containers sharing the attempt, results, entrypoints, users, sidecars on one network, and
// nothing left behind after cancellation or a timeout.
#include "runners/podman/podman_runner.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/runners/podman_support.h"
#include "tests/runners/recording_sink.h"

namespace baton::runners {
namespace {

using namespace baton::runners::testing;
using exec::StepInvocation;
using exec::TaskInvocation;
using exec::TaskOutcome;

class PodmanRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { image_error_ = new std::string(ensure_test_images()); }
  static void TearDownTestSuite() { delete image_error_; }
  void SetUp() override { ASSERT_EQ(*image_error_, "") << "cannot build the test image"; }

  PodmanRunnerOptions options() {
    PodmanRunnerOptions o;
    o.allow_pull = false;  // no registry here: never try
    o.images = {{"*", kBaseImage}};
    o.kill_grace = std::chrono::milliseconds(1000);
    return o;
  }
  TaskInvocation invocation(std::vector<StepInvocation> steps) {
    static std::atomic<int> n{0};
    TaskInvocation inv;
    inv.run_id = "podman-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    inv.task_run_name = "tr";
    inv.work_dir = tmp_.path() + "/" + inv.run_id;
    for (auto& s : steps)
      if (s.image.empty()) s.image = "ubuntu";
    inv.steps = std::move(steps);
    return inv;
  }
  TaskOutcome run(const TaskInvocation& inv, PodmanRunnerOptions o) {
    PodmanRunner runner(std::move(o));
    DoneWaiter done;
    auto exec = runner.start(inv, sink_, done.callback());
    auto out = done.wait(120s);
    EXPECT_TRUE(out.has_value()) << "on_done never fired";
    return out.value_or(TaskOutcome{});
  }
  TaskOutcome run(const TaskInvocation& inv) { return run(inv, options()); }

  static std::string* image_error_;
  TempDir tmp_;
  RecordingSink sink_;
};
std::string* PodmanRunnerTest::image_error_ = nullptr;

TEST_F(PodmanRunnerTest, StepsShareTheAttemptAndReportResultsEnvDirsAndLimits) {
  StepInvocation a = script_step("a",
                                 // no shebang: the image's /bin/sh with set -e
                                 "echo \"$FOO in $(pwd) as $(id -u)\"\n"
                                 "printf 'one\\n' > /tekton/results/r1\n"
                                 "cat /sys/fs/cgroup/memory/memory.limit_in_bytes > mem\n"
                                 "echo \"$HOME\" > home\n");
  a.env = {{"FOO", "bar"}};
  a.working_dir = "/workspace/sub";
  a.compute_resources = {{"limits", {{"memory", "64Mi"}, {"cpu", "500m"}}}};
  StepInvocation b;
  b.name = "b";
  b.command = {"/bin/sh", "-c"};
  b.args = {"cat /workspace/sub/mem > /tekton/results/mem && printf x > $0",
            "/tekton/steps/step-b/results/sr"};
  b.result_names = {"sr"};
  StepInvocation c = script_step("c", "false\necho not-here\n");
  c.on_error = "continue";
  auto inv = invocation({a, b, c});
  inv.result_names = {"r1", "mem", "absent"};
  TaskOutcome out = run(inv);
  EXPECT_TRUE(out.succeeded) << out.reason << ": " << out.message;
  EXPECT_EQ(out.results["r1"], "one\n");
  EXPECT_EQ(out.results["mem"], "67108864\n");  // --memory 64Mi reached the cgroup
  EXPECT_EQ(out.results.count("absent"), 0u);
  ASSERT_EQ(out.steps.size(), 3u);
  EXPECT_EQ(out.steps[0].reason, "Completed");
  EXPECT_EQ(out.steps[1].results["sr"], "x");
  EXPECT_EQ(out.steps[2].reason, "Error");  // `set -e` stopped the script at `false`
  EXPECT_EQ(out.steps[2].exit_code, 1);
  EXPECT_EQ(sink_.out(0), "bar in /workspace/sub as 0\n");
  EXPECT_EQ(sink_.out(2), "");
  EXPECT_EQ(slurp(tmp_.path() + "/" + inv.run_id + "/workspace/sub/home"), "/tekton/home\n");
  EXPECT_EQ(slurp(tmp_.path() + "/" + inv.run_id + "/tekton/steps/step-c/exitCode"), "1");
  EXPECT_EQ(containers_of_run(inv.run_id), std::vector<std::string>{});
}

TEST_F(PodmanRunnerTest, ImageEntrypointRunsWhenAStepHasNoCommandOrScript) {
  StepInvocation bare, with_args, exits;
  bare.name = "bare";
  with_args.name = "with-args";
  with_args.args = {"a", "b"};
  exits.name = "exits";
  exits.image = "ubuntu";
  exits.command = {"sh", "-c", "exit 3"};
  bare.image = with_args.image = kEntrypointImage;
  auto inv = invocation({bare, with_args, exits});
  PodmanRunnerOptions o = options();
  o.images = {{"ubuntu", kBaseImage}};  // "*" would map the entrypoint image too
  TaskOutcome out = run(inv, o);
  EXPECT_EQ(sink_.out(0), "entrypoint:\n");
  EXPECT_EQ(sink_.out(1), "entrypoint: a b\n");
  EXPECT_FALSE(out.succeeded);
  EXPECT_EQ(out.reason, "Failed");
  ASSERT_EQ(out.steps.size(), 3u);
  EXPECT_EQ(out.steps[2].exit_code, 3);
  EXPECT_EQ(out.steps[2].reason, "Error");
  EXPECT_EQ(out.message, "\"step-exits\" exited with code 3");
}

TEST_F(PodmanRunnerTest, StepRunningAsUser1000WritesResults) {
  StepInvocation s = script_step("as-user", "id -u > /tekton/results/uid\nprintf ok > $HOME/f\n");
  s.security_context = {{"runAsUser", 1000}};
  auto inv = invocation({s});
  inv.result_names = {"uid"};
  TaskOutcome out = run(inv);
  EXPECT_TRUE(out.succeeded) << out.reason << ": " << out.message << "\n" << sink_.err(0);
  EXPECT_EQ(out.results["uid"], "1000\n");
}

TEST_F(PodmanRunnerTest, SidecarSharesTheNetworkAndIsGoneAfterTheLastStep) {
  StepInvocation web;
  web.name = "web";
  web.image = "ubuntu";
  web.command = {"/bin/sh", "-c",
                 "mkdir -p /tmp/www && echo served > /tmp/www/index.html && "
                 "exec httpd -f -p 127.0.0.1:8080 -h /tmp/www"};
  web.ready_command = {"wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/index.html"};
  auto inv = invocation({script_step("get", "wget -q -O - http://127.0.0.1:8080/index.html\n")});
  inv.sidecars = {web};
  TaskOutcome out = run(inv);
  EXPECT_TRUE(out.succeeded) << out.reason << ": " << out.message << "\n" << sink_.err(0);
  EXPECT_EQ(sink_.out(0), "served\n");  // 127.0.0.1 of the step is the sidecar's
  EXPECT_EQ(containers_of_run(inv.run_id), std::vector<std::string>{});
}

TEST_F(PodmanRunnerTest, CancelStopsEveryContainer) {
  StepInvocation side;
  side.name = "side";
  side.image = "ubuntu";
  side.command = {"sleep", "600"};
  auto inv = invocation(
      {script_step("long", "echo started\nsleep 600\n"), script_step("never", "echo never\n")});
  inv.sidecars = {side};
  PodmanRunner runner(options());
  DoneWaiter done;
  auto exec = runner.start(inv, sink_, done.callback());
  ASSERT_TRUE(sink_.wait_for_stdout(0, "started", 60s));
  exec->cancel(false);
  auto out = done.wait(60s);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->reason, "TaskRunCancelled");
  ASSERT_EQ(out->steps.size(), 2u);
  EXPECT_EQ(out->steps[0].reason, "TaskRunCancelled");
  EXPECT_EQ(out->steps[1].reason, "TaskRunCancelled");
  EXPECT_FALSE(out->steps[1].started);
  EXPECT_EQ(containers_of_run(inv.run_id), std::vector<std::string>{});
  EXPECT_EQ(baton_containers(), std::vector<std::string>{});  // no Baton container at all
}

TEST_F(PodmanRunnerTest, TaskRunTimeoutStopsTheContainer) {
  auto inv = invocation({script_step("long", "sleep 600\n")});
  inv.timeout = std::chrono::milliseconds(1500);
  TaskOutcome out = run(inv);
  EXPECT_EQ(out.reason, "TaskRunTimeout");
  EXPECT_EQ(containers_of_run(inv.run_id), std::vector<std::string>{});
}

TEST_F(PodmanRunnerTest, MissingImageFailsTheTaskRunNamingIt) {
  StepInvocation s = script_step("s", "true\n");
  s.image = "registry.invalid/team/tool:1.2";
  PodmanRunnerOptions o = options();
  o.images = {{"ubuntu", "localhost/not-built-here:1"}};
  TaskOutcome out = run(invocation({s}), o);
  EXPECT_EQ(out.reason, "TaskRunImagePullFailed");
  EXPECT_NE(out.message.find("\"registry.invalid/team/tool:1.2\""), std::string::npos)
      << out.message;
  EXPECT_NE(out.message.find("does not pull"), std::string::npos) << out.message;

  s.image = "ubuntu";  // mapped to an absent image, and never to be pulled
  s.image_pull_policy = "Never";
  out = run(invocation({s}), o);
  EXPECT_EQ(out.reason, "TaskRunImagePullFailed");
  EXPECT_NE(out.message.find("\"localhost/not-built-here:1\" (mapped from \"ubuntu\")"),
            std::string::npos)
      << out.message;
  EXPECT_NE(out.message.find("Never"), std::string::npos) << out.message;
  ASSERT_EQ(out.steps.size(), 1u);
  EXPECT_FALSE(out.steps[0].started);
}

}  // namespace
}  // namespace baton::runners
