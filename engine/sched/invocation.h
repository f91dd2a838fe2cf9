#pragma once
// Turns a planned pipeline task into a runnable exec::TaskInvocation: pipeline-level
// substitution, param binding (defaults, matrix combination), task-level substitution with
// Tekton's variables (context.*, workspaces.*, results.*.path, steps.*.exitCode.path), and
// workspace mounts resolved to host directories.

#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "engine/sched/plan.h"
#include "engine/sched/workspaces.h"
#include "engine/subst/context.h"

namespace baton::sched {

/// Run-wide inputs of invocation building.
struct InvocationEnv {
  const RunPlan* plan = nullptr;
  std::string run_uid;
  const std::map<std::string, WorkspaceVolume>* volumes = nullptr;
  std::string run_dir;  // attempts live in <run_dir>/<taskrun-name>/attempt-<n>
  const model::ObjectSet* objects = nullptr;    // ConfigMaps/Secrets for volumes and env
  std::vector<std::string>* secrets = nullptr;  // secret values seen (for log masking)
};

/// What the scheduler needs besides the invocation itself.
struct BuiltInvocation {
  exec::TaskInvocation inv;
  std::map<std::string, model::ValueType> result_types;  // declared task results
  std::vector<std::string> images;  // every step/sidecar image, for the "image ignored" notice
};

/// The TaskRun name Tekton gives a pipeline task's run (matrix instance >= 0 adds "-<i>").
std::string task_run_name(const RunPlan& plan, std::size_t task, int instance);

/// Builds the invocation of `task` (instance `instance`, or -1 without matrix) for `attempt`.
/// `values` holds pipeline-level values: params, `tasks.X.results.*`, `tasks.X.status`,
/// `context.pipelineRun.*`. `matrix_params` are this instance's combination.
Result<BuiltInvocation> build_invocation(const InvocationEnv& env, std::size_t task, int instance,
                                         const std::vector<model::Param>& matrix_params,
                                         int attempt, const subst::Context& values);

/// The combinations of a matrix after substitution: one param list per TaskRun, in Tekton's
/// order (the cartesian product with the last param varying fastest, then `include` entries
/// that add to matching combinations or stand alone).
Result<std::vector<std::vector<model::Param>>> matrix_combinations(const model::Matrix& matrix,
                                                                   const subst::Context& values);

}  // namespace baton::sched
