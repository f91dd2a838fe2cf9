#pragma once
// A set of loaded objects: everything the documents of one or more files defined.

#include <string>
#include <vector>

#include "engine/model/types.h"

namespace baton::model {

/// All objects loaded from some files, in load order.
struct ObjectSet {
  std::vector<Task> tasks;
  std::vector<Pipeline> pipelines;
  std::vector<PipelineRun> pipeline_runs;
  std::vector<TaskRun> task_runs;
  std::vector<StepAction> step_actions;
  std::vector<ExternalObject> externals;  // ConfigMap, Secret, PVC, trigger kinds, …

  std::size_t size() const {
    return tasks.size() + pipelines.size() + pipeline_runs.size() + task_runs.size() +
           step_actions.size() + externals.size();
  }
  void append(ObjectSet&& other);

  const Task* find_task(const std::string& name) const;
  const Pipeline* find_pipeline(const std::string& name) const;
  const StepAction* find_step_action(const std::string& name) const;
  const ExternalObject* find_external(const std::string& kind, const std::string& name) const;
};

}  // namespace baton::model
