#pragma once
// The mutable facts of a run, as the scheduler has recorded them (and the store holds them).
// The reconciler reads these and nothing else.

#include <map>
#include <string>
#include <vector>

namespace baton::sched {

/// State of a pipeline task, or of one of its TaskRuns (matrix combinations).
enum class TaskStatus { kPending, kRunning, kSucceeded, kFailed, kSkipped, kCancelled };

/// "Pending", "Running", ….
const char* to_string(TaskStatus s);
bool is_terminal(TaskStatus s);

/// One TaskRun of a pipeline task: the only one, or one matrix combination.
struct InstanceFacts {
  TaskStatus status = TaskStatus::kPending;
  int attempts = 0;    // attempts started so far
  std::string reason;  // TaskRun condition reason of the last attempt
  std::string message;
  bool cancelled_for_timeout = false;          // cancelled because a run-level timeout fired
  std::map<std::string, std::string> results;  // of the successful attempt, exact bytes
};

/// One pipeline task.
struct TaskFacts {
  TaskStatus status = TaskStatus::kPending;
  std::string reason;                    // skip reason (Tekton SkippingReason) or failure reason
  bool failure_ignored = false;          // failed, but the pipeline task has onError: continue
  std::vector<InstanceFacts> instances;  // sized when the task starts
};

/// How the run was asked to stop (PipelineRun spec.status).
enum class StopRequest { kNone, kCancelled, kCancelledRunFinally, kStoppedRunFinally };

/// Everything that changes while a run runs.
struct RunFacts {
  std::vector<TaskFacts> tasks;  // aligned with RunPlan::tasks
  StopRequest stop = StopRequest::kNone;
  bool pipeline_timed_out = false;
  bool tasks_timed_out = false;
  bool finally_timed_out = false;
  bool finished = false;
  // Counters the scheduler keeps in step with `tasks`, so checks stay O(1) per event.
  std::size_t dag_terminal = 0;      // DAG tasks in a terminal state
  std::size_t finally_terminal = 0;  // finally tasks in a terminal state
  std::size_t dag_stopping = 0;      // DAG tasks failed (not ignored) or cancelled
};

}  // namespace baton::sched
