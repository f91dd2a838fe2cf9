// Retry failed picks what to reuse from the DAG: a task that did not succeed runs again, and so
// does everything downstream of it — even a task that succeeded (possible when the failure was
// ignored with onError: continue) — and every finally task.
//
//   a (fails, onError: continue) ──► b (succeeded)
//   c (succeeded) ──► d (succeeded)          e (never ran)
//   finally: f (succeeded)
//
// Reused: c and d. Run again: a, b, e, f.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/resolve/resolver.h"
#include "engine/sched/dispatcher.h"
#include "engine/sched/plan.h"
#include "engine/spec/loader.h"

namespace baton::sched {
namespace {

const char kRun[] = R"yaml(
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: r}
spec:
  pipelineSpec:
    tasks:
      - {name: a, onError: continue, taskSpec: {steps: [{name: s, image: x, script: "false"}]}}
      - {name: b, runAfter: [a], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
      - {name: c, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
      - {name: d, runAfter: [c], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
      - {name: e, runAfter: [d], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
    finally:
      - {name: f, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
)yaml";

TEST(RetryReuse, ReusesSucceededTasksWithNothingUpstreamRunningAgain) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("baton-retry-reuse-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = store::RunStore::open((dir / "s.db").string()).value();
  spec::LoadOutput loaded = spec::load_text(kRun, "run.yaml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors.front().to_string();
  resolve::Catalog catalog(&loaded.objects);
  auto plan = plan_pipeline_run(loaded.objects.pipeline_runs.front(), catalog);
  ASSERT_TRUE(plan.ok()) << plan.error().message;

  store::NewRun nr;
  nr.name = "r";
  auto parent = store->create_run(nr).value();
  std::map<std::string, std::string> ids;
  for (const auto& [task, state] :
       std::vector<std::pair<std::string, store::RunState>>{{"a", store::RunState::kFailed},
                                                            {"b", store::RunState::kSucceeded},
                                                            {"c", store::RunState::kSucceeded},
                                                            {"d", store::RunState::kSucceeded},
                                                            {"f", store::RunState::kSucceeded}}) {
    store::NewTaskRun t;
    t.run_id = parent.id;
    t.pipeline_task = task;
    t.name = "r-" + task;
    t.is_finally = task == "f";
    auto tr = store->start_task_run(t).value();
    ASSERT_TRUE(store->set_task_results(tr.id, {{"out", task + "-result"}}).ok());
    ASSERT_TRUE(store->finish_task_run(tr.id, state, "", "").ok());
    ids[task] = tr.id;
  }
  nr.name = "r-retry";
  nr.parent_run_id = parent.id;
  auto retry = store->create_run(nr).value();
  auto copied = reuse_succeeded(*store, *plan, parent.id, retry.id);
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  EXPECT_EQ(*copied, 2u);
  std::map<std::string, std::string> reused;
  auto attempts = store->list_task_runs(retry.id);
  ASSERT_TRUE(attempts.ok());
  for (const auto& tr : *attempts) {
    reused[tr.pipeline_task] = tr.reused_from.value_or("");
  }
  EXPECT_EQ(reused, (std::map<std::string, std::string>{{"c", ids["c"]}, {"d", ids["d"]}}));
  // The scheduler then sees c and d as done, with their results, and runs the rest.
  auto prior = prior_from_store(*store, retry.id).value();
  ASSERT_EQ(prior.size(), 2u);
  EXPECT_EQ(prior["d"].status, TaskStatus::kSucceeded);
  EXPECT_EQ(prior["d"].instance_results.at(0).at("out"), "d-result");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace baton::sched
