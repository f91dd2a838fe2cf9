// result_ref_dependencies: which fields are scanned, which reference forms count, and order.

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/dag/graph.h"
#include "tests/dag/pipeline_fixture.h"

namespace baton::dag {
namespace {

using model::Param;
using model::ParamValue;
using model::PipelineTask;

struct RefCase {
  std::string label;
  std::function<void(PipelineTask&)> setup;
  std::vector<std::string> want;
  friend void PrintTo(const RefCase& c, std::ostream* os) { *os << c.label; }
};

Param str(std::string name, std::string v) {
  return {std::move(name), ParamValue::of_string(std::move(v))};
}
Param arr(std::string name, std::vector<std::string> v) {
  return {std::move(name), ParamValue::of_array(std::move(v))};
}

const std::vector<RefCase>& cases() {
  static const std::vector<RefCase> kCases = {
      {"no params", [](PipelineTask&) {}, {}},
      {"plain string param",
       [](PipelineTask& t) { t.params = {str("p", "$(tasks.a.results.r)")}; },
       {"a"}},
      {"embedded in text, several per string",
       [](PipelineTask& t) {
         t.params = {str("p", "x=$(tasks.a.results.r) y=$(tasks.b.results.s)!")};
       },
       {"a", "b"}},
      {"array items",
       [](PipelineTask& t) {
         t.params = {arr("p", {"lit", "$(tasks.a.results.r)", "$(tasks.b.results.s)"})};
       },
       {"a", "b"}},
      {"object values (keys are not scanned)",
       [](PipelineTask& t) {
         t.params = {{"p", ParamValue::of_object(
                               {{"$(tasks.k.results.r)", "v"}, {"url", "$(tasks.a.results.r)"}})}};
       },
       {"a"}},
      {"whole-array form [*]",
       [](PipelineTask& t) { t.params = {arr("p", {"$(tasks.a.results.list[*])"})}; },
       {"a"}},
      {"indexed form [i]",
       [](PipelineTask& t) { t.params = {str("p", "$(tasks.a.results.list[2])")}; },
       {"a"}},
      {"object key form .key",
       [](PipelineTask& t) { t.params = {str("p", "$(tasks.a.results.obj.url)")}; },
       {"a"}},
      {"bracket-quoted result name",
       [](PipelineTask& t) { t.params = {str("p", "$(tasks.a.results['r.x'])")}; },
       {"a"}},
      {"status is not a dependency",
       [](PipelineTask& t) { t.params = {str("p", "$(tasks.a.status)")}; },
       {}},
      {"other roots are not dependencies",
       [](PipelineTask& t) {
         t.params = {str("p", "$(params.x) $(context.pipelineRun.name) $(tasks.status)")};
       },
       {}},
      {"tasks.X without results is not a dependency",
       [](PipelineTask& t) { t.params = {str("p", "$(tasks.a.r)")}; },
       {}},
      {"shell substitution is not a reference",
       [](PipelineTask& t) { t.params = {str("p", "$(pwd)/out")}; },
       {}},
      {"matrix params",
       [](PipelineTask& t) {
         t.matrix.emplace();
         t.matrix->params = {arr("os", {"linux", "$(tasks.m.results.os)"}),
                             arr("v", {"$(tasks.n.results.v[*])"})};
       },
       {"m", "n"}},
      {"matrix include params",
       [](PipelineTask& t) {
         t.matrix.emplace();
         t.matrix->include = {{"extra", {str("flag", "$(tasks.i.results.f)")}}};
       },
       {"i"}},
      {"when input",
       [](PipelineTask& t) {
         t.when = {{"$(tasks.w.results.ok)", "in", {"true"}, ""}};
       },
       {"w"}},
      {"when values",
       [](PipelineTask& t) {
         t.when = {{"$(params.x)", "in", {"a", "$(tasks.v.results.allowed[*])"}, ""}};
       },
       {"v"}},
      {"when cel",
       [](PipelineTask& t) {
         t.when = {{"", "", {}, "'$(tasks.c.results.n)' == 'yes'"}};
       },
       {"c"}},
      {"deduplicated in first-seen order across fields",
       [](PipelineTask& t) {
         t.params = {str("p", "$(tasks.b.results.r) $(tasks.a.results.r)"),
                     arr("q", {"$(tasks.b.results.s)"})};
         t.matrix.emplace();
         t.matrix->params = {arr("m", {"$(tasks.c.results.r)", "$(tasks.a.results.z)"})};
         t.when = {{"$(tasks.d.results.r)", "in", {"$(tasks.c.results.r)"}, ""}};
       },
       {"b", "a", "c", "d"}},
      {"runAfter is not a result dependency", [](PipelineTask& t) { t.run_after = {"a"}; }, {}},
  };
  return kCases;
}

class ResultRefTest : public ::testing::TestWithParam<RefCase> {};

TEST_P(ResultRefTest, FindsTaskNames) {
  PipelineTask t;
  t.name = "t";
  SCOPED_TRACE(GetParam().label);
  GetParam().setup(t);
  EXPECT_EQ(result_ref_dependencies(t), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Forms, ResultRefTest, ::testing::ValuesIn(cases()), testing::CaseName());

}  // namespace
}  // namespace baton::dag
