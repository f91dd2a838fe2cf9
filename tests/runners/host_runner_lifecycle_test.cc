// The host runner's process lifecycle: timeouts, cancellation, sidecars, streaming, concurrency.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "runners/host/host_paths.h"
#include "runners/host/host_runner.h"
#include "tests/runners/recording_sink.h"

namespace baton::runners {
namespace {

using namespace baton::runners::testing;
using exec::StepInvocation;
using exec::TaskInvocation;
using exec::TaskOutcome;

// Starts a background bash (its pid in $CHILD) which itself starts a grandchild `sleep 1000`
// (pid in $GRANDCHILD); says "tree-up" once both pids are written, then waits.
constexpr const char* kTreeScript =
    "bash -c 'sleep 1000 & echo $! > \"$GRANDCHILD\"; wait' &\n"
    "echo $! > \"$CHILD\"\n"
    "until [ -s \"$GRANDCHILD\" ]; do sleep 0.01; done\n"
    "echo tree-up\n"
    "wait\n";

class HostLifecycleTest : public ::testing::Test {
 protected:
  TaskInvocation invocation(std::vector<StepInvocation> steps, const std::string& sub = "a") {
    TaskInvocation inv;
    inv.task_run_name = "tr";
    inv.work_dir = tmp_.path() + "/" + sub;
    inv.steps = std::move(steps);
    return inv;
  }
  StepInvocation tree_step() {
    auto s = script_step("tree", kTreeScript);
    s.env = {{"CHILD", child_file_}, {"GRANDCHILD", grandchild_file_}};
    return s;
  }
  // Both background processes of kTreeScript are dead.
  void expect_tree_gone() {
    ASSERT_TRUE(wait_file(child_file_));
    ASSERT_TRUE(wait_file(grandchild_file_));
    for (const auto& f : {child_file_, grandchild_file_}) {
      const pid_t pid = std::atoi(slurp(f).c_str());
      ASSERT_GT(pid, 1);
      EXPECT_TRUE(wait_process_gone(pid)) << "pid " << pid << " from " << f << " survived";
    }
  }

