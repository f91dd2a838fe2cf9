// RunStore: runs, run results, events, pagination.
#include "engine/store/run_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "engine/store/ids.h"
#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::StoreTest;

using RunStoreTest = StoreTest;

TEST_F(RunStoreTest, CreateRunKeepsEveryFieldAndIsQueued) {
  NewRun r;
  r.kind = "TaskRun";
  r.name = "lint-abc";
  r.namespace_ = "ci";
  r.pipeline = "lint";
  r.spec = "apiVersion: tekton.dev/v1\nkind: TaskRun\n";
  r.params = R"({"url":"x"})";
  r.labels = R"({"app":"a"})";
  r.annotations = R"({"baton.dev/x":"y"})";
  r.delivery_id = "gh-123";
  r.concurrency_group = "main";
  r.trace_id = "0af7651916cd43dd8448eb211c80319c";
  auto created = store_->create_run(r);
  ASSERT_TRUE(created.ok()) << error_of(created);
  EXPECT_EQ(created->id.rfind("run-", 0), 0U) << created->id;
  EXPECT_EQ(created->id.size(), 4U + 26U);

  auto got = store_->get_run(created->id);
  ASSERT_TRUE(got.ok()) << error_of(got);
  EXPECT_EQ(got->kind, "TaskRun");
  EXPECT_EQ(got->name, "lint-abc");
  EXPECT_EQ(got->namespace_, "ci");
  EXPECT_EQ(got->pipeline, "lint");
  EXPECT_EQ(got->spec, r.spec);
  EXPECT_EQ(got->params, r.params);
  EXPECT_EQ(got->labels, r.labels);
  EXPECT_EQ(got->annotations, r.annotations);
  EXPECT_EQ(got->delivery_id, "gh-123");
  EXPECT_EQ(got->parent_run_id, std::nullopt);
  EXPECT_EQ(got->concurrency_group, "main");
  EXPECT_EQ(got->trace_id, r.trace_id);
  EXPECT_EQ(got->state, RunState::kQueued);
  EXPECT_EQ(got->created_at, clock_.load());
  EXPECT_EQ(got->queued_at, clock_.load());
  EXPECT_EQ(got->started_at, std::nullopt);
  EXPECT_EQ(got->finished_at, std::nullopt);

  auto events = store_->list_events(created->id, 0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1U);
  EXPECT_EQ((*events)[0].type, "run.created");
}

TEST_F(RunStoreTest, RetryLinksToParentAndUnknownParentIsRejected) {
  auto first = make_run();
  NewRun retry;
  retry.name = "again";
  retry.pipeline = "build";
  retry.parent_run_id = first.id;
  auto second = store_->create_run(retry);
  ASSERT_TRUE(second.ok()) << error_of(second);
  EXPECT_EQ(store_->get_run(second->id)->parent_run_id, first.id);

  retry.parent_run_id = "run-does-not-exist";
  auto bad = store_->create_run(retry);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "constraint");
  // The failed transaction left nothing behind, not even its event.
  EXPECT_EQ(store_->list_events("", 0)->size(), 2U);
}

TEST_F(RunStoreTest, DuplicateIdIsRejected) {
  NewRun r;
  r.id = "run-fixed";
  r.name = "a";
  ASSERT_TRUE(store_->create_run(r).ok());
  EXPECT_FALSE(store_->create_run(r).ok());
}

TEST_F(RunStoreTest, StatusTransitionsSetTimestampsAndEvents) {
  auto run = make_run();
  clock_ = 1000;
  ASSERT_TRUE(store_->update_run_status(run.id, RunState::kRunning, "Running", "").ok());
  clock_ = 2000;
  ASSERT_TRUE(
      store_->update_run_status(run.id, RunState::kFailed, "Failed", "Tasks Completed: 1").ok());
  auto got = store_->get_run(run.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, RunState::kFailed);
  EXPECT_EQ(got->reason, "Failed");
  EXPECT_EQ(got->message, "Tasks Completed: 1");
  EXPECT_EQ(got->started_at, 1000);
  EXPECT_EQ(got->finished_at, 2000);

  auto events = store_->list_events(run.id, 0).value();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[1].type, "run.status");
  EXPECT_NE(events[1].payload.find("\"running\""), std::string::npos) << events[1].payload;
  EXPECT_EQ(events[2].time, 2000);
  EXPECT_LT(events[1].seq, events[2].seq);

  // Terminal is final.
  auto again = store_->update_run_status(run.id, RunState::kRunning, "", "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "conflict");
  EXPECT_EQ(store_->list_events(run.id, 0)->size(), 3U);
}

