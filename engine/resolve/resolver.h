#pragma once
// Resolves references: taskRef/pipelineRef to specs (from the loaded files, then from catalog
// directories), and step `ref` to StepActions, which are inlined into the step. Remote
// resolvers (git, hub, bundles, cluster, http) are reported as unsupported with a clear error.

#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/object_set.h"

namespace baton::resolve {

/// Where named Tasks, Pipelines and StepActions are looked up, in order.
class Catalog {
 public:
  /// Objects from the files the user named: they win over catalog directories.
  explicit Catalog(const model::ObjectSet* local) : local_(local) {}
  /// Adds a directory of YAML files (searched recursively, loaded on first lookup).
  void add_directory(std::string dir) { dirs_.push_back(std::move(dir)); }

  Result<model::TaskSpec> task(const model::Ref& ref) const;
  Result<model::PipelineSpec> pipeline(const model::Ref& ref) const;
  Result<model::StepActionSpec> step_action(const model::Ref& ref) const;

 private:
  const model::ObjectSet& loaded_dirs() const;
  const model::ObjectSet* local_;
  std::vector<std::string> dirs_;
  mutable bool dirs_loaded_ = false;
  mutable model::ObjectSet dir_objects_;
};

/// StepActions referenced by steps, by step index.
using StepActions = std::map<std::size_t, model::StepActionSpec>;

/// A TaskSpec ready for substitution: stepTemplate merged into every step (step fields win,
/// env merged by name) and the StepActions its steps reference looked up into *actions.
/// Inlining waits until the step's params are substituted (see inline_step_actions).
Result<model::TaskSpec> prepare_task_spec(const model::TaskSpec& spec, const Catalog& catalog,
                                          StepActions* actions);

/// Replaces each referencing step's body by its StepAction's, the action's params bound from
/// the (already substituted) step params. The step keeps name, timeout, onError, workspaces.
Status inline_step_actions(model::TaskSpec& spec, const StepActions& actions);

}  // namespace baton::resolve
