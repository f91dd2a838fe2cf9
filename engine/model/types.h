#pragma once
// The typed Tekton model (tekton.dev/v1). v1beta1 input is converted to this on load.
// Kubernetes pass-through fields (securityContext, volumes, podTemplate, …) stay as JSON:
// Baton's runners hand them to podman or the Kubernetes API as they are.

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/diagnostic.h"
#include "engine/model/param.h"

namespace baton::model {

using Json = nlohmann::json;
using Duration = std::chrono::milliseconds;
using StringMap = std::map<std::string, std::string>;

/// Where an object was loaded from; turns field paths into file positions for diagnostics.
struct Origin {
  std::string file;
  int document = 0;
  std::string api_version;  // as written (v1beta1 objects are converted on load)
  std::function<SourcePos(const std::string& path)> locate;  // empty for API-created objects

  /// Position of `path` (or its nearest ancestor that exists in the source).
  SourcePos at(const std::string& path) const;
};

/// metadata.
struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  StringMap labels;
  StringMap annotations;
};

/// `when` expression: `input operator values`, or a CEL expression.
struct WhenExpression {
  std::string input;
  std::string op;  // "in" | "notin"
  std::vector<std::string> values;
  std::string cel;
};

/// A reference to a Task/Pipeline/StepAction by name or through a resolver.
struct Ref {
  std::string name;
  std::string kind;         // Task (default), ClusterTask, or a custom task kind
  std::string api_version;  // for custom tasks
  std::string resolver;     // git, hub, bundles, cluster, http
  std::vector<Param> params;
};

struct EnvVar {
  std::string name;
  std::string value;
  Json value_from;  // configMapKeyRef / secretKeyRef / fieldRef, as Kubernetes writes it
};

/// `workspaces[]` used by a step or sidecar (isolated workspaces).
struct WorkspaceUsage {
  std::string name;
  std::string mount_path;
};

/// A step result declaration.
using StepResult = ResultSpec;

/// Kubernetes container fields shared by steps, sidecars and stepTemplate.
struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<EnvVar> env;
  Json env_from;           // list
  Json compute_resources;  // {limits, requests}
  Json volume_mounts;      // list
  Json volume_devices;     // list
  std::string image_pull_policy;
  Json security_context;
  Json ports, readiness_probe, liveness_probe, startup_probe, lifecycle;  // sidecars mostly
};

/// A step of a Task.
struct Step : Container {
  std::string display_name;
  std::string script;
  std::optional<Duration> timeout;
  std::vector<WorkspaceUsage> workspaces;
  std::string on_error;  // "" | continue | stopAndFail (may be a $(params.x) reference)
  std::string stdout_path, stderr_path;
  std::optional<Ref> ref;     // StepAction reference
  std::vector<Param> params;  // values for the referenced StepAction
  std::vector<StepResult> results;
  std::vector<WhenExpression> when;
};

/// A sidecar: runs beside the steps and is stopped after the last step.
struct Sidecar : Container {
  std::string script;
  std::vector<WorkspaceUsage> workspaces;
  std::string restart_policy;
};

/// `spec.workspaces[]` of a Task.
struct WorkspaceDeclaration {
  std::string name;
  std::string description;
  std::string mount_path;
  bool read_only = false;
  bool optional = false;
};

/// The body of a Task (also embedded as `taskSpec`).
struct TaskSpec {
  std::string display_name;
  std::string description;
  std::vector<ParamSpec> params;
  std::vector<Step> steps;
  std::optional<Container> step_template;
  std::vector<Sidecar> sidecars;
  std::vector<WorkspaceDeclaration> workspaces;
  std::vector<ResultSpec> results;
  Json volumes;  // list of Kubernetes volumes
};

struct Task {
  Origin origin;
  ObjectMeta metadata;
  TaskSpec spec;
};

/// The body of a StepAction.
struct StepActionSpec {
  std::string description;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::string script;
  std::string working_dir;
  std::vector<ParamSpec> params;
  std::vector<StepResult> results;
  Json security_context;
  Json volume_mounts;
};

struct StepAction {
  Origin origin;
  ObjectMeta metadata;
  StepActionSpec spec;
};

