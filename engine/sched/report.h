#pragma once
// What a run did, gathered by the scheduler as it happens: the input to `--output yaml|json`
// (Tekton status), the terminal summary and the tests. The store holds the same facts durably.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "engine/exec/runner.h"
#include "engine/sched/facts.h"

namespace baton::sched {

using TimePoint = std::chrono::system_clock::time_point;

/// One attempt of one TaskRun.
struct AttemptReport {
  int attempt = 0;
  std::string task_run_id;  // store id
  exec::TaskOutcome outcome;
};

/// One TaskRun (matrix instance) of a pipeline task.
struct InstanceReport {
  std::string task_run_name;
  std::vector<AttemptReport> attempts;
  std::vector<model::Param> matrix_params;
};

/// One pipeline task.
struct TaskReport {
  std::string name;
  bool is_finally = false;
  TaskStatus status = TaskStatus::kPending;
  std::string reason;
  std::string message;
  std::vector<InstanceReport> instances;
  std::map<std::string, std::string> results;  // aggregated (matrix: JSON arrays)
};

/// The whole run.
struct RunReport {
  std::string kind;  // PipelineRun | TaskRun
  std::string name;
  std::string uid;  // store id
  bool succeeded = false;
  std::string reason;
  std::string message;
  TimePoint started_at{}, finished_at{};
  std::vector<TaskReport> tasks;                                   // aligned with RunPlan::tasks
  std::vector<std::pair<std::string, model::ParamValue>> results;  // pipeline results
};

}  // namespace baton::sched
