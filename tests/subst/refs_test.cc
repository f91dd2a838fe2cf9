#include "engine/subst/refs.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/subst/case_name.h"

namespace baton::subst {
namespace {

using test_support::case_name;

struct OneRefCase {
  std::string input;
  std::vector<std::string> parts;
  std::optional<std::string> index;
};

class OneRefTest : public ::testing::TestWithParam<OneRefCase> {};

// Each input is exactly one reference spanning the whole string.
TEST_P(OneRefTest, ParsesWholeString) {
  const OneRefCase& c = GetParam();
  std::vector<Reference> refs = find_references(c.input);
  ASSERT_EQ(refs.size(), 1U) << c.input;
  EXPECT_EQ(refs[0].begin, 0U);
  EXPECT_EQ(refs[0].end, c.input.size());
  EXPECT_EQ(refs[0].expr, c.input.substr(2, c.input.size() - 3));
  EXPECT_EQ(refs[0].parts, c.parts) << c.input;
  EXPECT_EQ(refs[0].index, c.index) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    TektonForms, OneRefTest,
    ::testing::Values(
        OneRefCase{"$(params.name)", {"params", "name"}, std::nullopt},
        OneRefCase{"$(params.my-param_2)", {"params", "my-param_2"}, std::nullopt},
        OneRefCase{"$(params.name[*])", {"params", "name"}, "*"},
        OneRefCase{"$(params.name[0])", {"params", "name"}, "0"},
        OneRefCase{"$(params.name[12])", {"params", "name"}, "12"},
        OneRefCase{"$(params.obj.key)", {"params", "obj", "key"}, std::nullopt},
        OneRefCase{"$(params['dotted.name'])", {"params", "dotted.name"}, std::nullopt},
        OneRefCase{"$(params[\"dotted.name\"])", {"params", "dotted.name"}, std::nullopt},
        OneRefCase{"$(params['dotted.name'][*])", {"params", "dotted.name"}, "*"},
        OneRefCase{"$(params[\"d.n\"][3])", {"params", "d.n"}, "3"},
        OneRefCase{"$(params['obj']['key'])", {"params", "obj", "key"}, std::nullopt},
        OneRefCase{"$(params['obj'].key)", {"params", "obj", "key"}, std::nullopt},
        OneRefCase{"$(tasks.T.results.R)", {"tasks", "T", "results", "R"}, std::nullopt},
        OneRefCase{"$(tasks.T.results.R[*])", {"tasks", "T", "results", "R"}, "*"},
        OneRefCase{"$(tasks.T.results.R[1])", {"tasks", "T", "results", "R"}, "1"},
        OneRefCase{"$(tasks.T.results.R.key)", {"tasks", "T", "results", "R", "key"}, std::nullopt},
        OneRefCase{"$(tasks.T.status)", {"tasks", "T", "status"}, std::nullopt},
        OneRefCase{"$(tasks.T.reason)", {"tasks", "T", "reason"}, std::nullopt},
        OneRefCase{"$(tasks.status)", {"tasks", "status"}, std::nullopt},
        OneRefCase{"$(tasks.T.matrix.length)", {"tasks", "T", "matrix", "length"}, std::nullopt},
        OneRefCase{
            "$(tasks.T.matrix.R.length)", {"tasks", "T", "matrix", "R", "length"}, std::nullopt},
        OneRefCase{"$(workspaces.W.path)", {"workspaces", "W", "path"}, std::nullopt},
        OneRefCase{"$(workspaces.W.bound)", {"workspaces", "W", "bound"}, std::nullopt},
        OneRefCase{"$(workspaces.W.claim)", {"workspaces", "W", "claim"}, std::nullopt},
        OneRefCase{"$(workspaces.W.volume)", {"workspaces", "W", "volume"}, std::nullopt},
        OneRefCase{"$(context.pipelineRun.name)", {"context", "pipelineRun", "name"}, std::nullopt},
        OneRefCase{"$(context.pipelineRun.namespace)",
                   {"context", "pipelineRun", "namespace"},
                   std::nullopt},
        OneRefCase{"$(context.pipelineRun.uid)", {"context", "pipelineRun", "uid"}, std::nullopt},
        OneRefCase{"$(context.pipeline.name)", {"context", "pipeline", "name"}, std::nullopt},
        OneRefCase{"$(context.pipelineTask.retries)",
                   {"context", "pipelineTask", "retries"},
                   std::nullopt},
        OneRefCase{"$(context.taskRun.name)", {"context", "taskRun", "name"}, std::nullopt},
        OneRefCase{
            "$(context.taskRun.namespace)", {"context", "taskRun", "namespace"}, std::nullopt},
        OneRefCase{"$(context.taskRun.uid)", {"context", "taskRun", "uid"}, std::nullopt},
        OneRefCase{"$(context.task.name)", {"context", "task", "name"}, std::nullopt},
        OneRefCase{"$(context.task.retry-count)", {"context", "task", "retry-count"}, std::nullopt},
        OneRefCase{"$(results.R.path)", {"results", "R", "path"}, std::nullopt},
        OneRefCase{"$(results['R'].path)", {"results", "R", "path"}, std::nullopt},
        OneRefCase{"$(steps.S.exitCode.path)", {"steps", "S", "exitCode", "path"}, std::nullopt},
        OneRefCase{"$(steps.step-unnamed-0.exitCode.path)",
                   {"steps", "step-unnamed-0", "exitCode", "path"},
                   std::nullopt},
        OneRefCase{"$(steps.S.results.R)", {"steps", "S", "results", "R"}, std::nullopt},
        OneRefCase{"$(step.results.R.path)", {"step", "results", "R", "path"}, std::nullopt},
        OneRefCase{"$(credentials.path)", {"credentials", "path"}, std::nullopt}),
    [](const auto& i) { return case_name(i); });

struct NotRefCase {
  std::string input;
};

class NotRefTest : public ::testing::TestWithParam<NotRefCase> {};

TEST_P(NotRefTest, FindsNothing) {
  EXPECT_TRUE(find_references(GetParam().input).empty()) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, NotRefTest,
    ::testing::Values(NotRefCase{""}, NotRefCase{"$"}, NotRefCase{"$("}, NotRefCase{"$()"},
                      NotRefCase{"$(params.a"},          // unterminated
                      NotRefCase{"$(params)"},           // root alone
                      NotRefCase{"$(params.)"},          // empty name
                      NotRefCase{"$(params..a)"},        // empty segment
                      NotRefCase{"$(params.a b)"},       // space
                      NotRefCase{"$(params.a(b))"},      // nested parentheses
                      NotRefCase{"$(params.a[*].b)"},    // index must close the reference
                      NotRefCase{"$(params.a[x])"},      // bad index
                      NotRefCase{"$(params.a[])"},       // empty index
                      NotRefCase{"$(params.a[-1])"},     // negative index
                      NotRefCase{"$(params['a)"},        // unterminated quote
                      NotRefCase{"$(params['a\"])"},     // mismatched quotes
                      NotRefCase{"$(params[''])"},       // empty quoted name
                      NotRefCase{"$(pwd)"},              // shell command substitution
                      NotRefCase{"$(date.sh)"},          // unknown root
                      NotRefCase{"$(cat /x/params.a)"},  // shell with a dotted word
                      NotRefCase{"${params.a}"},         // braces are shell, not Tekton
                      NotRefCase{"params.a"}),
    [](const auto& i) { return case_name(i); });

TEST(FindReferences, FindsSeveralLeftToRightWithOffsets) {
  std::string s = "echo $(params.a)$(params.b) and $(tasks.t.results.r[*]).";
  std::vector<Reference> refs = find_references(s);
  ASSERT_EQ(refs.size(), 3U);
  EXPECT_EQ(refs[0].begin, 5U);
  EXPECT_EQ(refs[0].end, 16U);
  EXPECT_EQ(refs[1].begin, 16U);
  EXPECT_EQ(refs[1].expr, "params.b");
  EXPECT_EQ(s.substr(refs[2].begin, refs[2].end - refs[2].begin), "$(tasks.t.results.r[*])");
  EXPECT_EQ(refs[2].index, "*");
}

TEST(FindReferences, FindsReferenceInsideShellSubstitution) {
  // Tekton's replacer finds the inner reference; the outer `$(` is shell.
  std::string s = "x=$(echo $(params.a))";
  std::vector<Reference> refs = find_references(s);
  ASSERT_EQ(refs.size(), 1U);
  EXPECT_EQ(refs[0].begin, 9U);
  EXPECT_EQ(refs[0].expr, "params.a");
}

TEST(FindReferences, DoubleDollarIsNotAnEscape) {
  std::vector<Reference> refs = find_references("$$(params.a)");
  ASSERT_EQ(refs.size(), 1U);
  EXPECT_EQ(refs[0].begin, 1U);
}

TEST(FindReferences, RecoversAfterMalformedPrefix) {
  std::vector<Reference> refs = find_references("$(params.a $(params.b) $(");
  ASSERT_EQ(refs.size(), 1U);
  EXPECT_EQ(refs[0].expr, "params.b");
}

TEST(ReferenceKey, JoinsPartsWithoutIndex) {
  std::vector<Reference> refs = find_references("$(params['a.b'].k) $(params.arr[*])");
  ASSERT_EQ(refs.size(), 2U);
  EXPECT_EQ(reference_key(refs[0]), "params.a.b.k");
  EXPECT_EQ(reference_key(refs[1]), "params.arr");
}

}  // namespace
}  // namespace baton::subst
