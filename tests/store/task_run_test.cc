// RunStore: task run attempts, results, steps, spans, crash recovery.
#include <gtest/gtest.h>

#include "engine/store/run_store.h"
#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::StoreTest;

using TaskRunTest = StoreTest;

TEST_F(TaskRunTest, AttemptsAreRowsWithTheirOwnStateAndEvents) {
  auto run = make_run();
  clock_ = 10;
  auto first = start_task(run.id, "test", 0);
  EXPECT_EQ(first.id.rfind("tr-", 0), 0U);
  EXPECT_EQ(first.state, RunState::kRunning);
  EXPECT_EQ(first.started_at, 10);
  clock_ = 20;
  ASSERT_TRUE(store_->finish_task_run(first.id, RunState::kFailed, "Failed", "exit 1").ok());
  auto retry = start_task(run.id, "test", 1);
  clock_ = 30;
  ASSERT_TRUE(store_->finish_task_run(retry.id, RunState::kSucceeded, "Succeeded", "").ok());

  auto list = store_->list_task_runs(run.id);
  ASSERT_TRUE(list.ok()) << error_of(list);
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ((*list)[0].id, first.id);
  EXPECT_EQ((*list)[0].attempt, 0);
  EXPECT_EQ((*list)[0].state, RunState::kFailed);
  EXPECT_EQ((*list)[0].message, "exit 1");
  EXPECT_EQ((*list)[0].finished_at, 20);
  EXPECT_EQ((*list)[1].attempt, 1);
  EXPECT_EQ((*list)[1].state, RunState::kSucceeded);
  EXPECT_EQ((*list)[1].finished_at, 30);

  std::vector<std::string> types;
  const auto events = store_->list_events(run.id, 0).value();
  for (const auto& e : events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"run.created", "task_run.started", "task_run.finished",
                                             "task_run.started", "task_run.finished"}));
}

TEST_F(TaskRunTest, ProcessesOfUnfinishedAttemptsAreWhatRecoveryKills) {
  auto run = make_run();
  auto other = make_run("other");
  auto done = start_task(run.id, "done");
  auto live = start_task(run.id, "live");
  auto elsewhere = start_task(other.id, "live");
  for (const auto* tr : {&done, &live, &elsewhere}) {
    ASSERT_TRUE(store_->record_process({tr->id, 0, 100, 100, 5000, "boot-a"}).ok());
  }
  // A step started again (same index) replaces its row; a sidecar comes after the steps.
  ASSERT_TRUE(store_->record_process({live.id, 0, 200, 200, 6000, "boot-a"}).ok());
  ASSERT_TRUE(store_->record_process({live.id, 1, 201, 201, 6001, "boot-a"}).ok());
  ASSERT_TRUE(store_->finish_task_run(done.id, RunState::kSucceeded, "Succeeded", "").ok());

  auto procs = store_->unfinished_processes(run.id);
  ASSERT_TRUE(procs.ok()) << procs.error().message;
  ASSERT_EQ(procs->size(), 2u);
  EXPECT_EQ((*procs)[0].task_run_id, live.id);
  EXPECT_EQ((*procs)[0].index, 0);
  EXPECT_EQ((*procs)[0].pid, 200);
  EXPECT_EQ((*procs)[0].start_time, 6000);
  EXPECT_EQ((*procs)[0].boot_id, "boot-a");
  EXPECT_EQ((*procs)[1].index, 1);
  // Once the attempt is interrupted (recovery done), nothing is left to kill.
  ASSERT_TRUE(store_->interrupt_attempts(run.id, 1).ok());
  EXPECT_TRUE(store_->unfinished_processes(run.id)->empty());
  EXPECT_EQ(store_->unfinished_processes(other.id)->size(), 1u);
  // A process of an attempt the store does not have is refused (foreign key).
  EXPECT_FALSE(store_->record_process({"tr-missing", 0, 1, 1, 1, "b"}).ok());
}

TEST_F(TaskRunTest, SameAttemptTwiceIsRejectedButMatrixIndexesAreDistinct) {
  auto run = make_run();
  start_task(run.id, "test", 0);
  NewTaskRun dup;
  dup.run_id = run.id;
  dup.pipeline_task = "test";
  dup.name = "again";
  EXPECT_EQ(store_->start_task_run(dup).error().code, "constraint");
  for (int i = 0; i < 3; ++i) {
    NewTaskRun m;
    m.run_id = run.id;
    m.pipeline_task = "fan";
    m.name = "fan-" + std::to_string(i);
    m.matrix_index = i;
    auto tr = store_->start_task_run(m);
    ASSERT_TRUE(tr.ok()) << error_of(tr);
  }
  NewTaskRun again;
  again.run_id = run.id;
  again.pipeline_task = "fan";
  again.name = "fan-1-dup";
  again.matrix_index = 1;
  EXPECT_FALSE(store_->start_task_run(again).ok());
  auto list = store_->list_task_runs(run.id).value();
  ASSERT_EQ(list.size(), 4U);
  EXPECT_EQ(list[2].matrix_index, 1);
}

