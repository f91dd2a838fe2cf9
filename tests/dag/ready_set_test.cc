// ReadySet: incremental readiness, declaration order, early completion, misuse.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/dag/graph.h"
#include "tests/dag/pipeline_fixture.h"

namespace baton::dag {
namespace {

using testing::make_spec;
using Idx = std::vector<std::size_t>;

Graph build_or_die(const std::vector<testing::TaskDef>& defs) {
  auto g = Graph::build(make_spec(defs));
  BATON_CHECK(g.ok(), "test graph must build");
  return std::move(g).value();
}

//     a
//    / \    (diamond)
//   b   c
//    \ /
//     d
TEST(ReadySet, DiamondStepByStep) {
  const Graph g = build_or_die({{"a"}, {"b", {"a"}}, {"c", {"a"}}, {"d", {"b", "c"}}});
  ReadySet rs(g);
  EXPECT_EQ(rs.take_ready(), (Idx{0}));
  EXPECT_EQ(rs.take_ready(), Idx{}) << "a node is handed out once";
  rs.mark_done(0);
  EXPECT_EQ(rs.take_ready(), (Idx{1, 2}));
  rs.mark_done(2);
  EXPECT_EQ(rs.take_ready(), Idx{}) << "d still waits for b";
  EXPECT_FALSE(rs.all_done());
  rs.mark_done(1);
  EXPECT_EQ(rs.take_ready(), (Idx{3}));
  EXPECT_FALSE(rs.all_done());
  rs.mark_done(3);
  EXPECT_TRUE(rs.all_done());
  EXPECT_EQ(rs.take_ready(), Idx{});
}

//        r
//   / / / \ \    completed in reverse order, several at once before take_ready
//  a b c   d e
TEST(ReadySet, TakeReadyIsInDeclarationOrderWhateverTheCompletionOrder) {
  const Graph g = build_or_die({{"r"},
                                {"a", {"r"}},
                                {"b", {"r"}},
                                {"c", {"r"}},
                                {"d", {"r"}},
                                {"e", {"r"}},
                                {"ea", {"e"}},
                                {"ca", {"c"}},
                                {"aa", {"a"}}});
  ReadySet rs(g);
  EXPECT_EQ(rs.take_ready(), (Idx{0}));
  rs.mark_done(0);
  EXPECT_EQ(rs.take_ready(), (Idx{1, 2, 3, 4, 5}));
  rs.mark_done(5);  // e -> ea ready
  rs.mark_done(3);  // c -> ca ready
  rs.mark_done(1);  // a -> aa ready
  EXPECT_EQ(rs.take_ready(), (Idx{6, 7, 8}));
}

//  a -> c <- b     c is marked done (skipped) while b still runs
TEST(ReadySet, NodeMarkedDoneBeforeTakenIsNeverHandedOut) {
  const Graph g = build_or_die({{"a"}, {"b"}, {"c", {"a", "b"}}, {"d", {"c"}}});
  ReadySet rs(g);
  EXPECT_EQ(rs.take_ready(), (Idx{0, 1}));
  rs.mark_done(0);
  rs.mark_done(2);  // the scheduler skips c early
  EXPECT_TRUE(rs.is_done(2));
  EXPECT_EQ(rs.take_ready(), (Idx{3})) << "d's only parent c is done";
  rs.mark_done(1);
  EXPECT_EQ(rs.take_ready(), Idx{}) << "c became unblocked but was already done";
  rs.mark_done(3);
  EXPECT_TRUE(rs.all_done());
}

TEST(ReadySet, RootMarkedDoneBeforeTakeIsNotReturned) {
  const Graph g = build_or_die({{"a"}, {"b"}});
  ReadySet rs(g);
  rs.mark_done(0);
  EXPECT_EQ(rs.take_ready(), (Idx{1}));
}

TEST(ReadySet, EmptyGraphIsAllDone) {
  const Graph g = build_or_die({});
  ReadySet rs(g);
  EXPECT_TRUE(rs.all_done());
  EXPECT_EQ(rs.take_ready(), Idx{});
}

TEST(ReadySetDeathTest, MarkDoneTwiceIsAProgrammerError) {
  const Graph g = build_or_die({{"a"}, {"b", {"a"}}});
  ReadySet rs(g);
  rs.mark_done(0);
  EXPECT_DEATH(rs.mark_done(0), "mark_done called twice for node \"a\"");
}

TEST(ReadySetDeathTest, MarkDoneOutOfRangeIsAProgrammerError) {
  const Graph g = build_or_die({{"a"}});
  ReadySet rs(g);
  EXPECT_DEATH(rs.mark_done(1), "out of range");
}

}  // namespace
}  // namespace baton::dag
