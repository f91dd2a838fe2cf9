// Graph::build: shapes (parents, children, topological order, roots), merged edges and errors.
// Each case draws its graph; an arrow x -> y means y runs after x. `r:` marks a result-ref edge.

#include "engine/dag/graph.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/dag/pipeline_fixture.h"

namespace baton::dag {
namespace {

using testing::make_spec;
using testing::TaskDef;
using Names = std::vector<std::string>;

struct ShapeCase {
  std::string label;
  std::vector<TaskDef> tasks;
  std::vector<Names> parents;  // expected, per node in declaration order
  Names topo;
  Names roots;
  friend void PrintTo(const ShapeCase& c, std::ostream* os) { *os << c.label; }
};

Names names_of(const Graph& g, const std::vector<std::size_t>& idx) {
  Names out;
  for (std::size_t i : idx) out.push_back(g.name(i));
  return out;
}

const std::vector<ShapeCase>& shape_cases() {
  static const std::vector<ShapeCase> kCases = {
      //     a
      //    / \         declared d, c, b, a: the order among b and c follows declaration (c first)
      //   b   c
      //    \ /
      //     d
      {"diamond declared bottom-up",
       {{"d", {"b", "c"}}, {"c", {"a"}}, {"b", {"a"}}, {"a"}},
       {{"c", "b"}, {"a"}, {"a"}, {}},  // parents ascend by declaration index
       {"a", "c", "b", "d"},
       {"a"}},
      //   a -> b -> c -> d   declared in reverse
      {"chain declared in reverse",
       {{"d", {"c"}}, {"c", {"b"}}, {"b", {"a"}}, {"a"}},
       {{"c"}, {"b"}, {"a"}, {}},
       {"a", "b", "c", "d"},
       {"a"}},
      //        r
      //   / / / \ \    children declared in reverse alphabetical order
      //  e d c   b a
      {"wide fan-out",
       {{"r"}, {"e", {"r"}}, {"d", {"r"}}, {"c", {"r"}}, {"b", {"r"}}, {"a", {"r"}}},
       {{}, {"r"}, {"r"}, {"r"}, {"r"}, {"r"}},
       {"r", "e", "d", "c", "b", "a"},
       {"r"}},
      //  x1 x2 x3 x4
      //    \ \ / /
      //     sink          sink declared first
      {"fan-in",
       {{"sink", {"x3", "x1", "x4", "x2"}}, {"x1"}, {"x2"}, {"x3"}, {"x4"}},
       {{"x1", "x2", "x3", "x4"}, {}, {}, {}, {}},
       {"x1", "x2", "x3", "x4", "sink"},
       {"x1", "x2", "x3", "x4"}},
      //  a -> b    c -> d    e
      {"disconnected components",
       {{"a"}, {"c"}, {"b", {"a"}}, {"e"}, {"d", {"c"}}},
       {{}, {}, {"a"}, {}, {"c"}},
       {"a", "c", "b", "e", "d"},
       {"a", "c", "e"}},
      //  x --r:--> y --r:--> z
      //  x ------------------^   (runAfter)
      {"result refs make edges",
       {{"z", {"x"}, {"y"}}, {"y", {}, {"x"}}, {"x"}},
       {{"y", "x"}, {"x"}, {}},
       {"x", "y", "z"},
       {"x"}},
      //  a -> b   with runAfter listed twice
      {"duplicate runAfter entries collapse",
       {{"a"}, {"b", {"a", "a"}}},
       {{}, {"a"}},
       {"a", "b"},
       {"a"}},
      {"empty pipeline", {}, {}, {}, {}},
  };
  return kCases;
}

class ShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(ShapeTest, ParentsChildrenTopoRoots) {
  const ShapeCase& c = GetParam();
  SCOPED_TRACE(c.label);
  auto g = Graph::build(make_spec(c.tasks));
  ASSERT_TRUE(g.ok()) << g.error().message;
  ASSERT_EQ(g->size(), c.tasks.size());
  for (std::size_t i = 0; i < g->size(); ++i) {
    EXPECT_EQ(g->name(i), c.tasks[i].name);
    EXPECT_EQ(g->index_of(c.tasks[i].name), i);
    EXPECT_EQ(names_of(*g, g->parents(i)), c.parents[i]) << "parents of " << g->name(i);
    // Children are the inverse of the expected parents, ascending by declaration index.
    Names want_children;
    for (std::size_t j = 0; j < c.tasks.size(); ++j) {
      for (const auto& p : c.parents[j]) {
        if (p == c.tasks[i].name) want_children.push_back(c.tasks[j].name);
      }
    }
    EXPECT_EQ(names_of(*g, g->children(i)), want_children) << "children of " << g->name(i);
  }
  EXPECT_EQ(names_of(*g, g->topo_order()), c.topo);
  EXPECT_EQ(names_of(*g, g->roots()), c.roots);
  EXPECT_FALSE(g->index_of("no-such-task").has_value());
}

INSTANTIATE_TEST_SUITE_P(Shapes, ShapeTest, ::testing::ValuesIn(shape_cases()),
                         testing::CaseName());

struct ErrorCase {
  std::string label;
  model::PipelineSpec spec;
  std::string message;
  std::string code;
  friend void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.label; }
};

model::PipelineSpec with_finally(std::vector<TaskDef> tasks, std::string finally_name) {
  auto spec = make_spec(tasks);
  spec.finally.push_back(model::PipelineTask{});
  spec.finally.back().name = std::move(finally_name);
  return spec;
}

const std::vector<ErrorCase>& error_cases() {
  static const std::vector<ErrorCase> kCases = {
      //  a <-+
      //  |   |
      //  +---+
      {"self-loop", make_spec({{"a", {"a"}}}), "pipeline tasks form a cycle: a -> a", "cycle"},
      //  a <-> b
      {"2-cycle", make_spec({{"a", {"b"}}, {"b", {"a"}}}),
       "pipeline tasks form a cycle: a -> b -> a", "cycle"},
      //  a -> b -> c
      //  ^---------+
      {"3-cycle", make_spec({{"a", {"c"}}, {"b", {"a"}}, {"c", {"b"}}}),
       "pipeline tasks form a cycle: a -> b -> c -> a", "cycle"},
      //  root -> c -> b -> a -> c    declared against run order; reported in run order from a
      {"3-cycle behind a root, declared against run order",
       make_spec({{"root"}, {"a", {"b"}}, {"b", {"c"}}, {"c", {"root", "a"}}}),
       "pipeline tasks form a cycle: a -> c -> b -> a", "cycle"},
      //  a --r:--> b --r:--> a
      {"cycle through result refs", make_spec({{"a", {}, {"b"}}, {"b", {}, {"a"}}}),
       "pipeline tasks form a cycle: a -> b -> a", "cycle"},
      {"unknown runAfter", make_spec({{"a"}, {"b", {"x"}}}),
       "task \"b\": runAfter names unknown task \"x\"", "unknown_task"},
      {"result ref to unknown task", make_spec({{"a"}, {"b", {}, {"x"}}}),
       "task \"b\": uses results of unknown task \"x\"", "unknown_task"},
      {"runAfter a finally task", with_finally({{"a", {"cleanup"}}}, "cleanup"),
       "task \"a\": runAfter names finally task \"cleanup\" (finally tasks run after all tasks)",
       "unknown_task"},
      {"result ref to a finally task", with_finally({{"a", {}, {"cleanup"}}}, "cleanup"),
       "task \"a\": uses results of finally task \"cleanup\" (finally tasks run after all tasks)",
       "unknown_task"},
      {"duplicate task name", make_spec({{"a"}, {"b"}, {"a"}}),
       "duplicate pipeline task name \"a\"", "duplicate_task"},
  };
  return kCases;
}

class ErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorTest, ExactMessage) {
  const ErrorCase& c = GetParam();
  SCOPED_TRACE(c.label);
  auto g = Graph::build(c.spec);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, c.message);
  EXPECT_EQ(g.error().code, c.code);
}

