#pragma once
// Validation of loaded objects: returns every problem at once, each with a field path and the
// position it resolves to. Mirrors Tekton's webhook validation (pkg/apis/pipeline/v1), plus
// checks that need the other objects of the set (required params, known results) when the
// referenced Task/Pipeline is in it. References Baton cannot resolve here (a taskRef to a name
// not in the set, or through a resolver) are not errors: such tasks come from a catalog.

#include "engine/common/diagnostic.h"
#include "engine/model/object_set.h"

namespace baton::model {

/// Documented limits on the size of what Baton accepts (see README "Limits").
struct ValidationLimits {
  std::size_t max_tasks = 5000;               // tasks + finally in one pipeline
  std::size_t max_steps = 1000;               // steps in one task
  std::size_t max_matrix_combinations = 256;  // Tekton's default-maximum-matrix-fan-out
};

/// Validates every object of `set`; references between objects are resolved within the set.
Diagnostics validate(const ObjectSet& set, const ValidationLimits& limits = {});

/// A Task on its own (it references nothing outside itself).
Diagnostics validate_task(const Task& task, const ValidationLimits& limits = {});
/// A StepAction on its own.
Diagnostics validate_step_action(const StepAction& action);
/// A Pipeline; `context` (may be null) supplies Tasks its taskRefs name.
Diagnostics validate_pipeline(const Pipeline& pipeline, const ObjectSet* context,
                              const ValidationLimits& limits = {});
/// A PipelineRun; `context` (may be null) supplies the Pipeline and Tasks it names.
Diagnostics validate_pipeline_run(const PipelineRun& run, const ObjectSet* context,
                                  const ValidationLimits& limits = {});
/// A TaskRun; `context` (may be null) supplies the Task it names.
Diagnostics validate_task_run(const TaskRun& run, const ObjectSet* context,
                              const ValidationLimits& limits = {});

}  // namespace baton::model
