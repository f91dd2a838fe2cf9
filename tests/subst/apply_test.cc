#include "engine/subst/apply.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace baton::subst {
namespace {

using model::Json;
using model::ParamValue;

Context make_context() {
  Context c;
  c.set("params.img", ParamValue::of_string("alpine:3"));
  c.set("params.flags", ParamValue::of_array({"-a", "-b"}));
  c.set("params.msg", ParamValue::of_string("  spaced\n"));
  c.set("params.mode", ParamValue::of_string("continue"));
  c.set("params.cm", ParamValue::of_string("my-config"));
  c.set("params.name", ParamValue::of_string("named"));
  c.set("workspaces.src.path", std::string("/ws/src"));
  c.set("results.out.path", std::string("/tekton/results/out"));
  return c;
}

model::TaskSpec make_spec() {
  model::TaskSpec spec;
  model::Step step;
  step.name = "build-$(params.name)";
  step.display_name = "Build $(params.name)";  // Tekton leaves display names alone
  step.image = "$(params.img)";
  step.image_pull_policy = "$(params.name)";
  step.command = {"/bin/run", "$(params.flags[*])"};
  step.args = {"$(params.flags)", "--msg=$(params.msg)"};
  step.working_dir = "$(workspaces.src.path)/sub";
  step.env.push_back({"MSG", "$(params.msg)", Json()});
  step.env.push_back(
      {"CM", "", Json{{"configMapKeyRef", {{"name", "$(params.cm)"}, {"key", "k"}}}}});
  step.env_from = Json::array({Json{{"prefix", "$(params.name)_"}}});
  step.volume_mounts = Json::array({Json{{"name", "v"}, {"mountPath", "$(workspaces.src.path)"}}});
  step.script = "#!/bin/sh\necho $(params.msg) > $(results.out.path)\necho $(params.unknown)\n";
  step.on_error = "$(params.mode)";
  step.stdout_path = "$(results.out.path)";
  step.stderr_path = "$(workspaces.src.path)/err";
  step.when.push_back({"$(params.img)", "in", {"$(params.flags[*])", "x"}, ""});
  step.params.push_back({"p", ParamValue::of_string("$(params.flags[*])")});
  step.workspaces.push_back({"src", "$(params.name)"});  // not substituted by Tekton
  spec.steps.push_back(step);

  model::Container tmpl;
  tmpl.image = "$(params.img)";
  tmpl.compute_resources = Json{{"limits", {{"memory", "$(params.name)"}}}};
  spec.step_template = tmpl;

  model::Sidecar sc;
  sc.name = "side";
  sc.image = "$(params.img)";
  sc.args = {"$(params.flags[*])"};
  sc.script = "echo $(params.name)";
  spec.sidecars.push_back(sc);

  spec.volumes =
      Json::array({Json{{"name", "v-$(params.name)"}, {"configMap", {{"name", "$(params.cm)"}}}}});
  spec.workspaces.push_back({"src", "desc $(params.name)", "/custom/$(params.name)", false, false});
  spec.description = "uses $(params.name)";
  return spec;
}

TEST(ApplyToTaskSpec, SubstitutesTheFieldsTektonSubstitutes) {
  model::TaskSpec spec = make_spec();
  Status st = apply_to_task_spec(spec, make_context());
  ASSERT_TRUE(st.ok()) << st.error().message;
  const model::Step& s = spec.steps[0];
  EXPECT_EQ(s.name, "build-named");
  EXPECT_EQ(s.image, "alpine:3");
  EXPECT_EQ(s.image_pull_policy, "named");
  EXPECT_EQ(s.command, (std::vector<std::string>{"/bin/run", "-a", "-b"}));
  EXPECT_EQ(s.args, (std::vector<std::string>{"-a", "-b", "--msg=  spaced\n"}));
  EXPECT_EQ(s.working_dir, "/ws/src/sub");
  EXPECT_EQ(s.env[0].value, "  spaced\n");
  EXPECT_EQ(s.env[1].value_from["configMapKeyRef"]["name"], "my-config");
  EXPECT_EQ(s.env_from[0]["prefix"], "named_");
  EXPECT_EQ(s.volume_mounts[0]["mountPath"], "/ws/src");
  EXPECT_EQ(s.script, "#!/bin/sh\necho   spaced\n > /tekton/results/out\necho $(params.unknown)\n");
  EXPECT_EQ(s.on_error, "continue");
  EXPECT_EQ(s.stdout_path, "/tekton/results/out");
  EXPECT_EQ(s.stderr_path, "/ws/src/err");
  EXPECT_EQ(s.when[0].input, "alpine:3");
  EXPECT_EQ(s.when[0].values, (std::vector<std::string>{"-a", "-b", "x"}));
  EXPECT_EQ(s.params[0].value, ParamValue::of_array({"-a", "-b"}));
  // Left alone.
  EXPECT_EQ(s.display_name, "Build $(params.name)");
  EXPECT_EQ(s.workspaces[0].mount_path, "$(params.name)");
  EXPECT_EQ(spec.description, "uses $(params.name)");
  EXPECT_EQ(spec.workspaces[0].description, "desc $(params.name)");

  EXPECT_EQ(spec.step_template->image, "alpine:3");
  EXPECT_EQ(spec.step_template->compute_resources["limits"]["memory"], "named");
  EXPECT_EQ(spec.sidecars[0].image, "alpine:3");
  EXPECT_EQ(spec.sidecars[0].args, (std::vector<std::string>{"-a", "-b"}));
  EXPECT_EQ(spec.sidecars[0].script, "echo named");
  EXPECT_EQ(spec.volumes[0]["name"], "v-named");
  EXPECT_EQ(spec.volumes[0]["configMap"]["name"], "my-config");
  EXPECT_EQ(spec.workspaces[0].mount_path, "/custom/named");
}

TEST(ApplyToTaskSpec, ErrorNamesTheField) {
  model::TaskSpec spec = make_spec();
  spec.sidecars[0].script = "echo $(params.flags[*])";
  Status st = apply_to_task_spec(spec, make_context());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.rfind("sidecars[0].script: ", 0), 0U) << st.error().message;
}