/// A pipeline task binding a pipeline workspace to a task workspace.
struct WorkspacePipelineTaskBinding {
  std::string name;
  std::string workspace;  // pipeline workspace; defaults to `name`
  std::string sub_path;
};

struct MatrixInclude {
  std::string name;
  std::vector<Param> params;
};

struct Matrix {
  std::vector<Param> params;  // each an array
  std::vector<MatrixInclude> include;
};

/// `spec.tasks[]` / `spec.finally[]` of a Pipeline.
struct PipelineTask {
  std::string name;
  std::string display_name;
  std::string description;
  std::optional<Ref> task_ref;
  std::optional<TaskSpec> task_spec;
  ObjectMeta task_spec_metadata;  // taskSpec.metadata (labels, annotations)
  Json custom_spec;               // taskSpec.spec of a custom task (apiVersion/kind given)
  std::vector<WhenExpression> when;
  std::string on_error;  // "" | continue | stopAndFail
  int retries = 0;
  std::vector<std::string> run_after;
  std::vector<Param> params;
  std::optional<Matrix> matrix;
  std::vector<WorkspacePipelineTaskBinding> workspaces;
  std::optional<Duration> timeout;
};

/// `spec.workspaces[]` of a Pipeline.
struct PipelineWorkspaceDeclaration {
  std::string name;
  std::string description;
  bool optional = false;
};

struct PipelineSpec {
  std::string display_name;
  std::string description;
  std::vector<PipelineTask> tasks;
  std::vector<PipelineTask> finally;
  std::vector<ParamSpec> params;
  std::vector<PipelineWorkspaceDeclaration> workspaces;
  std::vector<PipelineResult> results;
};

struct Pipeline {
  Origin origin;
  ObjectMeta metadata;
  PipelineSpec spec;
};

/// A workspace's backing volume given by a run.
struct WorkspaceBinding {
  std::string name;
  std::string sub_path;
  // Exactly one of these is set; they keep Kubernetes' shape.
  Json empty_dir;
  Json persistent_volume_claim;  // {claimName, readOnly}
  Json volume_claim_template;
  Json config_map;  // {name, items}
  Json secret;      // {secretName, items}
  Json projected;
  Json csi;
};

/// Per-task overrides in a PipelineRun.
struct PipelineTaskRunSpec {
  std::string pipeline_task_name;
  std::string service_account_name;
  Json pod_template;
  Json step_specs;     // [{name, computeResources}]
  Json sidecar_specs;  // [{name, computeResources}]
  ObjectMeta metadata;
  Json compute_resources;
  std::optional<Duration> timeout;
};

struct Timeouts {
  std::optional<Duration> pipeline;
  std::optional<Duration> tasks;
  std::optional<Duration> finally;
};

struct PipelineRunSpec {
  std::optional<Ref> pipeline_ref;
  std::optional<PipelineSpec> pipeline_spec;
  std::vector<Param> params;
  std::string
      status;  // "" | Cancelled | CancelledRunFinally | StoppedRunFinally | PipelineRunPending
  Timeouts timeouts;
  std::string service_account_name;  // taskRunTemplate.serviceAccountName
  Json pod_template;                 // taskRunTemplate.podTemplate
  std::vector<WorkspaceBinding> workspaces;
  std::vector<PipelineTaskRunSpec> task_run_specs;
};

struct PipelineRun {
  Origin origin;
  ObjectMeta metadata;
  PipelineRunSpec spec;
};

struct TaskRunSpec {
  std::optional<Ref> task_ref;
  std::optional<TaskSpec> task_spec;
  std::vector<Param> params;
  std::string service_account_name;
  std::string status;  // "" | TaskRunCancelled
  std::string status_message;
  int retries = 0;
  std::optional<Duration> timeout;
  Json pod_template;
  std::vector<WorkspaceBinding> workspaces;
  Json step_specs;
  Json sidecar_specs;
  Json compute_resources;
  Json debug;
};

struct TaskRun {
  Origin origin;
  ObjectMeta metadata;
  TaskRunSpec spec;
};

/// A Kubernetes object that travels with Tekton YAML (ConfigMap, Secret, PVC, …), kept raw.
struct ExternalObject {
  Origin origin;
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  Json body;  // the whole object as JSON
};

}  // namespace baton::model
