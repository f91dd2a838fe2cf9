#pragma once
// Resolves references: taskRef/pipelineRef to specs (from the loaded files, then from catalog
// directories), and step `ref` to StepActions, which are inlined into the step. Remote
// resolvers (git, hub, bundles, cluster, http) are reported as unsupported with a clear error.

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

/// A TaskSpec ready to run: StepActions inlined (their params bound and substituted),
/// stepTemplate merged into every step (step fields win, env merged by name).
Result<model::TaskSpec> prepare_task_spec(const model::TaskSpec& spec, const Catalog& catalog);

}  // namespace baton::resolve