INSTANTIATE_TEST_SUITE_P(Errors, ErrorTest, ::testing::ValuesIn(error_cases()),
                         testing::CaseName());

//  a ===> b     b both runs after a and reads a's result: one edge, kind kResultRef
//  a ---> c     runAfter only
//  a -r:> d     result only
TEST(GraphEdges, RunAfterAndResultRefOnSamePairMakeOneEdge) {
  auto g = Graph::build(make_spec({{"a"}, {"b", {"a"}, {"a"}}, {"c", {"a"}}, {"d", {}, {"a"}}}));
  ASSERT_TRUE(g.ok()) << g.error().message;
  ASSERT_EQ(g->edges().size(), 3u);
  const Edge& ab = g->edges()[0];
  EXPECT_EQ(ab.from, 0u);
  EXPECT_EQ(ab.to, 1u);
  EXPECT_EQ(ab.kind, EdgeKind::kResultRef);
  EXPECT_TRUE(ab.declared_run_after);
  const Edge& ac = g->edges()[1];
  EXPECT_EQ(ac.to, 2u);
  EXPECT_EQ(ac.kind, EdgeKind::kRunAfter);
  EXPECT_TRUE(ac.declared_run_after);
  const Edge& ad = g->edges()[2];
  EXPECT_EQ(ad.to, 3u);
  EXPECT_EQ(ad.kind, EdgeKind::kResultRef);
  EXPECT_FALSE(ad.declared_run_after);

  EXPECT_EQ(g->parents(1), (std::vector<std::size_t>{0}));
  EXPECT_EQ(g->children(0), (std::vector<std::size_t>{1, 2, 3}));
  // Skipping a skips b and d (they read its results) but not c (it only runs after it).
  EXPECT_EQ(g->result_consumers(0), (std::vector<std::size_t>{1, 3}));
  EXPECT_TRUE(g->result_consumers(1).empty());
}