  TempDir tmp_;
  std::string child_file_ = tmp_.path() + "/child.pid";
  std::string grandchild_file_ = tmp_.path() + "/grandchild.pid";
  RecordingSink sink_;
  HostRunner runner_{[] {
    HostRunnerOptions o;
    o.kill_grace = std::chrono::milliseconds(500);
    return o;
  }()};
};

TEST_F(HostLifecycleTest, StepTimeoutKillsTheStepAndFailsTheTaskRun) {
  auto step = tree_step();
  step.timeout = std::chrono::milliseconds(1500);  // room for the tree to start under load
  auto later = script_step("later", "echo never");
  DoneWaiter done;
  const auto t0 = std::chrono::steady_clock::now();
  auto exec = runner_.start(invocation({step, later}), sink_, done.callback());
  auto out = done.wait();
  ASSERT_TRUE(out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, "Failed");
  EXPECT_EQ(out->steps[0].reason, "TimeoutExceeded");
  EXPECT_NE(out->message.find("timeout"), std::string::npos) << out->message;
  EXPECT_FALSE(out->steps[1].started);
  expect_tree_gone();
}

TEST_F(HostLifecycleTest, TaskRunTimeoutKillsChildAndGrandchild) {
  auto inv = invocation({tree_step(), script_step("later", "echo never")});
  inv.timeout = std::chrono::milliseconds(2000);  // room for the tree to start under load
  DoneWaiter done;
  auto exec = runner_.start(inv, sink_, done.callback());
  auto out = done.wait();
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, "TaskRunTimeout");
  EXPECT_EQ(out->steps[0].reason, "TaskRunTimeout");
  EXPECT_EQ(out->steps[1].reason, "TaskRunTimeout");
  EXPECT_FALSE(out->steps[1].started);
  expect_tree_gone();
}

TEST_F(HostLifecycleTest, CancelKillsTheTreeAndReportsOnce) {
  for (bool as_timeout : {false, true}) {
    SCOPED_TRACE(as_timeout);
    std::filesystem::remove(child_file_);
    std::filesystem::remove(grandchild_file_);
    RecordingSink sink;
    DoneWaiter done;
    {
      HostRunner runner;
      auto exec =
          runner.start(invocation({tree_step()}, as_timeout ? "t" : "c"), sink, done.callback());
      ASSERT_TRUE(sink.wait_for_stdout(0, "tree-up"));
      exec->cancel(as_timeout);
      exec->cancel(as_timeout);  // idempotent
      auto out = done.wait();
      ASSERT_TRUE(out);
      EXPECT_FALSE(out->succeeded);
      EXPECT_EQ(out->reason, as_timeout ? "TaskRunTimeout" : "TaskRunCancelled");
      EXPECT_EQ(out->steps[0].reason, out->reason);
      exec->cancel(false);  // after the end: no effect
    }                       // the runner's destructor waits for every attempt thread
    EXPECT_EQ(done.calls(), 1);
    expect_tree_gone();
  }
}

TEST_F(HostLifecycleTest, SidecarRunsBeforeStepsAndIsStoppedAfter) {
  const std::string pidfile = tmp_.path() + "/sidecar.pid";
  StepInvocation sidecar =
      script_step("side", "echo sidecar-up\necho $$ > \"$P\"\nexec sleep 1000");
  sidecar.env = {{"P", pidfile}};
  // The step sees the sidecar's pid file: the sidecar was started before it.
  auto step = script_step("s",
                          "for i in $(seq 1 600); do [ -s \"$P\" ] && break; sleep 0.05; done\n"
                          "cat \"$P\"");
  step.env = {{"P", pidfile}};
  auto inv = invocation({step});
  inv.sidecars = {sidecar};
  DoneWaiter done;
  auto exec = runner_.start(inv, sink_, done.callback());
  auto out = done.wait();
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->succeeded) << out->message;
  const pid_t pid = std::atoi(slurp(pidfile).c_str());
  ASSERT_GT(pid, 1);
  EXPECT_EQ(sink_.out(0), std::to_string(pid) + "\n");
  EXPECT_EQ(sink_.out(1), "sidecar-up\n");  // sidecar i reports as step_index steps.size() + i
  EXPECT_TRUE(wait_process_gone(pid));
}

TEST_F(HostLifecycleTest, OutputStreamsWhileTheStepRuns) {
  const std::string fifo = tmp_.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto step = script_step("s", "echo first-line\nread x < \"$F\"\necho \"got $x\"");
  step.env = {{"F", fifo}};
  DoneWaiter done;
  auto exec = runner_.start(invocation({step}), sink_, done.callback());
  // The step cannot finish before we write to the fifo, so seeing its first line proves
  // output is forwarded while it runs.
  ASSERT_TRUE(sink_.wait_for_stdout(0, "first-line\n"));
  EXPECT_EQ(done.calls(), 0);
  const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "go\n", 3), 3);
  ::close(fd);
  auto out = done.wait();
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->succeeded) << out->message;
  EXPECT_EQ(sink_.out(0), "first-line\ngot go\n");
}

TEST_F(HostLifecycleTest, FiftyConcurrentTaskRuns) {
  constexpr int kRuns = 50;
  std::vector<DoneWaiter> done(kRuns);
  std::vector<std::unique_ptr<exec::Execution>> execs;
  std::vector<std::string> result_dirs;
  for (int i = 0; i < kRuns; ++i) {
    auto step = script_step("s", "printf '%s' \"$1\" > \"$R/n\"");
    step.args = {std::to_string(i)};
    auto inv = invocation({step}, "run" + std::to_string(i));
    inv.steps[0].env = {{"R", attempt_paths(inv.work_dir).results}};
    inv.result_names = {"n"};
    execs.push_back(runner_.start(inv, sink_, done[i].callback()));
  }
  for (int i = 0; i < kRuns; ++i) {
    auto out = done[i].wait();
    ASSERT_TRUE(out) << i;
    EXPECT_TRUE(out->succeeded) << i << ": " << out->message;
    EXPECT_EQ(out->results["n"], std::to_string(i));
  }
}

}  // namespace
}  // namespace baton::runners
