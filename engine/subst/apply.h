#pragma once
// Substitution over a whole TaskSpec, covering the fields Tekton substitutes
// (pkg/reconciler/taskrun/resources/apply.go and pkg/container/*_replacements.go).

#include "engine/common/result.h"
#include "engine/model/types.h"
#include "engine/subst/context.h"

namespace baton::subst {

/// Substitutes, in place, the task spec fields Tekton substitutes: for steps, sidecars and the
/// step template: name, image, imagePullPolicy, command/args (array expansion), workingDir, env
/// values, env valueFrom/envFrom and volumeMounts string leaves; steps also script, onError,
/// stdout/stderr paths, when expressions and StepAction params; sidecars also script;
/// stepTemplate computeResources; string leaves of volumes; workspace mountPaths. Descriptions,
/// param/result declarations and display names are left alone. Errors name the field.
Status apply_to_task_spec(model::TaskSpec& spec, const Context& ctx);

/// Substitutes, in place, what Tekton substitutes in a pipeline task: params (arrays and objects
/// pass whole), matrix and matrix include params, displayName, workspace subPaths, when
/// expressions, taskRef name and params, onError; pipeline params also propagate into an
/// embedded taskSpec, except those the taskSpec declares itself.
Status apply_to_pipeline_task(model::PipelineTask& task, const Context& ctx);

/// Substitutes every string leaf of a JSON value in place (keys are left alone).
Status apply_to_json(model::Json& j, const Context& ctx);

}  // namespace baton::subst
