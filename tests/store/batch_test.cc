// RunStore::batch(): one transaction for several writes of one thread, each still atomic.
#include <gtest/gtest.h>

#include <thread>

#include "engine/store/run_store.h"
#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::StoreTest;

using BatchTest = StoreTest;

TEST_F(BatchTest, WritesAreInvisibleToReadersUntilCommit) {
  auto run = make_run();
  RunStore::Batch batch(store_.get());
  ASSERT_TRUE(store_->update_run_status(run.id, RunState::kRunning, "Running", "").ok());
  auto tr = start_task(run.id);
  ASSERT_TRUE(store_->finish_task_run(tr.id, RunState::kSucceeded, "Succeeded", "").ok());
  // The reader connection sees the last committed state: the run still queued, no attempt.
  EXPECT_EQ(store_->get_run(run.id)->state, RunState::kQueued);
  EXPECT_FALSE(store_->get_task_run(tr.id).ok());
  ASSERT_TRUE(batch.commit().ok());
  EXPECT_EQ(store_->get_run(run.id)->state, RunState::kRunning);
  EXPECT_EQ(store_->get_task_run(tr.id)->state, RunState::kSucceeded);
  EXPECT_EQ(store_->list_events(run.id, 0)->size(), 4U);  // created, status, started, finished
}

TEST_F(BatchTest, AFailedWriteRollsBackAloneAndTheOthersCommit) {
  auto run = make_run();
  {
    RunStore::Batch batch(store_.get());
    ASSERT_TRUE(store_->update_run_status(run.id, RunState::kRunning, "Running", "").ok());
    // Rejected writes leave nothing behind, and do not undo the batch's other writes.
    EXPECT_EQ(store_->update_run_status("run-nope", RunState::kFailed, "", "").error().code,
              "not_found");
    NewRun dup;
    dup.id = run.id;  // duplicate key: fails inside its savepoint after partial work
    dup.name = "dup";
    EXPECT_FALSE(store_->create_run(dup).ok());
    ASSERT_TRUE(store_->set_run_results(run.id, {{"r", "v"}}).ok());
  }  // the destructor commits
  EXPECT_EQ(store_->get_run(run.id)->state, RunState::kRunning);
  EXPECT_EQ(store_->get_run_results(run.id)->at("r"), "v");
  EXPECT_EQ(store_->list_events(run.id, 0)->size(), 3U);  // created, status, results
  EXPECT_EQ(store_->integrity_check().value(), std::vector<std::string>{"ok"});
}

TEST_F(BatchTest, OtherThreadsWaitForTheCommitAndLoseNothing) {
  auto run = make_run();
  std::thread other;
  {
    RunStore::Batch batch(store_.get());
    ASSERT_TRUE(store_->update_run_status(run.id, RunState::kRunning, "Running", "").ok());
    // Started while the batch holds the writer: its write must wait for the commit, so its
    // event comes after every event of the batch, including the one written after it started.
    other = std::thread([&] { EXPECT_FALSE(start_task(run.id, "other").id.empty()); });
    std::this_thread::yield();
    ASSERT_TRUE(store_->set_run_results(run.id, {{"r", "v"}}).ok());
    ASSERT_TRUE(batch.commit().ok());
  }
  other.join();
  auto events = store_->list_events(run.id, 0).value();
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[1].type, "run.status");
  EXPECT_EQ(events[2].type, "run.results");
  EXPECT_EQ(events[3].type, "task_run.started");
  EXPECT_EQ(store_->list_task_runs(run.id)->size(), 1U);
}

TEST_F(BatchTest, AnEmptyBatchTakesNoLockAndAfterCommitWritesCommitAlone) {
  auto run = make_run();
  {
    RunStore::Batch batch(store_.get());
    ASSERT_TRUE(batch.commit().ok());  // nothing written: nothing to do
    // After commit, the next write of the same thread opens a new transaction of the batch.
    ASSERT_TRUE(store_->update_run_status(run.id, RunState::kRunning, "Running", "").ok());
    EXPECT_EQ(store_->get_run(run.id)->state, RunState::kQueued);
  }
  EXPECT_EQ(store_->get_run(run.id)->state, RunState::kRunning);
  // Without a batch every write commits on its own again.
  ASSERT_TRUE(store_->update_run_status(run.id, RunState::kSucceeded, "Succeeded", "").ok());
  EXPECT_EQ(store_->get_run(run.id)->state, RunState::kSucceeded);
}

}  // namespace
}  // namespace baton::store
