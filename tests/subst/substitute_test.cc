#include "engine/subst/substitute.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/subst/case_name.h"

namespace baton::subst {
namespace {

using test_support::case_name;

using model::ParamValue;

// One context for all tables: every Tekton variable family, plus values that look like references.
Context make_context() {
  Context c;
  c.set("params.name", ParamValue::of_string("world"));
  c.set("params.a", ParamValue::of_string("A"));
  c.set("params.b", ParamValue::of_string("B"));
  c.set("params.empty", ParamValue::of_string(""));
  c.set("params.sneaky", ParamValue::of_string("$(params.a)"));  // must never be expanded again
  c.set("params.dotted.name", ParamValue::of_string("dotted"));
  c.set("params.arr", ParamValue::of_array({"x", "y z", "$(params.a)"}));
  c.set("params.none", ParamValue::of_array({}));
  c.set("params.obj", ParamValue::of_object({{"key", "v1"}, {"other", "v2"}}));
  c.set("tasks.build.results.digest", std::string("sha256:abc\n"));  // bytes kept exactly
  c.set("tasks.build.results.list", ParamValue::of_array({"l0", "l1"}));
  c.set("tasks.build.results.meta", ParamValue::of_object({{"url", "http://x"}}));
  c.set("tasks.build.status", std::string("Succeeded"));
  c.set("tasks.build.reason", std::string("Completed"));
  c.set("tasks.status", std::string("Completed"));
  c.set("tasks.build.matrix.length", std::string("3"));
  c.set("tasks.build.matrix.digest.length", std::string("3"));
  c.set("workspaces.src.path", std::string("/workspace/src"));
  c.set("workspaces.src.bound", std::string("true"));
  c.set("workspaces.src.claim", std::string("pvc-1"));
  c.set("workspaces.src.volume", std::string("ws-abc"));
  c.set("context.pipelineRun.name", std::string("pr-1"));
  c.set("context.pipelineRun.namespace", std::string("ns"));
  c.set("context.pipelineRun.uid", std::string("uid-pr"));
  c.set("context.pipeline.name", std::string("pipe"));
  c.set("context.pipelineTask.retries", std::string("2"));
  c.set("context.taskRun.name", std::string("tr-1"));
  c.set("context.taskRun.namespace", std::string("ns"));
  c.set("context.taskRun.uid", std::string("uid-tr"));
  c.set("context.task.name", std::string("t"));
  c.set("context.task.retry-count", std::string("1"));
  c.set("results.out.path", std::string("/tekton/results/out"));
  c.set("steps.step-one.exitCode.path", std::string("/tekton/steps/step-one/exitCode"));
  c.set("steps.one.results.r", std::string("step-result"));
  c.set("step.results.r.path", std::string("/tekton/steps/step-one/results/r"));
  c.set("credentials.path", std::string("/tekton/creds"));
  return c;
}

struct StringCase {
  std::string input;
  std::string want;
};

class SubstituteStringTest : public ::testing::TestWithParam<StringCase> {};

TEST_P(SubstituteStringTest, Substitutes) {
  Context ctx = make_context();
  Result<std::string> got = substitute_string(GetParam().input, ctx);
  ASSERT_TRUE(got.ok()) << GetParam().input << ": " << got.error().message;
  EXPECT_EQ(*got, GetParam().want) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SubstituteStringTest,
    ::testing::Values(
        StringCase{"hello $(params.name)!", "hello world!"},
        StringCase{"no references at all", "no references at all"}, StringCase{"", ""},
        StringCase{"$(params.a)$(params.b)", "AB"}, StringCase{"[$(params.empty)]", "[]"},
        StringCase{"$(params['dotted.name']) $(params[\"dotted.name\"]) $(params.dotted.name)",
                   "dotted dotted dotted"},
        StringCase{"$(params.arr[0])|$(params.arr[1])|$(params['arr'][2])", "x|y z|$(params.a)"},
        StringCase{"$(params.obj.key) $(params['obj']['other']) $(params['obj'].key)", "v1 v2 v1"},
        StringCase{"$(tasks.build.results.digest)", "sha256:abc\n"},
        StringCase{"$(tasks.build.results.list[1])", "l1"},
        StringCase{"$(tasks.build.results.meta.url)", "http://x"},
        StringCase{"$(tasks.build.status)/$(tasks.build.reason)/$(tasks.status)",
                   "Succeeded/Completed/Completed"},
        StringCase{"$(tasks.build.matrix.length) $(tasks.build.matrix.digest.length)", "3 3"},
        StringCase{"$(workspaces.src.path) $(workspaces.src.bound) $(workspaces.src.claim) "
                   "$(workspaces.src.volume)",
                   "/workspace/src true pvc-1 ws-abc"},
        StringCase{"$(context.pipelineRun.name) $(context.pipelineRun.namespace) "
                   "$(context.pipelineRun.uid)",
                   "pr-1 ns uid-pr"},
        StringCase{"$(context.pipeline.name) $(context.pipelineTask.retries)", "pipe 2"},
        StringCase{"$(context.taskRun.name) $(context.taskRun.namespace) $(context.taskRun.uid)",
                   "tr-1 ns uid-tr"},
        StringCase{"$(context.task.name) $(context.task.retry-count)", "t 1"},
        StringCase{"$(results.out.path) $(results['out'].path)",
                   "/tekton/results/out /tekton/results/out"},
        StringCase{"$(steps.step-one.exitCode.path)", "/tekton/steps/step-one/exitCode"},
        StringCase{"$(steps.one.results.r) $(step.results.r.path)",
                   "step-result /tekton/steps/step-one/results/r"},
        StringCase{"$(credentials.path)", "/tekton/creds"},
        // One pass: a value that contains a reference is not expanded again.
        StringCase{"$(params.sneaky)", "$(params.a)"},
        // Unknown references stay literal, as Tekton leaves them.
        StringCase{"$(params.missing) $(tasks.other.results.r) $(context.x.y)",
                   "$(params.missing) $(tasks.other.results.r) $(context.x.y)"},
        StringCase{"$(params.name.sub)", "$(params.name.sub)"},  // a string is not an object
        // Malformed text stays literal; no escaping.
        StringCase{"$(params.a", "$(params.a"}, StringCase{"$(", "$("}, StringCase{"$()", "$()"},
        StringCase{"$$(params.a)", "$A"},
        StringCase{"echo $(pwd) $(date +%s)", "echo $(pwd) $(date +%s)"},
        StringCase{"x=$(echo $(params.a))", "x=$(echo A)"}, StringCase{"$(params.a)$(", "A$("}),
    [](const auto& i) { return case_name(i); });

struct ErrorCase {
  std::string input;
  std::string message_part;
};

class SubstituteStringErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SubstituteStringErrorTest, Fails) {
  Context ctx = make_context();
  Result<std::string> got = substitute_string(GetParam().input, ctx);
  ASSERT_FALSE(got.ok()) << GetParam().input << " gave " << *got;
  EXPECT_NE(got.error().message.find(GetParam().message_part), std::string::npos)
      << got.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SubstituteStringErrorTest,
    ::testing::Values(ErrorCase{"$(params.arr[3])", "out of range"},
                      ErrorCase{"$(tasks.build.results.list[2])", "out of range"},
                      ErrorCase{"$(params.none[0])", "out of range"},
                      ErrorCase{"a $(params.arr[*]) b", "an array"},
                      ErrorCase{"$(params.arr)", "an array"},
                      ErrorCase{"$(params.obj)", "an object"},
                      ErrorCase{"$(params.obj[*])", "an object"},
                      ErrorCase{"$(params.obj[0])", "cannot index an object"},
                      ErrorCase{"$(params.name[0])", "cannot index a string"},
                      ErrorCase{"$(params.obj.nokey)", "no key"},
                      ErrorCase{"$(tasks.build.results.meta.nokey)", "no key"}),
    [](const auto& i) { return case_name(i); });

TEST(SubstituteArray, ExpandsWholeArrayElementsInPlace) {
  Context ctx = make_context();
  Result<std::vector<std::string>> got = substitute_array(
      {"--flag", "$(params.arr[*])", "$(params.name)", "$(tasks.build.results.list[*])",
       "$(params.arr)", "$(params.none[*])", "end $(params.arr[0])"},
      ctx);
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<std::string> want = {"--flag", "x", "y z", "$(params.a)", "world", "l0",
                                   "l1",     "x", "y z", "$(params.a)", "end x"};
  EXPECT_EQ(*got, want);
}

TEST(SubstituteArray, UnknownWholeReferenceStaysOneLiteralElement) {
  Context ctx = make_context();
  Result<std::vector<std::string>> got = substitute_array({"$(params.nope[*])"}, ctx);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, std::vector<std::string>{"$(params.nope[*])"});
}