TEST_F(TaskRunTest, TaskRunOfUnknownRunIsRejected) {
  NewTaskRun t;
  t.run_id = "run-missing";
  t.pipeline_task = "x";
  t.name = "x";
  EXPECT_EQ(store_->start_task_run(t).error().code, "constraint");
}

TEST_F(TaskRunTest, FinishRules) {
  auto run = make_run();
  auto tr = start_task(run.id);
  EXPECT_EQ(store_->finish_task_run(tr.id, RunState::kRunning, "", "").error().code, "invalid");
  EXPECT_EQ(store_->finish_task_run("tr-missing", RunState::kFailed, "", "").error().code,
            "not_found");
  ASSERT_TRUE(store_->finish_task_run(tr.id, RunState::kTimeout, "TaskRunTimeout", "").ok());
  EXPECT_EQ(store_->finish_task_run(tr.id, RunState::kFailed, "", "").error().code, "conflict");
}

TEST_F(TaskRunTest, SkippedTaskKeepsItsReason) {
  auto run = make_run();
  NewTaskRun t;
  t.run_id = run.id;
  t.pipeline_task = "deploy";
  t.name = "deploy";
  t.is_finally = true;
  auto skipped = store_->skip_task_run(t, "When Expressions evaluated to false");
  ASSERT_TRUE(skipped.ok()) << error_of(skipped);
  auto got = store_->get_task_run(skipped->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, RunState::kSkipped);
  EXPECT_EQ(got->skipped_reason, "When Expressions evaluated to false");
  EXPECT_TRUE(got->is_finally);
  EXPECT_EQ(got->started_at, std::nullopt);
  EXPECT_EQ(store_->list_events(run.id, 0)->back().type, "task_run.skipped");
}

TEST_F(TaskRunTest, ResultBytesRoundTripExactly) {
  auto run = make_run();
  auto tr = start_task(run.id);
  const ResultMap results = {
      {"trailing-newline", "abc\n"},      {"empty", ""},
      {"nul", std::string("a\0b\0", 4)},  {"invalid-utf8", "\xff\xfe\xc3("},
      {"only-nul", std::string(1, '\0')}, {"crlf", "x\r\n\r\n"},
      {"big", std::string(1 << 20, 'z')},
  };
  ASSERT_TRUE(store_->set_task_results(tr.id, results).ok());
  auto got = store_->get_task_run(tr.id);
  ASSERT_TRUE(got.ok()) << error_of(got);
  ASSERT_EQ(got->results.size(), results.size());
  for (const auto& [name, value] : results) {
    ASSERT_EQ(got->results.count(name), 1U) << name;
    EXPECT_EQ(got->results.at(name), value) << name;
  }
  EXPECT_EQ(store_->list_task_runs(run.id)->front().results, results);
  EXPECT_EQ(store_->set_task_results("tr-missing", results).error().code, "not_found");
}

TEST_F(TaskRunTest, StepsUpsertKeepsStartAndRecordsExit) {
  auto run = make_run();
  auto tr = start_task(run.id);
  StepRecord s{tr.id, 0, "build", "golang:1.22", RunState::kQueued, {}, "", {}, {}};
  ASSERT_TRUE(store_->upsert_step(s).ok());
  clock_ = 100;
  s.state = RunState::kRunning;
  ASSERT_TRUE(store_->upsert_step(s).ok());
  clock_ = 250;
  s.state = RunState::kFailed;
  s.exit_code = 2;
  s.reason = "Error";
  ASSERT_TRUE(store_->upsert_step(s).ok());
  ASSERT_TRUE(store_->upsert_step({tr.id, 1, "push", "", RunState::kQueued, {}, "", {}, {}}).ok());

  auto steps = store_->list_steps(tr.id);
  ASSERT_TRUE(steps.ok()) << error_of(steps);
  ASSERT_EQ(steps->size(), 2U);
  EXPECT_EQ((*steps)[0].state, RunState::kFailed);
  EXPECT_EQ((*steps)[0].exit_code, 2);
  EXPECT_EQ((*steps)[0].reason, "Error");
  EXPECT_EQ((*steps)[0].image, "golang:1.22");
  EXPECT_EQ((*steps)[0].started_at, 100);
  EXPECT_EQ((*steps)[0].finished_at, 250);
  EXPECT_EQ((*steps)[1].state, RunState::kQueued);
  EXPECT_EQ((*steps)[1].exit_code, std::nullopt);
  EXPECT_EQ(store_->list_events(run.id, 0)->back().type, "step.updated");
  EXPECT_EQ(store_->upsert_step({"tr-missing", 0, "x", "", RunState::kQueued, {}, "", {}, {}})
                .error()
                .code,
            "not_found");
}

