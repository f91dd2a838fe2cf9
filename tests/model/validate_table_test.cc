// The table of invalid documents: each YAML text with the exact diagnostics it must produce
// (line, column, field path, message), loader errors first, then validation errors in file order.
// Every validation rule appears at least once, and so do the loader's own checks.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "engine/model/validate.h"
#include "engine/spec/loader.h"

namespace baton::model {
namespace {

struct Want {
  int line;
  int col;
  std::string path;
  std::string message;
  bool operator==(const Want&) const = default;
};

void PrintTo(const Want& w, std::ostream* os) {
  *os << w.line << ":" << w.col << " " << w.path << ": " << w.message;
}

struct Case {
  const char* name;
  const char* yaml;
  std::vector<Want> want;
  ValidationLimits limits = {};
};

ValidationLimits max_steps(std::size_t n) {
  ValidationLimits l;
  l.max_steps = n;
  return l;
}

ValidationLimits max_tasks(std::size_t n) {
  ValidationLimits l;
  l.max_tasks = n;
  return l;
}

const Case kCases[] = {
    {"loader_unknown_field_did_you_mean",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - name: s
    imag: alpine
    script: echo
)y",
     {{8, 5, "spec.steps[0].imag", "unknown field \"imag\" (did you mean \"image\"?)"},
      {7, 5, "spec.steps[0].image",
       "missing required field: every step needs an image (or set stepTemplate.image)"}}},
    {"loader_wrong_type",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    retries: many
    taskRef: {name: x}
)y",
     {{8, 14, "spec.tasks[0].retries", "expected an integer, got \"many\""}}},
    {"loader_missing_required_field",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    taskRef: {name: x}
    params:
    - value: v
)y",
     {{10, 7, "spec.tasks[0].params[0].name", "missing required field"}}},
    {"loader_bad_duration",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    taskRef: {name: x}
    timeout: 5 minutes
)y",
     {{9, 14, "spec.tasks[0].timeout",
       "invalid duration \"5 minutes\" (use Go syntax such as \"1h30m\", \"90s\" or \"0\")"}}},
    {"loader_duplicate_key",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
  name: u
spec:
  steps:
  - image: alpine
)y",
     {{5, 3, "", "duplicate key \"name\" (first at line 4:3)"}}},
    {"loader_merge_key_misuse",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - <<: not-a-map
    image: alpine
)y",
     {{7, 9, "", "merge key \"<<\" needs a mapping or a list of mappings"}}},
    {"task_missing_name",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  labels: {a: b}
spec:
  steps:
  - image: alpine
)y",
     {{4, 3, "metadata.name", "missing required field: set metadata.name"}}},
    {"task_invalid_name",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: My_Task
spec:
  steps:
  - image: alpine
)y",
     {{4, 9, "metadata.name",
       "invalid name \"My_Task\": must be a DNS-1123 subdomain (lowercase letters, digits, '-' and "
       "'.', starting and ending with a letter or digit, at most 253 characters)"}}},
    {"run_missing_name_and_generate_name",
     R"y(apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  labels: {a: b}
spec:
  taskRef: {name: elsewhere}
)y",
     {{4, 3, "metadata.name",
       "missing required field: set metadata.name or metadata.generateName"}}},
    {"pipeline_task_invalid_name",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: Build_Image
    taskRef: {name: x}
)y",
     {{7, 11, "spec.tasks[0].name",
       "invalid pipeline task name \"Build_Image\": must be a DNS-1123 label (lowercase letters, "
       "digits and '-', starting and ending with a letter or digit, at most 63 characters)"}}},
    {"step_invalid_name",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - name: Step One
    image: alpine
)y",
     {{7, 11, "spec.steps[0].name",
       "invalid step name \"Step One\": must be a DNS-1123 label (lowercase letters, digits and "
       "'-', starting and ending with a letter or digit, at most 63 characters)"}}},
    {"sidecar_invalid_name_and_no_image",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - image: alpine
  sidecars:
  - name: db_1
)y",
     {{9, 5, "spec.sidecars[0].image", "missing required field: a sidecar needs an image"},
      {9, 11, "spec.sidecars[0].name",
       "invalid sidecar name \"db_1\": must be a DNS-1123 label (lowercase letters, digits and "
       "'-', starting and ending with a letter or digit, at most 63 characters)"}}},
    {"param_invalid_name",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: 1st
  steps:
  - image: alpine
)y",
     {{7, 11, "spec.params[0].name",
       "invalid param name \"1st\": use letters, digits, '_', '-' and '.', starting with a letter "
       "or '_'"}}},
    {"result_invalid_name",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  results:
  - name: -bad
  steps:
  - image: alpine
)y",
     {{7, 11, "spec.results[0].name",
       "invalid result name \"-bad\": use letters, digits, '-', '_' and '.', starting and ending "
       "with a letter or digit"}}},
    {"duplicate_params",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: rev
  - name: url
  - name: rev
  steps:
  - image: alpine
)y",
     {{9, 11, "spec.params[2].name",
       "duplicate param name \"rev\": already used by spec.params[0]; names must be unique"}}},
    {"duplicate_results",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  results:
  - name: digest
  - name: digest
  steps:
  - image: alpine
)y",
     {{8, 11, "spec.results[1].name",
       "duplicate result name \"digest\": already used by spec.results[0]; names must be unique"}}},
    {"duplicate_workspaces",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  workspaces:
  - name: src
  - name: src
  steps:
  - image: alpine
)y",
     {{8, 11, "spec.workspaces[1].name",
       "duplicate workspace name \"src\": already used by spec.workspaces[0]; names must be "
       "unique"}}},
    {"duplicate_steps",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - name: s
    image: alpine
  - name: s
    image: alpine
)y",
     {{9, 11, "spec.steps[1].name",
       "duplicate step name \"s\": already used by spec.steps[0]; names must be unique"}}},
    {"duplicate_sidecars",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - image: alpine
  sidecars:
  - name: db
    image: postgres
  - name: db
    image: redis
)y",
     {{11, 11, "spec.sidecars[1].name",
       "duplicate sidecar name \"db\": already used by spec.sidecars[0]; names must be unique"}}},
    {"duplicate_task_in_finally",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: build
    taskRef: {name: x}
  finally:
  - name: build
    taskRef: {name: y}
)y",
     {{10, 11, "spec.finally[0].name",
       "duplicate pipeline task name \"build\": already used by spec.tasks[0]; names must be "
       "unique"}}},
    {"task_without_steps",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  description: nothing to do
)y",
     {{6, 3, "spec.steps", "a Task needs at least one step"}}},
    {"step_without_image",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - name: s
    script: echo hi
)y",
     {{7, 5, "spec.steps[0].image",
       "missing required field: every step needs an image (or set stepTemplate.image)"}}},
    {"step_template_image_counts",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  stepTemplate:
    image: alpine
  steps:
  - name: s
    script: echo hi
  - name: u
    command: [ls]
    script: echo
)y",
     {{13, 13, "spec.steps[1].script",
       "script cannot be used together with command; move the command into the script"}}},
    {"step_ref_with_image",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - name: s
    ref: {name: git-clone}
    image: alpine
    env:
    - {name: A, value: b}
)y",
     {{9, 12, "spec.steps[0].image",
       "a step with ref cannot set image: the StepAction provides it; remove image or the ref"},
      {11, 5, "spec.steps[0].env",
       "a step with ref cannot set env: the StepAction provides it; remove env or the ref"}}},
    {"step_on_error_invalid",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - image: alpine
    onError: continu
)y",
     {{8, 14, "spec.steps[0].onError",
       "invalid onError \"continu\": must be \"continue\" or \"stopAndFail\" (did you mean "
       "\"continue\"?)"}}},
    {"object_result_without_properties",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  results:
  - name: info
    type: object
  steps:
  - image: alpine
)y",
     {{8, 11, "spec.results[0].type",
       "object result \"info\" must declare its keys in properties"}}},
    {"param_default_type_mismatch",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: flags
    type: array
    default: "-v"
  steps:
  - image: alpine
)y",
     {{9, 14, "spec.params[0].default",
       "default is of type string but the param type is array; make them agree"}}},
    {"param_default_not_in_enum",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: mode
    enum: [fast, safe]
    default: fsat
  steps:
  - image: alpine
)y",
     {{9, 14, "spec.params[0].default",
       "default \"fsat\" is not one of the enum values (did you mean \"fast\"?)"}}},
    {"object_param_without_properties",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: repo
    type: object
  steps:
  - image: alpine
)y",
     {{8, 11, "spec.params[0].type", "object param \"repo\" must declare its keys in properties"}}},
    {"undeclared_param_reference",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: revision
  steps:
  - image: alpine
    args: ["--rev", "$(params.revison)"]
)y",
     {{10, 21, "spec.steps[0].args[1]",
       "unknown param \"revison\" in $(params.revison) (did you mean \"revision\"?); declare it in "
       "params"}}},
    {"undeclared_object_key",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  params:
  - name: repo
    type: object
    properties:
      url: {}
  steps:
  - image: alpine
    script: echo $(params.repo.ulr)
)y",
     {{13, 13, "spec.steps[0].script",
       "object param \"repo\" has no key \"ulr\" in $(params.repo.ulr) (did you mean \"url\"?); "
       "declare it in the param's properties"}}},
    {"undeclared_result_path",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  results:
  - name: digest
  steps:
  - image: alpine
    script: echo x > $(results.digets.path)
)y",
     {{10, 13, "spec.steps[0].script",
       "unknown result \"digets\" in $(results.digets.path) (did you mean \"digest\"?); declare it "
       "in results"}}},
    {"step_params_without_ref_and_unknown_workspace",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  workspaces:
  - name: source
  steps:
  - image: alpine
    params:
    - {name: a, value: b}
    workspaces:
    - name: sorce
)y",
     {{11, 5, "spec.steps[0].params",
       "params can only be given to a step with ref (a StepAction); use $(params.…) of the Task "
       "instead"},
      {13, 13, "spec.steps[0].workspaces[0].name",
       "unknown workspace \"sorce\" (did you mean \"source\"?); declare it in the Task's "
       "workspaces"}}},
    {"too_many_steps",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - image: a
  - image: b
  - image: c
)y",
     {{7, 3, "spec.steps", "too many steps: 3 (the limit is 2)"}},
     max_steps(2)},
    {"pipeline_without_tasks",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  params:
  - name: x
)y",
     {{6, 3, "spec.tasks", "a Pipeline needs at least one task in spec.tasks"}}},
    {"pipeline_task_ref_and_spec",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    taskRef: {name: x}
    taskSpec:
      steps:
      - image: alpine
  - name: b
    params:
    - {name: x, value: y}
)y",
     {{10, 7, "spec.tasks[0].taskSpec", "set exactly one of taskRef and taskSpec, not both"},
      {12, 5, "spec.tasks[1]",
       "missing taskRef or taskSpec: a pipeline task needs exactly one of them"}}},
    {"run_after_unknown_task",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: build
    taskRef: {name: x}
  - name: test
    runAfter: [build, biuld]
    taskRef: {name: x}
)y",
     {{10, 23, "spec.tasks[1].runAfter[1]", "unknown task \"biuld\" (did you mean \"build\"?)"}}},
    {"run_after_itself_and_finally",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    runAfter: [a]
    taskRef: {name: x}
  - name: b
    runAfter: [cleanup]
    taskRef: {name: x}
  finally:
  - name: cleanup
    runAfter: [a]
    taskRef: {name: x}
)y",
     {{8, 16, "spec.tasks[0].runAfter[0]", "task \"a\" cannot run after itself"},
      {11, 16, "spec.tasks[1].runAfter[0]",
       "cannot run after finally task \"cleanup\": finally tasks run after all tasks"},
      {15, 15, "spec.finally[0].runAfter",
       "finally tasks cannot use runAfter: they run after all tasks of spec.tasks"}}},
    {"dependency_cycle",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    runAfter: [c]
    taskRef: {name: x}
  - name: b
    runAfter: [a]
    taskRef: {name: x}
  - name: c
    params:
    - name: in
      value: $(tasks.b.results.out)
    taskRef: {name: x}
)y",
     {{7, 11, "spec.tasks[0].name",
       "dependency cycle: a -> b -> c -> a (each task waits for the one before it, through "
       "runAfter or result references)"}}},
    {"result_ref_unknown_task",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: build
    taskRef: {name: x}
  - name: push
    params:
    - name: digest
      value: $(tasks.biuld.results.digest)
    taskRef: {name: x}
)y",
     {{12, 14, "spec.tasks[1].params[0].value",
       "unknown task \"biuld\" in $(tasks.biuld.results.digest) (did you mean \"build\"?)"}}},
    {"result_refs_to_finally_tasks",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    params:
    - {name: x, value: $(tasks.report.results.r)}
    taskRef: {name: x}
  finally:
  - name: report
    taskRef: {name: x}
  - name: notify
    params:
    - {name: x, value: $(tasks.report.results.r)}
    taskRef: {name: x}
)y",
     {{9, 24, "spec.tasks[0].params[0].value",
       "tasks cannot use results of finally task \"report\" ($(tasks.report.results.r)): finally "
       "tasks run after all tasks"},
      {16, 24, "spec.finally[1].params[0].value",
       "finally tasks can only use results of tasks in spec.tasks, and \"report\" is a finally "
       "task ($(tasks.report.results.r))"}}},
    {"status_refs_outside_finally",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    taskRef: {name: x}
  - name: b
    when:
    - input: $(tasks.a.status)
      operator: in
      values: [Succeeded]
    - input: $(tasks.status)
      operator: in
      values: [Failed]
    taskRef: {name: x}
)y",
     {{11, 14, "spec.tasks[1].when[0].input",
       "$(tasks.a.status) can only be used in finally tasks"},
      {14, 14, "spec.tasks[1].when[1].input",
       "$(tasks.status) can only be used in finally tasks"}}},
    {"known_task_result_and_required_param",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  params:
  - name: url
  - name: rev
    default: main
  results:
  - name: digest
  steps:
  - image: alpine
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: build
    taskRef: {name: build}
  - name: push
    params:
    - name: url
      value: $(tasks.build.results.digset)
    taskRef: {name: build}
)y",
     {{21, 5, "spec.tasks[0].params",
       "missing param \"url\" required by task \"build\" (it has no default); add {name: url, "
       "value: ...} to params"},
      {26, 14, "spec.tasks[1].params[0].value",
       "task \"build\" has no result \"digset\" in $(tasks.build.results.digset) (did you mean "
       "\"digest\"?)"}}},
    {"undeclared_pipeline_param_and_workspace",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  params:
  - name: revision
  workspaces:
  - name: source
  tasks:
  - name: a
    params:
    - {name: rev, value: "$(params.revison)"}
    workspaces:
    - name: src
      workspace: sources
    taskRef: {name: x}
)y",
     {{13, 26, "spec.tasks[0].params[0].value",
       "unknown param \"revison\" in $(params.revison) (did you mean \"revision\"?); declare it in "
       "params"},
      {16, 18, "spec.tasks[0].workspaces[0].workspace",
       "unknown pipeline workspace \"sources\" (did you mean \"source\"?); declare it in the "
       "Pipeline's spec.workspaces"}}},
    {"when_bad_operator_and_values",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    when:
    - input: foo
      operator: inn
      values: []
    taskRef: {name: x}
)y",
     {{10, 17, "spec.tasks[0].when[0].operator",
       "invalid operator \"inn\": must be \"in\" or \"notin\" (did you mean \"in\"?)"},
      {11, 15, "spec.tasks[0].when[0].values",
       "missing required field: values must list at least one value"}}},
    {"when_cel_with_input",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    when:
    - cel: "'a' == 'a'"
      input: foo
    taskRef: {name: x}
)y",
     {{9, 12, "spec.tasks[0].when[0].cel",
       "cel cannot be combined with input, operator or values; use one form"}}},
    {"matrix_param_not_array_and_in_params",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    params:
    - {name: os, value: linux}
    matrix:
      params:
      - name: os
        value: [linux, mac]
      - name: arch
        value: amd64
    taskRef: {name: x}
)y",
     {{12, 15, "spec.tasks[0].matrix.params[0].name",
       "param \"os\" is given both in params and matrix.params; keep one"},
      {15, 16, "spec.tasks[0].matrix.params[1].value",
       "matrix params must be arrays (or a reference to an array), got string"}}},
    {"matrix_too_many_combinations",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: a
    matrix:
      params:
      - {name: x, value: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}
      - {name: y, value: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}
      - {name: z, value: [0, 1, 2]}
    taskRef: {name: x}
)y",
     {{9, 7, "spec.tasks[0].matrix",
       "matrix of task \"a\" fans out to 300 combinations; the limit is 256"}}},
    {"pipeline_results_bad_refs",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - name: build
    taskRef: {name: x}
  results:
  - name: digest
    value: $(tasks.biuld.results.digest)
  - name: fixed
    value: constant
)y",
     {{11, 12, "spec.results[0].value",
       "unknown task \"biuld\" in $(tasks.biuld.results.digest) (did you mean \"build\"?)"},
      {13, 12, "spec.results[1].value",
       "a pipeline result must reference a task result, like $(tasks.<task>.results.<result>)"}}},
    {"too_many_tasks",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  tasks:
  - {name: a, taskRef: {name: x}}
  - {name: b, taskRef: {name: x}}
  finally:
  - {name: c, taskRef: {name: x}}
)y",
     {{7, 3, "spec.tasks", "too many tasks: 3 (the limit is 2, tasks and finally together)"}},
     max_tasks(2)},
    {"timeouts_exceed_pipeline",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  pipelineRef: {name: elsewhere}
  timeouts:
    pipeline: 1h
    tasks: 2h
    finally: 30m
)y",
     {{8, 5, "spec.timeouts",
       "timeouts.tasks + timeouts.finally (2h30m) exceed timeouts.pipeline (1h)"},
      {9, 12, "spec.timeouts.tasks", "timeouts.tasks (2h) exceeds timeouts.pipeline (1h)"}}},
    {"timeouts_sum_exceeds_pipeline",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  pipelineRef: {name: elsewhere}
  timeouts:
    pipeline: 1h
    tasks: 45m
    finally: 30m
)y",
     {{8, 5, "spec.timeouts",
       "timeouts.tasks + timeouts.finally (1h15m) exceed timeouts.pipeline (1h)"}}},
    {"pipeline_task_timeout_exceeds_run",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  timeouts:
    pipeline: 10m
  pipelineSpec:
    tasks:
    - name: slow
      timeout: 1h
      taskSpec:
        steps:
        - image: alpine
)y",
     {{11, 16, "spec.pipelineSpec.tasks[0].timeout",
       "timeout of task \"slow\" (1h) exceeds the pipeline timeout of the run (10m)"}}},
    {"pipeline_run_ref_and_spec_bad_status",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  status: Canceled
  pipelineRef: {name: p}
  pipelineSpec:
    tasks:
    - name: a
      taskRef: {name: x}
)y",
     {{6, 11, "spec.status",
       "invalid status \"Canceled\": must be one of Cancelled, CancelledRunFinally, "
       "StoppedRunFinally, PipelineRunPending (did you mean \"Cancelled\"?)"},
      {9, 5, "spec.pipelineSpec", "set exactly one of pipelineRef and pipelineSpec, not both"}}},
    {"pipeline_run_without_pipeline",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  params:
  - {name: a, value: b}
)y",
     {{6, 3, "spec",
       "missing pipelineRef or pipelineSpec: a PipelineRun needs exactly one of them"}}},
    {"pipeline_run_missing_params_and_workspaces",
     R"y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  params:
  - name: url
  - name: rev
    default: main
  workspaces:
  - name: source
  - name: cache
    optional: true
  tasks:
  - name: build
    taskRef: {name: x}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  pipelineRef: {name: p}
  params:
  - {name: rev, value: v1}
  taskRunSpecs:
  - pipelineTaskName: biuld
    serviceAccountName: sa
)y",
     {{23, 3, "spec.workspaces",
       "missing workspace binding \"source\" required by the pipeline; bind it, e.g. {name: "
       "source, emptyDir: {}}"},
      {25, 3, "spec.params",
       "missing param \"url\" required by the pipeline (it has no default); add {name: url, value: "
       "...} to params"},
      {27, 23, "spec.taskRunSpecs[0].pipelineTaskName",
       "unknown pipeline task \"biuld\" (did you mean \"build\"?)"}}},
    {"workspace_binding_sources",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  pipelineRef: {name: elsewhere}
  workspaces:
  - name: a
    emptyDir: {}
    persistentVolumeClaim: {claimName: c}
  - name: b
    subPath: x
)y",
     {{8, 5, "spec.workspaces[0]",
       "workspace binding \"a\" sets 2 volume sources (emptyDir, persistentVolumeClaim); set "
       "exactly one"},
      {11, 5, "spec.workspaces[1]",
       "workspace binding \"b\" needs a volume source: one of emptyDir, persistentVolumeClaim, "
       "volumeClaimTemplate, configMap, secret, projected, csi"}}},
    {"nested_inline_spec_paths",
     R"y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pr
spec:
  pipelineSpec:
    tasks:
    - name: a
      taskSpec:
        steps:
        - image: alpine
          script: echo ok
        - image: alpine
          script: echo $(params.missing)
)y",
     {{14, 19, "spec.pipelineSpec.tasks[0].taskSpec.steps[1].script",
       "unknown param \"missing\" in $(params.missing); declare it in params"}}},
    {"task_run_ref_and_spec",
     R"y(apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: tr
spec:
  taskRef: {name: x}
  taskSpec:
    steps:
    - image: alpine
)y",
     {{8, 5, "spec.taskSpec", "set exactly one of taskRef and taskSpec, not both"}}},
    {"task_run_missing_param_and_inline_no_image",
     R"y(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  params:
  - name: url
  steps:
  - image: alpine
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: tr
spec:
  taskRef: {name: build}
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: tr2
spec:
  taskSpec:
    steps:
    - name: s
)y",
     {{16, 3, "spec.params",
       "missing param \"url\" required by the task (it has no default); add {name: url, value: "
       "...} to params"},
      {25, 7, "spec.taskSpec.steps[0].image",
       "missing required field: every step needs an image (or set stepTemplate.image)"}}},
};

class TableTest : public testing::TestWithParam<Case> {};

TEST_P(TableTest, ReportsExactlyTheExpectedDiagnostics) {
  const Case& c = GetParam();
  spec::LoadOutput out = spec::load_text(c.yaml, "t.yaml");
  Diagnostics all = out.errors;
  Diagnostics v = validate(out.objects, c.limits);
  all.insert(all.end(), v.begin(), v.end());
  std::vector<Want> got;
  for (const auto& d : all) {
    EXPECT_EQ(d.pos.file, "t.yaml");
    got.push_back(Want{d.pos.line, d.pos.col, d.path, d.message});
  }
  EXPECT_EQ(got, c.want);
}

INSTANTIATE_TEST_SUITE_P(Invalid, TableTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.name);
                         });

TEST(TableSize, CoversAtLeast45InvalidDocuments) { EXPECT_GE(std::size(kCases), 45u); }

}  // namespace
}  // namespace baton::model
