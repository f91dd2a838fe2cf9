#pragma once
// Validation of loaded objects: returns every problem at once, each with a field path and the
// position it resolves to. Mirrors Tekton's webhook validation (pkg/apis/pipeline/v1).

#include "engine/common/diagnostic.h"
#include "engine/model/object_set.h"

namespace baton::model {

/// Documented limits on the size of what Baton accepts (see README "Limits").
struct ValidationLimits {
  std::size_t max_tasks = 5000;         // tasks + finally in one pipeline
  std::size_t max_steps = 1000;         // steps in one task
  std::size_t max_matrix_combinations = 256;  // Tekton's default-maximum-matrix-fan-out
};

/// Validates every object of `set`; references between objects are resolved within the set.
Diagnostics validate(const ObjectSet& set, const ValidationLimits& limits = {});

Diagnostics validate_task(const Task& task, const ValidationLimits& limits = {});
Diagnostics validate_pipeline(const Pipeline& pipeline, const ObjectSet* context,
                              const ValidationLimits& limits = {});

}  // namespace baton::model