TEST(SubstituteArray, RejectsArrayInsideLargerElementAndWholeObject) {
  Context ctx = make_context();
  EXPECT_FALSE(substitute_array({"-x=$(params.arr[*])"}, ctx).ok());
  EXPECT_FALSE(substitute_array({"$(params.obj[*])"}, ctx).ok());
  EXPECT_FALSE(substitute_array({"$(params.arr[9])"}, ctx).ok());
}

struct ValueCase {
  ParamValue input;
  ParamValue want;
};

class SubstituteValueTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(SubstituteValueTest, Substitutes) {
  Context ctx = make_context();
  Result<ParamValue> got = substitute_value(GetParam().input, ctx);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->to_json(), GetParam().want.to_json());
  EXPECT_EQ(*got, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SubstituteValueTest,
    ::testing::Values(
        ValueCase{ParamValue::of_string("$(params.name)-x"), ParamValue::of_string("world-x")},
        ValueCase{ParamValue::of_string("$(params.arr[*])"),
                  ParamValue::of_array({"x", "y z", "$(params.a)"})},
        ValueCase{ParamValue::of_string("$(params.arr)"),
                  ParamValue::of_array({"x", "y z", "$(params.a)"})},
        ValueCase{ParamValue::of_string("$(tasks.build.results.list[*])"),
                  ParamValue::of_array({"l0", "l1"})},
        ValueCase{ParamValue::of_string("$(params.obj[*])"),
                  ParamValue::of_object({{"key", "v1"}, {"other", "v2"}})},
        ValueCase{ParamValue::of_string("$(tasks.build.results.meta[*])"),
                  ParamValue::of_object({{"url", "http://x"}})},
        ValueCase{ParamValue::of_string("$(params.arr[1])"), ParamValue::of_string("y z")},
        ValueCase{ParamValue::of_string("$(params.unknown[*])"),
                  ParamValue::of_string("$(params.unknown[*])")},
        ValueCase{ParamValue::of_array({"a", "$(params.arr[*])", "$(params.b)"}),
                  ParamValue::of_array({"a", "x", "y z", "$(params.a)", "B"})},
        ValueCase{ParamValue::of_object({{"k", "$(params.obj.key)"},
                                         {"d", "$(tasks.build.results.digest)"}}),
                  ParamValue::of_object({{"k", "v1"}, {"d", "sha256:abc\n"}})}));

