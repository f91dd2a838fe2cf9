// RunStore: what the dashboard API adds: origin columns and their filters, reused attempts,
// tokens, the audit trail, the change signal followers wait on.
#include <gtest/gtest.h>

#include <thread>

#include "engine/store/run_store.h"
#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::StoreTest;

using ApiStoreTest = StoreTest;

TEST_F(ApiStoreTest, RunsKeepTheirOriginAndTheListFiltersOnIt) {
  NewRun a;
  a.name = "a";
  a.pipeline = "p";
  a.repository = "org/app";
  a.branch = "main";
  a.commit = "abc";
  a.trigger_type = "webhook";
  ++clock_;
  auto ra = store_->create_run(a).value();
  NewRun b = a;
  b.name = "b";
  b.branch = "dev";
  b.trigger_type = "retry";
  b.actor = "token:ops";
  ++clock_;
  auto rb = store_->create_run(b).value();
  auto got = store_->get_run(rb.id).value();
  EXPECT_EQ(got.repository, "org/app");
  EXPECT_EQ(got.branch, "dev");
  EXPECT_EQ(got.commit, "abc");
  EXPECT_EQ(got.trigger_type, "retry");
  EXPECT_EQ(got.actor, "token:ops");
  auto ids = [&](RunFilter f) {
    std::vector<std::string> out;
    auto page = store_->list_runs(f);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) return out;
    for (const auto& r : page->runs) out.push_back(r.id);
    return out;
  };
  RunFilter f;
  f.repository = "org/app";
  EXPECT_EQ(ids(f), (std::vector<std::string>{rb.id, ra.id}));
  f.branch = "main";
  EXPECT_EQ(ids(f), (std::vector<std::string>{ra.id}));
  RunFilter t;
  t.trigger_type = "retry";
  EXPECT_EQ(ids(t), (std::vector<std::string>{rb.id}));
  RunFilter since;
  since.since = rb.created_at;
  EXPECT_EQ(ids(since), (std::vector<std::string>{rb.id}));
  RunFilter until;
  until.until = rb.created_at;
  EXPECT_EQ(ids(until), (std::vector<std::string>{ra.id}));
  // A run created without a trigger type is a CLI run.
  EXPECT_EQ(make_run().trigger_type, "cli");
}

TEST_F(ApiStoreTest, ReusedAttemptsCopyResultsAndStepsAndNameTheirOriginal) {
  auto parent = make_run();
  auto ok = start_task(parent.id, "build");
  ASSERT_TRUE(store_->set_task_results(ok.id, {{"digest", std::string("sha\0x", 5)}}).ok());
  StepRecord step;
  step.task_run_id = ok.id;
  step.name = "s";
  step.state = RunState::kSucceeded;
  step.exit_code = 0;
  ASSERT_TRUE(store_->upsert_step(step).ok());
  ASSERT_TRUE(store_->finish_task_run(ok.id, RunState::kSucceeded, "Succeeded", "").ok());
  auto bad = start_task(parent.id, "test");
  ASSERT_TRUE(store_->finish_task_run(bad.id, RunState::kFailed, "Failed", "").ok());

  NewRun retry;
  retry.name = "r";
  retry.parent_run_id = parent.id;
  auto child = store_->create_run(retry).value();
  auto refused = store_->reuse_task_runs(child.id, {bad.id});
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "conflict");
  auto copied = store_->reuse_task_runs(child.id, {ok.id});
  ASSERT_TRUE(copied.ok()) << error_of(copied);
  auto list = store_->list_task_runs(child.id).value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reused_from, ok.id);
  EXPECT_EQ(list[0].state, RunState::kSucceeded);
  EXPECT_EQ(list[0].pipeline_task, "build");
  EXPECT_EQ(list[0].results.at("digest"), std::string("sha\0x", 5));
  EXPECT_EQ(store_->list_steps(list[0].id).value().size(), 1u);
  EXPECT_EQ(store_->child_runs(parent.id).value(), std::vector<std::string>{child.id});
  EXPECT_EQ(store_->list_events(child.id, 0).value().back().type, "task_run.reused");
}

TEST_F(ApiStoreTest, TokensAreFoundByHashNamesAreUniqueAndDeletionWorks) {
  TokenRecord t;
  t.name = "ci";
  t.role = "operator";
  t.hash = "h1";
  auto made = store_->create_token(t);
  ASSERT_TRUE(made.ok()) << error_of(made);
  t.hash = "h2";
  EXPECT_EQ(store_->create_token(t).error().code, "conflict");
  auto used = store_->use_token("h1");
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->role, "operator");
  EXPECT_EQ(used->last_used, clock_.load());
  EXPECT_EQ(store_->use_token("nope").error().code, "not_found");
  EXPECT_EQ(store_->list_tokens().value().size(), 1u);
  ASSERT_TRUE(store_->delete_token(made->id).ok());
  EXPECT_EQ(store_->delete_token(made->id).error().code, "not_found");
  EXPECT_FALSE(store_->use_token("h1").ok());
}

TEST_F(ApiStoreTest, AuditIsNewestFirstAndPages) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_
                    ->add_audit({0, 0, "anonymous", "retry", "run-" + std::to_string(i),
                                 "denied: 401", "{}"})
                    .ok());
  }
  auto page = store_->list_audit(2).value();
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].target, "run-4");
  auto next = store_->list_audit(10, page.back().id).value();
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(next[0].target, "run-2");
}

TEST_F(ApiStoreTest, CommitsWakeFollowersWaitingForAChange) {
  const std::uint64_t seen = store_->change_count();
  std::thread writer([&] { make_run(); });
  const std::uint64_t now = store_->wait_for_change(seen, std::chrono::seconds(10));
  writer.join();
  EXPECT_NE(now, seen);
  EXPECT_GT(store_->latest_event_seq().value(), 0);
}

}  // namespace
}  // namespace baton::store