TEST_F(RunStoreTest, MissingRunIsNotFound) {
  EXPECT_EQ(store_->get_run("run-nope").error().code, "not_found");
  EXPECT_EQ(store_->update_run_status("run-nope", RunState::kRunning, "", "").error().code,
            "not_found");
  EXPECT_EQ(store_->set_run_results("run-nope", {{"a", "b"}}).error().code, "not_found");
}

TEST_F(RunStoreTest, RunResultsKeepBytesAndReplaceByName) {
  auto run = make_run();
  const ResultMap first = {{"digest", "sha256:abc\n"}, {"empty", ""}};
  ASSERT_TRUE(store_->set_run_results(run.id, first).ok());
  ASSERT_TRUE(store_->set_run_results(run.id, {{"digest", std::string("\0\xfe", 2)}}).ok());
  auto got = store_->get_run_results(run.id);
  ASSERT_TRUE(got.ok()) << error_of(got);
  EXPECT_EQ(*got, (ResultMap{{"digest", std::string("\0\xfe", 2)}, {"empty", ""}}));
}

TEST_F(RunStoreTest, ListRunsNewestFirstWithFilters) {
  clock_ = 100;
  auto a = make_run("build");
  clock_ = 200;
  auto b = make_run("deploy");
  clock_ = 300;
  auto c = make_run("build");
  ASSERT_TRUE(store_->update_run_status(c.id, RunState::kRunning, "", "").ok());

  auto all = store_->list_runs({});
  ASSERT_TRUE(all.ok()) << error_of(all);
  ASSERT_EQ(all->runs.size(), 3U);
  EXPECT_EQ(all->runs[0].id, c.id);
  EXPECT_EQ(all->runs[2].id, a.id);
  EXPECT_FALSE(all->next);

  RunFilter by_pipeline;
  by_pipeline.pipeline = "build";
  auto builds = store_->list_runs(by_pipeline).value();
  ASSERT_EQ(builds.runs.size(), 2U);
  EXPECT_EQ(builds.runs[0].id, c.id);
  EXPECT_EQ(builds.runs[1].id, a.id);

  RunFilter queued_builds = by_pipeline;
  queued_builds.state = RunState::kQueued;
  auto q = store_->list_runs(queued_builds).value();
  ASSERT_EQ(q.runs.size(), 1U);
  EXPECT_EQ(q.runs[0].id, a.id);

  RunFilter other_ns;
  other_ns.namespace_ = "elsewhere";
  EXPECT_TRUE(store_->list_runs(other_ns)->runs.empty());
  (void)b;
}

TEST_F(RunStoreTest, PaginationWithEqualTimestampsVisitsEveryRunOnce) {
  // 23 runs in three timestamp groups, most sharing a created_at: the cursor must use the id.
  std::set<std::string> ids;
  for (int i = 0; i < 23; ++i) {
    clock_ = 5000 + (i / 10);
    ids.insert(make_run(i % 2 == 0 ? "even" : "odd").id);
  }
  for (int limit : {1, 4, 10, 23, 50}) {
    std::vector<RunRecord> seen;
    RunFilter f;
    f.limit = limit;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store_->list_runs(f);
      ASSERT_TRUE(page.ok()) << error_of(page);
      ASSERT_LE(page->runs.size(), static_cast<std::size_t>(limit));
      seen.insert(seen.end(), page->runs.begin(), page->runs.end());
      if (!page->next) break;
      f.after = page->next;
    }
    ASSERT_EQ(seen.size(), ids.size()) << "limit " << limit;
    std::set<std::string> unique;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      unique.insert(seen[i].id);
      if (i > 0) {
        const bool ordered =
            seen[i - 1].created_at > seen[i].created_at ||
            (seen[i - 1].created_at == seen[i].created_at && seen[i - 1].id > seen[i].id);
        EXPECT_TRUE(ordered) << "limit " << limit << " at " << i;
      }
    }
    EXPECT_EQ(unique, ids) << "limit " << limit;
  }
  RunFilter odd;
  odd.pipeline = "odd";
  odd.limit = 5;
  auto p1 = store_->list_runs(odd).value();
  ASSERT_EQ(p1.runs.size(), 5U);
  ASSERT_TRUE(p1.next);
  odd.after = p1.next;
  auto p2 = store_->list_runs(odd).value();
  ASSERT_EQ(p2.runs.size(), 5U);
  odd.after = p2.next;
  auto p3 = store_->list_runs(odd).value();
  EXPECT_EQ(p3.runs.size(), 1U);
  EXPECT_FALSE(p3.next);
}