TEST(SubstituteValue, ObjectInsideStringIsAnError) {
  Context ctx = make_context();
  EXPECT_FALSE(substitute_value(ParamValue::of_string("x $(params.obj[*])"), ctx).ok());
  EXPECT_FALSE(substitute_value(ParamValue::of_object({{"k", "$(params.arr[*])"}}), ctx).ok());
}

TEST(ContextSetParams, DefaultsThenGivenValuesWithObjectKeysMerged) {
  model::ParamSpec s1;
  s1.name = "s";
  s1.default_value = ParamValue::of_string("def");
  model::ParamSpec s2;
  s2.name = "o";
  s2.type = model::ValueType::kObject;
  s2.default_value = ParamValue::of_object({{"a", "1"}, {"b", "2"}});
  model::ParamSpec s3;
  s3.name = "nodefault";
  Context ctx;
  ctx.set_params({s1, s2, s3}, {{"o", ParamValue::of_object({{"b", "20"}})},
                                {"extra", ParamValue::of_string("e")}});
  ASSERT_NE(ctx.find("params.s"), nullptr);
  EXPECT_EQ(ctx.find("params.s")->str, "def");
  EXPECT_EQ(*ctx.find("params.o"), ParamValue::of_object({{"a", "1"}, {"b", "20"}}));
  EXPECT_EQ(ctx.find("params.nodefault"), nullptr);
  EXPECT_EQ(*substitute_string("$(params.s)$(params.o.a)$(params.o.b)$(params.extra)", ctx),
            "def120e");
}

}  // namespace
}  // namespace baton::subst