TEST_F(TaskRunTest, SpansRoundTripByTrace) {
  auto run = make_run();
  SpanRecord root{"t1", "s1", "", run.id, "pipeline", "server", 100, 900, R"({"a":1})", "ok", ""};
  SpanRecord child{"t1", "s2",         "s1", std::nullopt, "task", "internal",
                   200,  std::nullopt, "{}", "unset",      ""};
  SpanRecord other{"t2", "s3", "", std::nullopt, "x", "internal", 50, 60, "{}", "error", "boom"};
  ASSERT_TRUE(store_->add_span(child).ok());
  ASSERT_TRUE(store_->add_span(root).ok());
  ASSERT_TRUE(store_->add_span(other).ok());
  child.end_ns = 800;  // replacing a span closes it
  ASSERT_TRUE(store_->add_span(child).ok());
  auto spans = store_->list_spans("t1");
  ASSERT_TRUE(spans.ok()) << error_of(spans);
  ASSERT_EQ(spans->size(), 2U);
  EXPECT_EQ((*spans)[0].span_id, "s1");
  EXPECT_EQ((*spans)[0].run_id, run.id);
  EXPECT_EQ((*spans)[0].attributes, R"({"a":1})");
  EXPECT_EQ((*spans)[0].status_code, "ok");
  EXPECT_EQ((*spans)[1].parent_span_id, "s1");
  EXPECT_EQ((*spans)[1].end_ns, 800);
  SpanRecord bad = other;
  bad.span_id = "s4";
  bad.status_code = "weird";
  EXPECT_FALSE(store_->add_span(bad).ok());
}

TEST_F(TaskRunTest, RecoverInterruptedMarksOnlyWhatWasRunning) {
  auto queued = make_run("q");
  auto running = make_run("r");
  auto done = make_run("d");
  ASSERT_TRUE(store_->update_run_status(running.id, RunState::kRunning, "", "").ok());
  ASSERT_TRUE(store_->update_run_status(done.id, RunState::kRunning, "", "").ok());
  auto finished_tr = start_task(running.id, "a");
  ASSERT_TRUE(store_->finish_task_run(finished_tr.id, RunState::kSucceeded, "", "").ok());
  auto live_tr = start_task(running.id, "b");
  ASSERT_TRUE(
      store_->upsert_step({live_tr.id, 0, "s0", "", RunState::kSucceeded, 0, "Completed", {}, {}})
          .ok());
  ASSERT_TRUE(
      store_->upsert_step({live_tr.id, 1, "s1", "", RunState::kRunning, {}, "", {}, {}}).ok());
  ASSERT_TRUE(
      store_->upsert_step({live_tr.id, 2, "s2", "", RunState::kQueued, {}, "", {}, {}}).ok());
  ASSERT_TRUE(store_->update_run_status(done.id, RunState::kSucceeded, "Succeeded", "").ok());

  auto ids = store_->recover_interrupted(9999);
  ASSERT_TRUE(ids.ok()) << error_of(ids);
  EXPECT_EQ(ids->runs, std::vector<std::string>{running.id});
  EXPECT_EQ(ids->task_runs, std::vector<std::string>{live_tr.id});
  EXPECT_EQ(ids->steps, (std::vector<std::string>{live_tr.id + "/1", live_tr.id + "/2"}));

  EXPECT_EQ(store_->get_run(queued.id)->state, RunState::kQueued);
  EXPECT_EQ(store_->get_run(done.id)->state, RunState::kSucceeded);
  auto r = store_->get_run(running.id).value();
  EXPECT_EQ(r.state, RunState::kInterrupted);
  EXPECT_EQ(r.finished_at, 9999);
  EXPECT_EQ(store_->get_task_run(finished_tr.id)->state, RunState::kSucceeded);
  EXPECT_EQ(store_->get_task_run(live_tr.id)->state, RunState::kInterrupted);
  auto steps = store_->list_steps(live_tr.id).value();
  EXPECT_EQ(steps[0].state, RunState::kSucceeded);
  EXPECT_EQ(steps[1].state, RunState::kInterrupted);
  EXPECT_EQ(steps[2].state, RunState::kInterrupted);
  EXPECT_EQ(store_->list_events(running.id, 0)->back().type, "run.status");

  auto again = store_->recover_interrupted(10000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->runs.empty() && again->task_runs.empty() && again->steps.empty());
}

}  // namespace
}  // namespace baton::store