TEST_F(RunStoreTest, ListEventsResumesAfterSeqAcrossRuns) {
  auto a = make_run();
  auto b = make_run();
  ASSERT_TRUE(store_->update_run_status(a.id, RunState::kRunning, "", "").ok());
  auto all = store_->list_events("", 0).value();
  ASSERT_EQ(all.size(), 3U);
  auto after_first = store_->list_events("", all[0].seq).value();
  ASSERT_EQ(after_first.size(), 2U);
  EXPECT_EQ(after_first[0].run_id, b.id);
  EXPECT_EQ(store_->list_events(a.id, 0)->size(), 2U);
  EXPECT_EQ(store_->list_events("", 0, 1)->size(), 1U);
}

TEST_F(RunStoreTest, StateSurvivesReopen) {
  auto run = make_run();
  ASSERT_TRUE(store_->update_run_status(run.id, RunState::kRunning, "Running", "").ok());
  store_.reset();
  store_ = open_store();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->get_run(run.id)->state, RunState::kRunning);
  EXPECT_EQ(store_->integrity_check().value(), std::vector<std::string>{"ok"});
}

TEST_F(RunStoreTest, ConcurrentWritersAndReadersLoseNothing) {
  constexpr int kWriters = 4;
  constexpr int kRunsEach = 25;
  std::atomic<bool> failed{false};
  std::atomic<int> writers_done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kRunsEach; ++i) {
        NewRun r;
        r.name = "w" + std::to_string(w);
        r.pipeline = "p" + std::to_string(w);
        auto run = store_->create_run(r);
        if (!run.ok() || !store_->update_run_status(run->id, RunState::kRunning, "", "").ok()) {
          failed = true;
        }
      }
      ++writers_done;
    });
  }
  // Readers run while the writers write; every page they see is well-formed.
  for (int rd = 0; rd < 2; ++rd) {
    threads.emplace_back([&] {
      while (writers_done.load() < kWriters) {
        auto page = store_->list_runs({});
        if (!page.ok()) failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(failed.load());
  RunFilter all;
  all.limit = 1000;
  all.state = RunState::kRunning;
  EXPECT_EQ(store_->list_runs(all)->runs.size(), static_cast<std::size_t>(kWriters * kRunsEach));
  EXPECT_EQ(store_->list_events("", 0, 100000)->size(),
            static_cast<std::size_t>(2 * kWriters * kRunsEach));
}

TEST(IdsTest, UniqueSortedByTimeAndDistinctAfterFork) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(new_id("run", 1000));
  EXPECT_EQ(ids.size(), 10000U);
  EXPECT_LT(new_id("run", 1000), new_id("run", 1001));
  EXPECT_LT(new_id("run", 31), new_id("run", 32));  // base32 digit carry sorts right
  const std::string crockford = "0123456789abcdefghjkmnpqrstvwxyz";
  const std::string id = new_id("tr", 1'700'000'000'000);
  ASSERT_EQ(id.size(), 3U + 26U);
  EXPECT_EQ(id.substr(3).find_first_not_of(crockford), std::string::npos) << id;

  // A forked child must not repeat the ids its parent generates next.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string child = new_id("run", 5);
    _exit(write(fds[1], child.data(), child.size()) == static_cast<ssize_t>(child.size()) ? 0 : 1);
  }
  close(fds[1]);
  const std::string parent = new_id("run", 5);
  std::string child(parent.size(), '\0');
  EXPECT_EQ(read(fds[0], child.data(), child.size()), static_cast<ssize_t>(child.size()));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_NE(parent, child);
}

TEST(RunStateTest, NamesRoundTrip) {
  for (auto s :
       {RunState::kQueued, RunState::kRunning, RunState::kSucceeded, RunState::kFailed,
        RunState::kCancelled, RunState::kTimeout, RunState::kInterrupted, RunState::kSkipped}) {
    EXPECT_EQ(parse_run_state(to_string(s)), s);
  }
  EXPECT_EQ(parse_run_state("Running"), std::nullopt);
  EXPECT_FALSE(is_terminal(RunState::kQueued));
  EXPECT_FALSE(is_terminal(RunState::kRunning));
  EXPECT_TRUE(is_terminal(RunState::kInterrupted));
}

}  // namespace
}  // namespace baton::store
