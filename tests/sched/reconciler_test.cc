// Reconciler: TaskRun plans, incrementality on wide pipelines, and the simulator's own
// bookkeeping (values it publishes), which the table tests rely on.

#include <gtest/gtest.h>

#include <string>

#include "tests/sched/script.h"

namespace baton::sched::testing {
namespace {

const char* const kTaskRun = R"y(apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  steps: [{name: run, image: alpine, script: "true"}]
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: tr}
spec:
  taskRef: {name: t}
)y";

// A TaskRun plan is a one-task pipeline whose final reason is the attempt's own reason.
TEST(ReconcilerTaskRun, FinalReasonIsTheAttemptsReason) {
  struct Row {
    bool ok;
    std::string reason;
  };
  for (const Row& row :
       {Row{true, "Succeeded"}, Row{false, "Failed"}, Row{false, "TaskRunTimeout"}}) {
    SCOPED_TRACE(row.reason);
    auto plan = plan_from_yaml(kTaskRun);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    ASSERT_EQ(plan->kind, "TaskRun");
    Sim sim(*plan);
    sim.begin();
    ASSERT_EQ(sim.running(), "t");
    if (row.ok) {
      sim.succeed("t");
    } else {
      sim.fail("t", row.reason);
    }
    ASSERT_TRUE(sim.final_action().has_value());
    EXPECT_EQ(sim.final_action()->succeeded, row.ok);
    EXPECT_EQ(sim.final_action()->reason, row.reason);
  }
}

// `width` roots r<i>, each with one child c<i>:   r0   r1   …   r<w-1>
//                                                  |    |          |
//                                                  c0   c1   …   c<w-1>
std::string wide_run(int width) {
  std::string y =
      "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: wide}\nspec:\n"
      "  pipelineSpec:\n    tasks:\n";
  const std::string spec = ", taskSpec: {steps: [{name: s, image: alpine, script: \"true\"}]}";
  for (int i = 0; i < width; ++i) {
    std::string n = std::to_string(i);
    y += "    - {name: r" + n + spec + "}\n";
    y += "    - {name: c" + n + ", runAfter: [r" + n + "]" + spec + "}\n";
  }
  return y;
}

// Work per event follows what changed: finishing one root of a 2,000-task pipeline yields
// exactly its child's start, and finishing a leaf while others run yields nothing.
TEST(ReconcilerIncremental, OneFinishedTaskYieldsOnlyItsChildrensActions) {
  auto plan = plan_from_yaml(wide_run(1000));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->tasks.size(), 2000u);
  Sim sim(*plan);
  sim.begin();
  EXPECT_EQ(sim.first_actions().size(), 1000u);  // every root starts at once

  sim.succeed("r500");
  ASSERT_EQ(sim.first_actions().size(), 1u);
  EXPECT_EQ(sim.first_actions()[0].kind, Action::Kind::kStart);
  EXPECT_EQ(sim.first_actions()[0].task, sim.index("c500"));

  sim.succeed("c500");
  EXPECT_TRUE(sim.first_actions().empty());

  sim.fail("r7");  // the run stops: only r7's child is skipped now
  ASSERT_EQ(sim.first_actions().size(), 1u);
  EXPECT_EQ(sim.first_actions()[0].kind, Action::Kind::kSkip);
  EXPECT_EQ(sim.first_actions()[0].task, sim.index("c7"));
  EXPECT_EQ(sim.first_actions()[0].reason, kSkipStopping);
}

// One root fanning out to 2,000 children: the root's end starts them all in one call.
TEST(ReconcilerIncremental, FanOutStartsAllChildrenAtOnce) {
  std::string y =
      "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: fan}\nspec:\n"
      "  pipelineSpec:\n    tasks:\n";
  const std::string spec = ", taskSpec: {steps: [{name: s, image: alpine, script: \"true\"}]}";
  y += "    - {name: root" + spec + "}\n";
  for (int i = 0; i < 2000; ++i) {
    y += "    - {name: k" + std::to_string(i) + ", runAfter: [root]" + spec + "}\n";
  }
  auto plan = plan_from_yaml(y);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  Sim sim(*plan);
  sim.begin();
  EXPECT_EQ(sim.running(), "root");
  sim.succeed("root");
  EXPECT_EQ(sim.first_actions().size(), 2000u);
  sim.succeed("k1999");
  EXPECT_TRUE(sim.first_actions().empty());  // 1,999 siblings still run
  EXPECT_FALSE(sim.final_action().has_value());
}

// The values the simulator publishes are the ones Tekton exposes to finally `when`.
TEST(SimValues, PublishesStatusesReasonsAndResults) {
  auto plan = plan_from_yaml(case_yaml(R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, onError: continue}
    finally:
    - {name: f, taskRef: {name: t}}
)y"));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  Sim sim(*plan);
  sim.begin();
  sim.succeed("a", {{"r", "1"}});
  EXPECT_EQ(sim.values().find("tasks.status"), nullptr);  // b still runs
  sim.fail("b", "Failed", {{"s", "2"}});
  auto str = [&](const char* key) {
    const auto* v = sim.values().find(key);
    return v ? v->str : std::string("<unset>");
  };
  EXPECT_EQ(str("tasks.a.results.r"), "1");
  EXPECT_EQ(str("tasks.b.results.s"), "2");  // an ignored failure keeps its results
  EXPECT_EQ(str("tasks.a.status"), "Succeeded");
  EXPECT_EQ(str("tasks.b.status"), "Failed");
  EXPECT_EQ(str("tasks.b.reason"), "Failed");
  EXPECT_EQ(str("tasks.status"), "Failed");
  EXPECT_EQ(sim.facts().dag_terminal, 2u);
  EXPECT_EQ(sim.facts().dag_stopping, 0u);  // ignored failures do not stop the run
  EXPECT_EQ(sim.running(), "f");
}

}  // namespace
}  // namespace baton::sched::testing
