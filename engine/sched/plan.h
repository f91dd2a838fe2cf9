#pragma once
// A run plan: everything about a PipelineRun (or TaskRun, as a one-task pipeline) that does not
// change while it runs: resolved task specs, the DAG, bound params, workspaces, timeouts.

#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/dag/graph.h"
#include "engine/model/object_set.h"
#include "engine/resolve/resolver.h"

namespace baton::sched {

/// One pipeline task (DAG or finally) with its task spec resolved.
struct PlannedTask {
  model::PipelineTask task;             // as written (substitution happens at start time)
  std::optional<model::TaskSpec> spec;  // resolved spec; empty for custom tasks
  resolve::StepActions step_actions;    // inlined at invocation time, after substitution
  std::string resolve_error;            // why `spec` could not be resolved (fails the task)
  bool is_finally = false;
  std::vector<std::size_t> parents;         // DAG tasks this one waits for (indices)
  std::vector<std::size_t> result_parents;  // parents whose results it consumes
  std::vector<std::size_t> children;
  /// Every `$(tasks.X.results.R…)` this task reads (params, matrix, when): producer and result.
  std::vector<std::pair<std::size_t, std::string>> result_refs;
};

/// The immutable part of a run.
struct RunPlan {
  std::string kind = "PipelineRun";  // or TaskRun
  std::string name;                  // metadata.name (generated from generateName if needed)
  std::string namespace_ = "default";
  std::string uid;
  std::string pipeline_name;         // pipelineRef name, or "" for inline specs
  model::PipelineSpec pipeline;      // tasks/finally/params/results as written
  std::vector<model::Param> params;  // the run's params (pipeline defaults applied at bind time)
  std::vector<model::WorkspaceBinding> workspaces;
  std::vector<model::PipelineTaskRunSpec> task_run_specs;
  model::Timeouts timeouts;        // pipeline default 1h unless given (Tekton's default)
  std::vector<PlannedTask> tasks;  // DAG tasks first (in spec order), then finally tasks
  std::size_t dag_count = 0;
  std::string service_account_name;
  model::Json pod_template;  // taskRunTemplate.podTemplate / TaskRun podTemplate (volumes used)
  model::StringMap labels, annotations;
};

/// Builds the plan of a PipelineRun: resolves the pipeline and every task, builds the DAG.
/// A task whose spec cannot be resolved is kept with `resolve_error` set, so it fails when it
/// would start (as in Tekton), while an unresolvable pipeline or a cycle fails the whole plan.
Result<RunPlan> plan_pipeline_run(const model::PipelineRun& run, const resolve::Catalog& catalog);

/// Builds the plan of a TaskRun as a one-task pipeline named after the task.
Result<RunPlan> plan_task_run(const model::TaskRun& run, const resolve::Catalog& catalog);

/// A name for a run from generateName (Kubernetes appends 5 random lowercase alphanumerics).
std::string generate_name(const std::string& prefix);

}  // namespace baton::sched
