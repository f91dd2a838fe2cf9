#pragma once
// The script language of the reconciler table tests: what happens to a run, in order, and the
// checks between events. Each case is a PipelineRun written as YAML plus such a script.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tests/sched/sim.h"

namespace baton::sched::testing {

/// One event of a test run, or a check of which tasks are running at that point.
struct Step {
  enum class Op {
    kSucceed,
    kFail,
    kStop,
    kTimeoutPipeline,
    kTimeoutTasks,
    kTimeoutFinally,
    kRunning
  };
  Op op = Op::kSucceed;
  std::string task;  // kSucceed/kFail: the task; kRunning: the expected running set
  Results results;
  std::string reason;  // kFail: TaskRun reason
  StopRequest stop = StopRequest::kNone;
};

inline Step ok(std::string task, Results r = {}) {
  return {Step::Op::kSucceed, std::move(task), std::move(r), {}, {}};
}
inline Step fail(std::string task, Results r = {}, std::string reason = "Failed") {
  return {Step::Op::kFail, std::move(task), std::move(r), std::move(reason), {}};
}
inline Step stop(StopRequest s) { return {Step::Op::kStop, {}, {}, {}, s}; }
inline Step timeout_pipeline() { return {Step::Op::kTimeoutPipeline, {}, {}, {}, {}}; }
inline Step timeout_tasks() { return {Step::Op::kTimeoutTasks, {}, {}, {}, {}}; }
inline Step timeout_finally() { return {Step::Op::kTimeoutFinally, {}, {}, {}, {}}; }
/// Checks that exactly these tasks (space separated, plan order) are running now.
inline Step running(std::string names) {
  return {Step::Op::kRunning, std::move(names), {}, {}, {}};
}

/// Applies `step` to `sim`; kRunning checks with gtest and reports the step number.
inline void play(Sim& sim, const Step& step, std::size_t n) {
  switch (step.op) {
    case Step::Op::kSucceed:
      return sim.succeed(step.task, step.results);
    case Step::Op::kFail:
      return sim.fail(step.task, step.reason, step.results);
    case Step::Op::kStop:
      return sim.request_stop(step.stop);
    case Step::Op::kTimeoutPipeline:
      return sim.time_out_pipeline();
    case Step::Op::kTimeoutTasks:
      return sim.time_out_tasks();
    case Step::Op::kTimeoutFinally:
      return sim.time_out_finally();
    case Step::Op::kRunning:
      EXPECT_EQ(sim.running(), step.task) << "at step " << n;
      return;
  }
}

/// Tekton's final message: "Tasks Completed: N (Failed: F, Cancelled C), Skipped: S".
inline std::string done(int completed, int failed, int cancelled, int skipped) {
  return "Tasks Completed: " + std::to_string(completed) + " (Failed: " + std::to_string(failed) +
         ", Cancelled " + std::to_string(cancelled) + "), Skipped: " + std::to_string(skipped);
}

/// One table row: a PipelineRun (the text under its `spec:`), a script, and the outcome.
struct Case {
  std::string label;
  std::string spec;  // YAML under the PipelineRun's `spec:`, indented two spaces
  std::vector<Step> steps;
  std::vector<std::pair<std::string, std::string>> expect;  // every task: Sim::describe()
  std::string reason;                                       // final condition reason
  std::string message;                                      // final condition message
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }
};

/// Task `t` (results r and s, param x) that the cases refer to, then the PipelineRun "pr".
inline std::string case_yaml(const std::string& spec) {
  return "apiVersion: tekton.dev/v1\n"
         "kind: Task\n"
         "metadata: {name: t}\n"
         "spec:\n"
         "  params: [{name: x, default: \"\"}]\n"
         "  results: [{name: r}, {name: s}]\n"
         "  steps: [{name: run, image: alpine, script: \"true\"}]\n"
         "---\n"
         "apiVersion: tekton.dev/v1\n"
         "kind: PipelineRun\n"
         "metadata: {name: pr}\n"
         "spec:\n" +
         spec;
}

/// Plans the case, plays its script, and checks every task and the final condition.
inline void run_case(const Case& c) {
  auto plan = plan_from_yaml(case_yaml(c.spec));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  Sim sim(*plan);
  sim.begin();
  for (std::size_t n = 0; n < c.steps.size(); ++n) {
    play(sim, c.steps[n], n);
    if (::testing::Test::HasFailure()) return;  // later steps would only repeat the error
  }
  ASSERT_EQ(c.expect.size(), plan->tasks.size()) << "a case names every task";
  for (const auto& [task, want] : c.expect) EXPECT_EQ(sim.describe(task), want) << task;
  ASSERT_TRUE(sim.final_action().has_value()) << "run did not finish; running: " << sim.running();
  EXPECT_EQ(sim.final_action()->reason, c.reason);
  EXPECT_EQ(sim.final_action()->message, c.message);
  bool want_success = c.reason == "Succeeded" || c.reason == "Completed";
  EXPECT_EQ(sim.final_action()->succeeded, want_success);
}

}  // namespace baton::sched::testing
