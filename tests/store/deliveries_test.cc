// Webhook deliveries: durable accept with the runs they create, dedupe of redeliveries, and the
// dispatcher's queue order.

#include <atomic>
#include <thread>

#include "store_fixture.h"

namespace baton::store {
namespace {

using testing::StoreTest;

NewDelivery push(const std::string& key) {
  NewDelivery d;
  d.listener = "github-listener";
  d.source = "github";
  d.event_type = "push";
  if (!key.empty()) d.dedupe_key = key;
  d.headers = R"({"X-GitHub-Event":"push"})";
  d.body = std::string("{\"ref\":\"refs/heads/main\"}\0tail", 30);  // bytes kept exactly
  d.response = R"({"ok":true})";
  return d;
}

NewRun run_of(const std::string& pipeline) {
  NewRun r;
  r.name = pipeline + "-x";
  r.pipeline = pipeline;
  return r;
}

class DeliveriesTest : public StoreTest {};

TEST_F(DeliveriesTest, AcceptStoresDeliveryAndQueuedRunsTogether) {
  clock_ = 1000;
  auto out = store_->record_delivery(push("guid-1"), {run_of("build"), run_of("lint")});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_FALSE(out->duplicate);
  ASSERT_EQ(out->runs.size(), 2u);
  for (const auto& r : out->runs) {
    EXPECT_EQ(r.delivery_id, out->delivery.id);
    EXPECT_EQ(r.queued_at, 1000);
    auto stored = store_->get_run(r.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->state, RunState::kQueued);
  }
  auto d = store_->get_delivery(out->delivery.id);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->body, push("").body);
  EXPECT_EQ(d->result, DeliveryResult::kAccepted);
  EXPECT_EQ(d->received_at, 1000);
  auto runs = store_->runs_of_delivery(d->id);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 2u);
}

TEST_F(DeliveriesTest, RedeliveryCreatesNothingAndReturnsTheEarlierRuns) {
  auto first = store_->record_delivery(push("guid-1"), {run_of("build")});
  ASSERT_TRUE(first.ok());
  auto again = store_->record_delivery(push("guid-1"), {run_of("build")});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->delivery.id, first->delivery.id);
  ASSERT_EQ(again->runs.size(), 1u);
  EXPECT_EQ(again->runs[0].id, first->runs[0].id);
  EXPECT_EQ(again->delivery.duplicates, 1);
  EXPECT_EQ(store_->get_delivery(first->delivery.id)->duplicates, 1);
  auto queued = store_->list_queued_runs();
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->size(), 1u);
}

TEST_F(DeliveriesTest, SameKeyOnAnotherListenerIsAnotherDelivery) {
  ASSERT_TRUE(store_->record_delivery(push("guid-1"), {}).ok());
  NewDelivery other = push("guid-1");
  other.listener = "gitlab-listener";
  auto out = store_->record_delivery(other, {});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->duplicate);
}

TEST_F(DeliveriesTest, DeliveriesWithoutKeyAreNeverDeduplicated) {
  auto a = store_->record_delivery(push(""), {run_of("build")});
  auto b = store_->record_delivery(push(""), {run_of("build")});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->delivery.id, b->delivery.id);
  EXPECT_FALSE(b->duplicate);
}

TEST_F(DeliveriesTest, FilteredAndRejectedAreKeptWithTheirReason) {
  NewDelivery d = push("guid-2");
  d.result = DeliveryResult::kRejected;
  d.reason = "X-Hub-Signature-256 does not match";
  d.body.clear();
  auto out = store_->record_delivery(d, {});
  ASSERT_TRUE(out.ok());
  auto list = store_->list_deliveries(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].result, DeliveryResult::kRejected);
  EXPECT_EQ((*list)[0].reason, d.reason);
}

TEST_F(DeliveriesTest, ListDeliveriesNewestFirstWithCursor) {
  for (int i = 0; i < 5; ++i) {
    clock_ = 100 + i;
    ASSERT_TRUE(store_->record_delivery(push("k" + std::to_string(i)), {}).ok());
  }
  auto page = store_->list_deliveries(2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].dedupe_key, "k4");
  EXPECT_EQ((*page)[1].dedupe_key, "k3");
  auto next = store_->list_deliveries(10, RunCursor{(*page)[1].received_at, (*page)[1].id});
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ((*next)[0].dedupe_key, "k2");
}

