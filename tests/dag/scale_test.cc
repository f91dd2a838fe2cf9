// Large graphs: a 10,000-task chain must not recurse (build and find_cycle run on a thread with
// a 256 KiB stack, which a recursive DFS of that depth overflows), and a 2,000-wide graph.

#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/dag/graph.h"
#include "tests/dag/pipeline_fixture.h"

namespace baton::dag {
namespace {

using testing::make_spec;
using testing::TaskDef;

constexpr std::size_t kChain = 10000;
constexpr std::size_t kWide = 2000;

// Runs `fn` to completion on a thread with a small stack.
void run_on_small_stack(std::function<void()> fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, &fn), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  ASSERT_EQ(pthread_attr_destroy(&attr), 0);
}

std::string t(std::size_t i) { return "t" + std::to_string(i); }

// t0 -> t1 -> … -> t9999, declared last-first so declaration order is no help.
std::vector<TaskDef> reversed_chain(bool via_results) {
  std::vector<TaskDef> defs;
  for (std::size_t k = kChain; k-- > 0;) {
    TaskDef d{t(k)};
    if (k > 0) (via_results ? d.uses_results_of : d.run_after).push_back(t(k - 1));
    defs.push_back(std::move(d));
  }
  return defs;
}

TEST(Scale, TenThousandChainBuildsWithoutDeepRecursion) {
  for (bool via_results : {false, true}) {
    SCOPED_TRACE(via_results ? "result refs" : "runAfter");
    const model::PipelineSpec spec = make_spec(reversed_chain(via_results));
    std::optional<Result<Graph>> built;
    run_on_small_stack([&] { built.emplace(Graph::build(spec)); });
    ASSERT_TRUE(built && built->ok()) << (built ? built->error().message : "not run");
    const Graph& g = built->value();
    ASSERT_EQ(g.topo_order().size(), kChain);
    for (std::size_t k = 0; k < kChain; ++k) ASSERT_EQ(g.name(g.topo_order()[k]), t(k));
    EXPECT_EQ(g.roots(), (std::vector<std::size_t>{kChain - 1}));

    // Walk the ready-set down the whole chain: exactly one node each time.
    ReadySet rs(g);
    for (std::size_t k = 0; k < kChain; ++k) {
      auto ready = rs.take_ready();
      ASSERT_EQ(ready.size(), 1u);
      ASSERT_EQ(g.name(ready[0]), t(k));
      rs.mark_done(ready[0]);
    }
    EXPECT_TRUE(rs.all_done());
  }
}

TEST(Scale, TenThousandCycleIsReportedWithoutDeepRecursion) {
  std::vector<TaskDef> defs = reversed_chain(false);
  defs.back().run_after.push_back(t(kChain - 1));  // t0 (declared last) runs after t9999
  const model::PipelineSpec spec = make_spec(defs);
  std::optional<Result<Graph>> built;
  run_on_small_stack([&] { built.emplace(Graph::build(spec)); });
  ASSERT_TRUE(built.has_value());
  ASSERT_FALSE(built->ok());
  const std::string& msg = built->error().message;
  // Starts at the first declared task on the cycle (t9999) and follows run order.
  EXPECT_EQ(msg.rfind("pipeline tasks form a cycle: t9999 -> t0 -> t1 -> t2 -> ", 0), 0u)
      << msg.substr(0, 200);
  const std::string tail = " -> t9997 -> t9998 -> t9999";
  ASSERT_GT(msg.size(), tail.size());
  EXPECT_EQ(msg.substr(msg.size() - tail.size()), tail);
}

TEST(Scale, FindCycleOnTenThousandDeepDependencyLists) {
  std::vector<std::vector<std::size_t>> deps(kChain);
  for (std::size_t i = 1; i < kChain; ++i) deps[i] = {i - 1};
  std::optional<std::optional<std::vector<std::size_t>>> acyclic, ring;
  run_on_small_stack([&] { acyclic.emplace(find_cycle(deps)); });
  ASSERT_TRUE(acyclic.has_value());
  EXPECT_FALSE(acyclic->has_value());

  deps[0] = {kChain - 1};
  run_on_small_stack([&] { ring.emplace(find_cycle(deps)); });
  ASSERT_TRUE(ring.has_value() && ring->has_value());
  const auto& cycle = **ring;
  ASSERT_EQ(cycle.size(), kChain + 1);
  EXPECT_EQ(cycle.front(), 0u);
  EXPECT_EQ(cycle[1], kChain - 1);  // 0 depends on 9999
  EXPECT_EQ(cycle.back(), 0u);
}

//          root
//   / / / ... \ \ \      2,000 children
//   \ \ \ ... / / /
//          sink
TEST(Scale, TwoThousandWide) {
  std::vector<TaskDef> defs{{"root"}};
  TaskDef sink{"sink"};
  for (std::size_t i = 0; i < kWide; ++i) {
    defs.push_back({t(i), {"root"}});
    sink.uses_results_of.push_back(t(i));
  }
  defs.push_back(sink);
  auto g = Graph::build(make_spec(defs));
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->children(0).size(), kWide);
  EXPECT_EQ(g->parents(kWide + 1).size(), kWide);
  EXPECT_EQ(g->edges().size(), 2 * kWide);

  ReadySet rs(*g);
  EXPECT_EQ(rs.take_ready(), (std::vector<std::size_t>{0}));
  rs.mark_done(0);
  auto mid = rs.take_ready();
  ASSERT_EQ(mid.size(), kWide);
  for (std::size_t i = 0; i < kWide; ++i) ASSERT_EQ(mid[i], i + 1);
  for (std::size_t i = kWide; i-- > 0;) {
    ASSERT_TRUE(rs.take_ready().empty()) << "sink must wait for all 2,000 parents";
    rs.mark_done(mid[i]);
  }
  EXPECT_EQ(rs.take_ready(), (std::vector<std::size_t>{kWide + 1}));
}

}  // namespace
}  // namespace baton::dag