//  src --r:params--> p
//  src --r:matrix--> m
//  src --r:when----> w
//  src   status ref  s   (no edge: $(tasks.src.status) is for finally)
TEST(GraphEdges, RefsInParamsMatrixAndWhenMakeEdges) {
  model::PipelineSpec spec = make_spec({{"src"}, {"p"}, {"m"}, {"w"}, {"s"}});
  spec.tasks[1].params = {{"x", model::ParamValue::of_array({"$(tasks.src.results.list[*])"})}};
  spec.tasks[2].matrix.emplace();
  spec.tasks[2].matrix->params = {{"os", model::ParamValue::of_array({"$(tasks.src.results.os)"})}};
  spec.tasks[3].when = {{"$(tasks.src.results.go)", "in", {"yes"}, ""}};
  spec.tasks[4].params = {{"st", model::ParamValue::of_string("$(tasks.src.status)")}};
  auto g = Graph::build(spec);
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->children(0), (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(g->result_consumers(0), (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_TRUE(g->parents(4).empty());
  EXPECT_EQ(g->roots(), (std::vector<std::size_t>{0, 4}));
}

TEST(FindCycle, AcyclicAndCyclicDependencyLists) {
  EXPECT_EQ(find_cycle({}), std::nullopt);
  EXPECT_EQ(find_cycle({{}, {0}, {0, 1}}), std::nullopt);  // 2 depends on 0 and 1, 1 on 0
  // 0 depends on 2, 2 on 1, 1 on 0: path follows dependencies, from the smallest index.
  EXPECT_EQ(find_cycle({{2}, {0}, {1}}), (std::vector<std::size_t>{0, 2, 1, 0}));
  // The DFS enters the cycle {1, 2} from 0 at 2; the report still starts at 1.
  EXPECT_EQ(find_cycle({{2}, {2}, {1}}), (std::vector<std::size_t>{1, 2, 1}));
  EXPECT_EQ(find_cycle({{}, {1}}), (std::vector<std::size_t>{1, 1}));
}

}  // namespace
}  // namespace baton::dag