TEST_F(DeliveriesTest, QueueIsOldestFirstAndOnlyQueued) {
  clock_ = 10;
  auto a = store_->record_delivery(push("a"), {run_of("one")});
  clock_ = 20;
  auto b = store_->record_delivery(push("b"), {run_of("two")});
  clock_ = 30;
  auto c = store_->record_delivery(push("c"), {run_of("three")});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(store_->update_run_status(b->runs[0].id, RunState::kRunning, "Running", "").ok());
  auto q = store_->list_queued_runs();
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].pipeline, "one");
  EXPECT_EQ((*q)[1].pipeline, "three");
  auto running = store_->list_runs_in_state(RunState::kRunning);
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ((*running)[0].pipeline, "two");
}

TEST_F(DeliveriesTest, QueueReadsPageAfterAnEntryAndFindWhatWasInsertedSince) {
  // The dispatcher's incremental reads: a page after the last entry it holds, and the runs
  // inserted since a page's max_rowid, in queue order, queued ones only.
  clock_ = 10;
  auto a = store_->record_delivery(push("a"), {run_of("one"), run_of("two")});
  ASSERT_TRUE(a.ok());
  auto first = store_->list_queue(1, "baton.dev/policy");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->entries.size(), 1u);
  EXPECT_EQ(first->entries[0].queued_at, 10);
  auto rest = store_->list_queue(10, "baton.dev/policy", &first->entries[0]);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  ASSERT_EQ(rest->entries.size(), 1u);
  EXPECT_NE(rest->entries[0].id, first->entries[0].id);
  const std::int64_t seen = rest->max_rowid;
  EXPECT_GT(seen, 0);
  auto none = store_->list_queue_inserted_after(seen, "baton.dev/policy");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
  EXPECT_EQ(none->max_rowid, seen);
  clock_ = 30;
  auto c = store_->record_delivery(push("c"), {run_of("four")});
  clock_ = 20;
  auto b = store_->record_delivery(push("b"), {run_of("three"), run_of("five")});
  ASSERT_TRUE(b.ok() && c.ok());
  ASSERT_TRUE(store_->update_run_status(b->runs[1].id, RunState::kRunning, "Running", "").ok());
  auto since = store_->list_queue_inserted_after(seen, "baton.dev/policy");
  ASSERT_TRUE(since.ok()) << since.error().message;
  ASSERT_EQ(since->entries.size(), 2u);
  EXPECT_EQ(since->entries[0].id, b->runs[0].id);  // queued_at 20 before 30
  EXPECT_EQ(since->entries[1].id, c->runs[0].id);
  EXPECT_GT(since->max_rowid, seen);
}

TEST_F(DeliveriesTest, DeliveriesSurviveReopen) {
  auto out = store_->record_delivery(push("guid-9"), {run_of("build")});
  ASSERT_TRUE(out.ok());
  store_.reset();
  store_ = open_store();
  auto again = store_->record_delivery(push("guid-9"), {run_of("build")});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->runs.size(), 1u);
}

TEST_F(DeliveriesTest, ConcurrentDeliveriesShareCommitsAndStillDedupe) {
  // 8 threads x 25 deliveries over 100 distinct keys: every key is stored once with one run,
  // every other call sees a duplicate of it, whichever group commit carried them.
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> fresh{0}, dup{0}, failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto out = store_->record_delivery(push("key-" + std::to_string((t * kEach + i) % 100)),
                                           {run_of("build")});
        if (!out.ok()) {
          ++failed;
          continue;
        }
        (out->duplicate ? dup : fresh)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(fresh.load(), 100);
  EXPECT_EQ(dup.load(), kThreads * kEach - 100);
  auto queued = store_->count_runs_in_state(RunState::kQueued);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(*queued, 100);
}

}  // namespace
}  // namespace baton::store