TEST(ApplyToTaskSpec, ErrorInsideJsonNamesThePath) {
  model::TaskSpec spec = make_spec();
  spec.volumes[0]["configMap"]["name"] = "$(params.flags[5])";
  Status st = apply_to_task_spec(spec, make_context());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.rfind("volumes[0].configMap.name: ", 0), 0U) << st.error().message;
}

TEST(ApplyToJson, SubstitutesLeavesNotKeysAndKeepsOtherTypes) {
  Json j = Json{{"$(params.name)", "$(params.name)"},
                {"n", 3},
                {"list", Json::array({"$(params.img)", true})}};
  ASSERT_TRUE(apply_to_json(j, make_context()).ok());
  EXPECT_EQ(
      j, (Json{{"$(params.name)", "named"}, {"n", 3}, {"list", Json::array({"alpine:3", true})}}));
}

}  // namespace
}  // namespace baton::subst

namespace baton::subst {
namespace {

TEST(ApplyToPipelineTask, SubstitutesPipelineTaskFieldsAndPropagatesParams) {
  Context ctx = make_context();
  ctx.set("tasks.build.results.digest", std::string("sha256:1"));
  model::PipelineTask t;
  t.name = "deploy";
  t.display_name = "Deploy $(params.name)";
  t.params = {{"flags", ParamValue::of_string("$(params.flags[*])")},
              {"digest", ParamValue::of_string("$(tasks.build.results.digest)")}};
  t.matrix = model::Matrix{{{"os", ParamValue::of_array({"$(params.flags[*])", "linux"})}},
                           {{"extra", {{"img", ParamValue::of_string("$(params.img)")}}}}};
  t.workspaces.push_back({"src", "shared", "$(params.name)/sub"});
  t.when.push_back({"$(tasks.build.results.digest)", "notin", {""}, ""});
  t.task_ref = model::Ref{
      "$(params.name)-task", "", "", "", {{"url", ParamValue::of_string("$(params.img)")}}};
  t.on_error = "$(params.mode)";
  model::TaskSpec spec;
  model::ParamSpec own;
  own.name = "name";  // the embedded task's own `name` shadows the pipeline's
  spec.params.push_back(own);
  model::Step step;
  step.image = "$(params.img)";
  step.script = "echo $(params.name) $(tasks.build.results.digest)";
  spec.steps.push_back(step);
  t.task_spec = spec;

  Status st = apply_to_pipeline_task(t, ctx);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(t.display_name, "Deploy named");
  EXPECT_EQ(t.params[0].value, ParamValue::of_array({"-a", "-b"}));
  EXPECT_EQ(t.params[1].value, ParamValue::of_string("sha256:1"));
  EXPECT_EQ(t.matrix->params[0].value, ParamValue::of_array({"-a", "-b", "linux"}));
  EXPECT_EQ(t.matrix->include[0].params[0].value, ParamValue::of_string("alpine:3"));
  EXPECT_EQ(t.workspaces[0].sub_path, "named/sub");
  EXPECT_EQ(t.when[0].input, "sha256:1");
  EXPECT_EQ(t.task_ref->name, "named-task");
  EXPECT_EQ(t.task_ref->params[0].value, ParamValue::of_string("alpine:3"));
  EXPECT_EQ(t.on_error, "continue");
  EXPECT_EQ(t.task_spec->steps[0].image, "alpine:3");
  EXPECT_EQ(t.task_spec->steps[0].script, "echo $(params.name) sha256:1");
}

TEST(ApplyToPipelineTask, ErrorNamesTheField) {
  model::PipelineTask t;
  t.params = {{"p", ParamValue::of_string("x-$(params.flags[*])")}};
  Status st = apply_to_pipeline_task(t, make_context());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.rfind("params[0].value: ", 0), 0U) << st.error().message;
}

TEST(ContextWithoutParams, DropsNamedParamsAndTheirKeysOnly) {
  Context ctx;
  ctx.set("params.a", ParamValue::of_string("1"));
  ctx.set("params.a.b", ParamValue::of_string("dotted"));
  ctx.set("params.ab", ParamValue::of_string("2"));
  ctx.set("context.taskRun.name", std::string("tr"));
  Context out = ctx.without_params({"a"});
  EXPECT_EQ(out.find("params.a"), nullptr);
  EXPECT_EQ(out.find("params.a.b"), nullptr);
  ASSERT_NE(out.find("params.ab"), nullptr);
  ASSERT_NE(out.find("context.taskRun.name"), nullptr);
  EXPECT_EQ(ctx.size(), 4U);
}

}  // namespace
}  // namespace baton::subst
