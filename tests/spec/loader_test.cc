// Loading Tekton YAML into the model: kinds, v1beta1 conversion, Tekton's value rules, and
// field paths resolved back to positions.

#include "engine/spec/loader.h"

#include <gtest/gtest.h>

#include "engine/spec/decode_util.h"

namespace baton::spec {
namespace {

LoadOutput load(const std::string& text) { return load_text(text, "t.yaml"); }

std::string errors_of(const LoadOutput& out) {
  std::string s;
  for (const auto& d : out.errors) s += d.to_string() + "\n";
  return s;
}

TEST(Loader, TaskWithEverything) {
  auto out = load(R"(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
  labels: {app: x}
spec:
  params:
    - name: flags
      type: array
      default: ["-v", "-x"]
    - name: version
      default: 1.10
    - name: enabled
      default: yes
    - name: cfg
      properties: {url: {type: string}}
      default: {url: "http://x"}
  results:
    - name: digest
  workspaces:
    - name: src
      readOnly: true
      optional: true
  stepTemplate:
    env: [{name: A, value: "1"}]
  steps:
    - name: compile
      image: gcc
      script: |
        make
      timeout: 1m30s
      onError: continue
      computeResources: {limits: {cpu: "1"}}
  sidecars:
    - name: db
      image: postgres
      readinessProbe: {exec: {command: [true]}}
)");
  ASSERT_TRUE(out.errors.empty()) << errors_of(out);
  ASSERT_EQ(out.objects.tasks.size(), 1u);
  const auto& t = out.objects.tasks[0];
  EXPECT_EQ(t.metadata.name, "build");
  ASSERT_EQ(t.spec.params.size(), 4u);
  EXPECT_EQ(t.spec.params[0].type, model::ValueType::kArray);
  EXPECT_EQ(t.spec.params[0].default_value->arr, (std::vector<std::string>{"-v", "-x"}));
  EXPECT_EQ(t.spec.params[1].default_value->str, "1.10");  // raw text, not 1.1
  EXPECT_EQ(t.spec.params[2].default_value->str, "yes");   // YAML 1.1 boolean stays text
  EXPECT_EQ(t.spec.params[3].type, model::ValueType::kObject);
  EXPECT_EQ(t.spec.params[3].default_value->obj.at("url"), "http://x");
  EXPECT_TRUE(t.spec.workspaces[0].read_only);
  EXPECT_EQ(t.spec.steps[0].script, "make\n");
  EXPECT_EQ(t.spec.steps[0].timeout->count(), 90'000);
  EXPECT_EQ(t.spec.steps[0].compute_resources["limits"]["cpu"], "1");
  ASSERT_TRUE(t.spec.step_template.has_value());
  EXPECT_EQ(t.spec.step_template->env[0].value, "1");
  EXPECT_EQ(t.spec.sidecars[0].name, "db");
}

TEST(Loader, V1beta1IsConvertedToV1) {
  auto out = load(R"(apiVersion: tekton.dev/v1beta1
kind: PipelineRun
metadata: {generateName: pr-}
spec:
  serviceAccountName: builder
  podTemplate: {nodeSelector: {disk: ssd}}
  timeout: 1h
  taskRunSpecs:
    - pipelineTaskName: a
      taskServiceAccountName: sa2
      taskPodTemplate: {hostNetwork: true}
  pipelineSpec:
    tasks:
      - name: a
        taskRef: {name: t, bundle: "reg/img:1"}
---
apiVersion: tekton.dev/v1beta1
kind: Task
metadata: {name: t}
spec:
  steps:
    - image: alpine
      resources: {requests: {memory: 1Gi}}
)");
  ASSERT_TRUE(out.errors.empty()) << errors_of(out);
  const auto& pr = out.objects.pipeline_runs.at(0);
  EXPECT_EQ(pr.spec.service_account_name, "builder");
  EXPECT_EQ(pr.spec.pod_template["nodeSelector"]["disk"], "ssd");
  EXPECT_EQ(pr.spec.timeouts.pipeline->count(), 3'600'000);
  EXPECT_EQ(pr.spec.task_run_specs[0].service_account_name, "sa2");
  EXPECT_EQ(pr.spec.task_run_specs[0].pod_template["hostNetwork"], true);
  const auto& ref = *pr.spec.pipeline_spec->tasks[0].task_ref;
  EXPECT_EQ(ref.resolver, "bundles");
  EXPECT_EQ(out.objects.tasks[0].spec.steps[0].compute_resources["requests"]["memory"], "1Gi");
  EXPECT_EQ(out.objects.tasks[0].origin.api_version, "tekton.dev/v1beta1");
}

TEST(Loader, V1RejectsV1beta1StepResources) {
  auto out = load(
      "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n"
      "    - image: a\n      resources: {}\n");
  EXPECT_EQ(errors_of(out),
            "t.yaml:7:7: error: spec.steps[0].resources: \"resources\" is v1beta1; in "
            "tekton.dev/v1 it is \"computeResources\"\n");
}

TEST(Loader, UnknownFieldSuggestsTheClosest) {
  auto out = load(
      "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n"
      "  tasks:\n    - name: a\n      runAftr: [b]\n      taskRef: {name: x}\n");
  EXPECT_EQ(errors_of(out),
            "t.yaml:7:7: error: spec.tasks[0].runAftr: unknown field \"runAftr\" "
            "(did you mean \"runAfter\"?)\n");
}

TEST(Loader, KubernetesObjectsTravelAlong) {
  auto out = load(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\n"
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n");
  ASSERT_TRUE(out.errors.empty()) << errors_of(out);
  ASSERT_EQ(out.objects.externals.size(), 2u);
  const auto* cm = out.objects.find_external("ConfigMap", "cm");
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ(cm->body["data"]["a"], "b");
}

TEST(Loader, ErrorsForMissingKindAndSpec) {
  EXPECT_EQ(errors_of(load("metadata: {name: x}\n")),
            "t.yaml:1:1: error: apiVersion: missing required field: every document needs "
            "apiVersion and kind\n");
  EXPECT_EQ(errors_of(load("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: x}\n")),
            "t.yaml:1:1: error: spec: missing required field\n");
  EXPECT_EQ(
      errors_of(load("- a\n- b\n")),
      "t.yaml:1:1: error: a document must be a mapping with apiVersion and kind, got a list\n");
}

TEST(Loader, DurationsFollowGoSyntax) {
  EXPECT_EQ(parse_go_duration("1h30m")->count(), 5'400'000);
  EXPECT_EQ(parse_go_duration("1.5s")->count(), 1'500);
  EXPECT_EQ(parse_go_duration("0")->count(), 0);
  EXPECT_EQ(parse_go_duration("0s")->count(), 0);
  EXPECT_EQ(parse_go_duration("250ms")->count(), 250);
  EXPECT_FALSE(parse_go_duration("10"));
  EXPECT_FALSE(parse_go_duration("1d"));
  EXPECT_FALSE(parse_go_duration("-1s"));
  EXPECT_FALSE(parse_go_duration(""));
}

TEST(Loader, LocatePathFindsNodesAndFallsBackToAncestors) {
  auto r = parse_yaml(
      "spec:\n  tasks:\n    - name: a\n      params:\n        - name: p\n"
      "          value: v\nmetadata:\n  annotations:\n    baton.dev/x: y\n",
      "t.yaml");
  ASSERT_TRUE(r.ok());
  const Node& root = (*r)[0].root;
  Mark m = locate_path(root, "spec.tasks[0].params[0].value");
  EXPECT_EQ(m.line, 6);
  EXPECT_EQ(m.col, 18);
  m = locate_path(root, "spec.tasks[0].runAfter[3]");  // absent: nearest ancestor is tasks[0]
  EXPECT_EQ(m.line, 3);
  m = locate_path(root, "metadata.annotations.baton.dev/x");  // keys with dots
  EXPECT_EQ(m.line, 9);
  EXPECT_EQ(m.col, 18);
}

TEST(Loader, EmbeddedTaskSpecMetadataAndCustomTasks) {
  auto out = load(R"(apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
    - name: a
      taskSpec:
        metadata: {labels: {x: y}}
        steps: [{image: alpine, script: "echo"}]
    - name: wait
      taskSpec:
        apiVersion: example.dev/v1
        kind: Wait
        spec: {duration: 1s}
)");
  ASSERT_TRUE(out.errors.empty()) << errors_of(out);
  const auto& tasks = out.objects.pipelines[0].spec.tasks;
  EXPECT_EQ(tasks[0].task_spec_metadata.labels.at("x"), "y");
  ASSERT_TRUE(tasks[0].task_spec.has_value());
  EXPECT_FALSE(tasks[1].task_spec.has_value());
  EXPECT_EQ(tasks[1].task_ref->kind, "Wait");
  EXPECT_EQ(tasks[1].custom_spec["duration"], "1s");
}

}  // namespace
}  // namespace baton::spec
