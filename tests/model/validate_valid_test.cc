// Documents that must validate without a single diagnostic: v1beta1 conversions, `[*]` array
// references, object params, propagated params, result references across tasks.

#include <gtest/gtest.h>

#include "engine/model/validate.h"
#include "engine/spec/loader.h"

namespace baton::model {
namespace {

struct ValidCase {
  const char* name;
  const char* yaml;
};

const ValidCase kValid[] = {
    {"v1beta1_pipeline_run_timeout", R"y(apiVersion: tekton.dev/v1beta1
kind: PipelineRun
metadata:
  name: pr
spec:
  timeout: 1h
  serviceAccountName: sa
  pipelineSpec:
    tasks:
    - name: a
      taskSpec:
        steps:
        - image: alpine
          resources: {}
          script: echo hi
)y"},
    {"array_star_and_object_params", R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: flags
    type: array
    default: ["-v"]
  - name: repo
    type: object
    properties:
      url: {type: string}
      rev: {type: string}
    default: {url: "https://x", rev: main}
  - name: dotted.name
    default: x
  results:
  - name: out
  steps:
  - name: s
    image: alpine
    command: [echo]
    args: ["$(params.flags[*])", "$(params.repo.url)", "$(params['dotted.name'])", "$(params.dotted.name)"]
  - name: w
    image: alpine
    script: echo $(params.repo.rev) > $(results.out.path)
)y"},
    {"pipeline_with_results_when_finally", R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  params:
  - name: rev
  results:
  - name: digest
  steps:
  - image: alpine
    script: echo $(params.rev)
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  params:
  - name: rev
    default: main
  workspaces:
  - name: src
  tasks:
  - name: build
    taskRef: {name: build}
    params:
    - {name: rev, value: $(params.rev)}
  - name: scan
    runAfter: [build]
    when:
    - input: $(tasks.build.results.digest)
      operator: notin
      values: [""]
    matrix:
      params:
      - name: os
        value: [linux, mac]
    taskSpec:
      steps:
      - image: alpine
        script: echo $(params.os) $(params.rev)
  finally:
  - name: notify
    params:
    - {name: status, value: $(tasks.build.status)}
    - {name: all, value: $(tasks.status)}
    taskRef: {name: notifier, resolver: hub}
  results:
  - name: digest
    value: $(tasks.build.results.digest)
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: p-
spec:
  pipelineRef: {name: p}
  workspaces:
  - name: src
    emptyDir: {}
  timeouts:
    pipeline: 1h
    tasks: 40m
    finally: 20m
)y"},
    {"pipeline_timeout_zero_allows_any", R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  timeouts:
    pipeline: "0"
    tasks: 5h
  pipelineRef:
    resolver: git
    params:
    - {name: url, value: https://example.com/repo}
)y"},
    {"unresolvable_refs_are_not_errors", R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: clone
    taskRef: {name: git-clone}
  - name: build
    taskRef: {name: kaniko, kind: Task}
    params:
    - {name: src, value: $(tasks.clone.results.commit)}
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: tr
spec:
  taskRef:
    resolver: bundles
    params:
    - {name: bundle, value: registry/x:1}
)y"},
};

class ValidTest : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidTest, NoDiagnostics) {
  spec::LoadOutput out = spec::load_text(GetParam().yaml, "valid.yaml");
  ASSERT_GT(out.objects.size(), 0u);
  Diagnostics all = out.errors;
  Diagnostics v = validate(out.objects);
  all.insert(all.end(), v.begin(), v.end());
  std::string text;
  for (const auto& d : all) text += d.to_string() + "\n";
  EXPECT_TRUE(all.empty()) << text;
}

INSTANTIATE_TEST_SUITE_P(Valid, ValidTest, testing::ValuesIn(kValid),
                         [](const testing::TestParamInfo<ValidCase>& i) {
                           return std::string(i.param.name);
                         });

}  // namespace
}  // namespace baton::model
