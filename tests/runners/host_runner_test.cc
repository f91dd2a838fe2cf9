// The host runner against real processes: scripts, results, paths, failures.
#include "runners/host/host_runner.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runners/host/host_paths.h"
#include "tests/runners/recording_sink.h"

namespace baton::runners {
namespace {

using namespace baton::runners::testing;
using exec::StepInvocation;
using exec::TaskInvocation;
using exec::TaskOutcome;

class HostRunnerTest : public ::testing::Test {
 protected:
  TaskInvocation invocation(std::vector<StepInvocation> steps) {
    TaskInvocation inv;
    inv.task_run_name = "tr";
    inv.work_dir = tmp_.path() + "/attempt";
    inv.steps = std::move(steps);
    return inv;
  }
  AttemptPaths paths() const { return attempt_paths(tmp_.path() + "/attempt"); }

  TaskOutcome run(HostRunner& runner, const TaskInvocation& inv) {
    DoneWaiter done;
    auto exec = runner.start(inv, sink_, done.callback());
    auto out = done.wait();
    EXPECT_TRUE(out.has_value()) << "on_done never fired";
    return out.value_or(TaskOutcome{});
  }
  TaskOutcome run(const TaskInvocation& inv) { return run(runner_, inv); }

  TempDir tmp_;
  RecordingSink sink_;
  HostRunner runner_;
};

TEST_F(HostRunnerTest, TwoStepsWriteResultsWithExactBytes) {
  auto inv = invocation({script_step("a", "echo hello\nprintf 'line\\n' > \"$R/with-nl\""),
                         script_step("b", "printf 'no-nl' > \"$R/without-nl\"")});
  for (auto& s : inv.steps) s.env = {{"R", paths().results}};
  inv.result_names = {"with-nl", "without-nl", "never-written"};
  TaskOutcome out = run(inv);
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(out.reason, "Succeeded");
  EXPECT_EQ(out.results.at("with-nl"), "line\n");
  EXPECT_EQ(out.results.at("without-nl"), "no-nl");
  EXPECT_EQ(out.results.count("never-written"), 0u);
  ASSERT_EQ(out.steps.size(), 2u);
  for (const auto& s : out.steps) {
    EXPECT_TRUE(s.started);
    EXPECT_EQ(s.exit_code, 0);
    EXPECT_EQ(s.reason, "Completed");
    EXPECT_EQ(slurp(paths().step_exit_code(s.name)), "0");
  }
  EXPECT_EQ(sink_.out(0), "hello\n");
  EXPECT_EQ(sink_.started().size(), 2u);
  EXPECT_EQ(sink_.finished().size(), 2u);
}

TEST_F(HostRunnerTest, ArgsArePositionalParameters) {
  auto step = script_step("a", "echo \"first=$1 second=$2 count=$#\"");
  step.args = {"x y", "z"};
  TaskOutcome out = run(invocation({step}));
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(sink_.out(0), "first=x y second=z count=2\n");
}

TEST_F(HostRunnerTest, ShebangScriptRunsItsInterpreter) {
  auto step = script_step("py", "#!/usr/bin/env python3\nimport sys\nprint('py', sys.argv[1])\n");
  step.args = {"arg"};
  TaskOutcome out = run(invocation({step}));
  EXPECT_TRUE(out.succeeded) << out.message << sink_.err(0);
  EXPECT_EQ(sink_.out(0), "py arg\n");
}

TEST_F(HostRunnerTest, ScriptWithoutShebangRunsUnderBashWithSetE) {
  auto bashism = script_step("a", "if [[ \"x\" == \"x\" ]]; then echo bash-ok; fi");
  auto set_e = script_step("b", "echo before\nfalse\necho not-reached");
  TaskOutcome out = run(invocation({bashism, set_e}));
  EXPECT_EQ(sink_.out(0), "bash-ok\n");
  EXPECT_EQ(sink_.out(1), "before\n");
  EXPECT_FALSE(out.succeeded);
  EXPECT_EQ(out.steps[1].exit_code, 1);
}

TEST_F(HostRunnerTest, CommandWithArgsUsesPathLookup) {
  StepInvocation step;
  step.name = "cmd";
  step.command = {"printf"};
  step.args = {"%s-%s", "a", "b"};
  StepInvocation args_only;
  args_only.name = "args";
  args_only.args = {"echo", "from-args"};
  TaskOutcome out = run(invocation({step, args_only}));
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(sink_.out(0), "a-b");
  EXPECT_EQ(sink_.out(1), "from-args\n");
}

TEST_F(HostRunnerTest, LiteralTektonAndWorkspacePaths) {
  if (!runner_.mount_namespaces()) GTEST_SKIP() << "no mount namespaces (needs root)";
  TempDir src;
  auto inv = invocation(
      {script_step("w",
                   "pwd; echo \"$HOME\"; printf r1 > /tekton/results/r; echo data > /workspace/f;"
                   " echo in-src > /workspace/src/file"),
       script_step("r", "cat /workspace/f; cat /tekton/steps/step-w/exitCode")});
  inv.workspaces = {{"src", src.path(), "/workspace/src", false}};
  inv.result_names = {"r"};
  TaskOutcome out = run(inv);
  EXPECT_TRUE(out.succeeded) << out.message << sink_.err(0) << sink_.err(1);
  EXPECT_EQ(sink_.out(0), "/workspace\n/tekton/home\n");
  EXPECT_EQ(sink_.out(1), "data\n0");
  EXPECT_EQ(out.results["r"], "r1");
  EXPECT_EQ(slurp(paths().workspace + "/f"), "data\n");
  EXPECT_EQ(slurp(src.path() + "/file"), "in-src\n");
}

TEST_F(HostRunnerTest, WithoutNamespacesHostPathsStillWorkAndANoticeSaysSo) {
  HostRunnerOptions options;
  options.use_mount_namespace = false;
  HostRunner runner(options);
  auto inv = invocation({script_step("w", "pwd; echo \"$HOME\"; echo x > \"$W/f\"")});
  inv.steps[0].env = {{"W", paths().workspace}};
  TaskOutcome out = run(runner, inv);
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(sink_.out(0), paths().workspace + "\n" + paths().home + "\n");
  auto notices = sink_.notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("/tekton"), std::string::npos);
}

TEST_F(HostRunnerTest, OnErrorContinueRecordsFailureAndGoesOn) {
  auto fail = script_step("f", "exit 3");
  fail.on_error = "continue";
  auto next = script_step("n", "cat \"$EXIT\"");
  next.env = {{"EXIT", paths().step_exit_code("f")}};
  TaskOutcome out = run(invocation({fail, next}));
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(out.steps[0].exit_code, 3);
  EXPECT_EQ(out.steps[0].reason, "Error");
  EXPECT_EQ(out.steps[1].reason, "Completed");
  EXPECT_EQ(sink_.out(1), "3");
}

TEST_F(HostRunnerTest, FailingStepStopsLaterSteps) {
  const std::string marker = tmp_.path() + "/ran";
  auto later = script_step("later", "touch \"$M\"");
  later.env = {{"M", marker}};
  TaskOutcome out = run(invocation({script_step("f", "exit 2"), later}));
  EXPECT_FALSE(out.succeeded);
  EXPECT_EQ(out.reason, "Failed");
  EXPECT_EQ(out.message, "\"step-f\" exited with code 2");
  EXPECT_EQ(out.steps[0].reason, "Error");
  EXPECT_FALSE(out.steps[1].started);
  EXPECT_EQ(out.steps[1].reason, "Skipped");
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_EQ(sink_.started().size(), 1u);
  EXPECT_EQ(sink_.finished().size(), 2u);  // not-started steps are reported too
}

TEST_F(HostRunnerTest, MissingCommandFailsCleanly) {
  StepInvocation step;
  step.name = "m";
  step.command = {"baton-no-such-command-xyz"};
  DoneWaiter done;
  {
    HostRunner runner;
    auto exec = runner.start(invocation({step}), sink_, done.callback());
    auto out = done.wait();
    ASSERT_TRUE(out);
    EXPECT_FALSE(out->succeeded);
    EXPECT_EQ(out->reason, "Failed");
    EXPECT_NE(out->message.find("executable file not found"), std::string::npos) << out->message;
    EXPECT_EQ(out->steps[0].exit_code, 127);
  }
  EXPECT_EQ(done.calls(), 1);
}

TEST_F(HostRunnerTest, StdoutConfigCopiesTheStream) {
  auto step = script_step("s", "echo to-out; echo to-err >&2");
  step.stdout_path = "/workspace/out.txt";
  step.stderr_path = "/tekton/results/err";
  auto inv = invocation({step});
  inv.result_names = {"err"};
  TaskOutcome out = run(inv);
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(slurp(paths().workspace + "/out.txt"), "to-out\n");
  EXPECT_EQ(out.results["err"], "to-err\n");
  EXPECT_EQ(sink_.err(0), "to-err\n");
}

TEST_F(HostRunnerTest, OversizedResultFailsTheTaskRun) {
  HostRunnerOptions options;
  options.max_result_bytes = 8;
  HostRunner runner(options);
  auto inv = invocation({script_step("s", "printf 0123456789 > \"$R/big\"")});
  inv.steps[0].env = {{"R", paths().results}};
  inv.result_names = {"big"};
  TaskOutcome out = run(runner, inv);
  EXPECT_FALSE(out.succeeded);
  EXPECT_EQ(out.reason, "TaskRunResultLargerThanAllowedLimit");
  EXPECT_NE(out.message.find("\"big\""), std::string::npos) << out.message;
}

TEST_F(HostRunnerTest, StepResultsAreReadBack) {
  auto step = script_step("s", "printf v > \"$D/answer\"");
  step.env = {{"D", paths().step_results("s")}};
  step.result_names = {"answer", "absent"};
  TaskOutcome out = run(invocation({step}));
  EXPECT_TRUE(out.succeeded) << out.message;
  EXPECT_EQ(out.steps[0].results, (std::map<std::string, std::string>{{"answer", "v"}}));
}

TEST_F(HostRunnerTest, ImageIsNoticedOncePerAttempt) {
  auto a = script_step("a", "true");
  a.image = "alpine";
  auto b = a;
  b.name = "b";
  TaskOutcome out = run(invocation({a, b}));
  EXPECT_TRUE(out.succeeded);
  int image_notices = 0;
  for (const auto& n : sink_.notices()) image_notices += n.find("alpine") != std::string::npos;
  EXPECT_EQ(image_notices, 1);
}

TEST(HostPathsTest, MapsStepPathsToTheHost) {
  const AttemptPaths p = attempt_paths("/w/a/");
  const std::vector<exec::WorkspaceMount> ws = {{"src", "/data/src", "/workspace/src", false},
                                                {"cache", "/data/cache", "/cache", true}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/tekton/results/x", "/w/a/tekton/results/x"},
      {"/tekton", "/w/a/tekton"},
      {"/workspace", "/w/a/workspace"},
      {"/workspace/other/f", "/w/a/workspace/other/f"},
      {"/workspace/src", "/data/src"},
      {"/workspace/src/deep/f", "/data/src/deep/f"},
      {"/workspace/srcx", "/w/a/workspace/srcx"},
      {"/cache/k", "/data/cache/k"},
      {"/tektonic", "/tektonic"},
      {"/etc/passwd", "/etc/passwd"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(to_host_path(p, ws, in), want) << in;
  EXPECT_EQ(p.step_exit_code("build"), "/w/a/tekton/steps/step-build/exitCode");
  EXPECT_EQ(p.result("digest"), "/w/a/tekton/results/digest");
}

}  // namespace
}  // namespace baton::runners
