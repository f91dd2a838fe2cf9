// The durable queue's dispatch policy, table-driven.

#include "engine/sched/run_queue.h"

#include <gtest/gtest.h>

namespace baton::sched {
namespace {

using Ids = std::vector<std::string>;
constexpr auto Q = ConcurrencyPolicy::kQueue;
constexpr auto C = ConcurrencyPolicy::kCancelInProgress;

struct Case {
  const char* name;
  std::vector<QueuedRun> queued;  // oldest first
  std::vector<ActiveRun> active;
  std::size_t max_active;
  Ids start, cancel_running, supersede_queued;
};

class RunQueue : public ::testing::TestWithParam<Case> {};

TEST_P(RunQueue, Plans) {
  const Case& c = GetParam();
  DispatchPlan p = plan_dispatch(c.queued, c.active, c.max_active);
  EXPECT_EQ(p.start, c.start);
  EXPECT_EQ(p.cancel_running, c.cancel_running);
  EXPECT_EQ(p.supersede_queued, c.supersede_queued);
}

const Case kCases[] = {
    {"oldest first up to the limit",
     {{"r1", "", Q}, {"r2", "", Q}, {"r3", "", Q}},
     {},
     2,
     {"r1", "r2"},
     {},
     {}},
    {"limit counts active runs", {{"r1", "", Q}, {"r2", "", Q}}, {{"a", ""}}, 2, {"r1"}, {}, {}},
    {"nothing starts at the limit", {{"r1", "", Q}}, {{"a", ""}, {"b", ""}}, 2, {}, {}, {}},
    {"a group runs one at a time, FIFO",
     {{"r1", "g", Q}, {"r2", "g", Q}, {"r3", "", Q}},
     {},
     5,
     {"r1", "r3"},
     {},
     {}},
    {"a busy group makes its runs wait",
     {{"r1", "g", Q}, {"r2", "h", Q}},
     {{"a", "g"}},
     5,
     {"r2"},
     {},
     {}},
    {"a blocked group does not block others",
     {{"r1", "g", Q}, {"r2", "g", Q}, {"r3", "h", Q}},
     {{"a", "g"}},
     5,
     {"r3"},
     {},
     {}},
    {"FIFO inside a group survives the limit",
     {{"r1", "g", Q}, {"r2", "", Q}, {"r3", "g", Q}},
     {{"a", ""}},
     2,
     {"r1"},
     {},
     {}},
    {"cancel-in-progress cancels the active run and waits",
     {{"r1", "g", C}},
     {{"a", "g"}},
     5,
     {},
     {"a"},
     {}},
    {"cancel-in-progress: the newest supersedes older queued runs",
     {{"r1", "g", C}, {"r2", "g", C}, {"r3", "g", C}},
     {},
     5,
     {"r3"},
     {},
     {"r1", "r2"}},
    {"cancel-in-progress with an active run and queued ones",
     {{"r1", "g", C}, {"r2", "g", C}},
     {{"a", "g"}, {"b", "h"}},
     5,
     {},
     {"a"},
     {"r1"}},
    {"cancel-in-progress in one group leaves another alone",
     {{"r1", "g", C}, {"r2", "h", Q}},
     {{"a", "g"}, {"b", "h"}},
     5,
     {},
     {"a"},
     {}},
    {"an ungrouped run never waits for groups",
     {{"r1", "g", Q}, {"r2", "", Q}},
     {{"a", "g"}},
     5,
     {"r2"},
     {},
     {}},
};

INSTANTIATE_TEST_SUITE_P(Table, RunQueue, ::testing::ValuesIn(kCases), [](const auto& param_info) {
  return "case" + std::to_string(param_info.index);
});

TEST(RunQueuePolicy, ParsesAnnotationValues) {
  ConcurrencyPolicy p = C;
  EXPECT_TRUE(parse_concurrency_policy("", &p));
  EXPECT_EQ(p, Q);
  EXPECT_TRUE(parse_concurrency_policy("cancel-in-progress", &p));
  EXPECT_EQ(p, C);
  EXPECT_FALSE(parse_concurrency_policy("cancel", &p));
}

}  // namespace
}  // namespace baton::sched
