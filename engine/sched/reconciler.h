#pragma once
// The reconciler: pure Tekton semantics. Given the plan, the facts and the values known so far
// (params, results, task statuses), it says what to do next. It performs no I/O and keeps no
// state; the scheduler applies its actions, updates the facts and asks again.
//
// Incremental: a call looks only at the children of the tasks that changed (plus every task
// when a stop or timeout arrives, which happens at most a few times per run).

#include <span>
#include <string>
#include <vector>

#include "engine/sched/facts.h"
#include "engine/sched/plan.h"
#include "engine/subst/context.h"

namespace baton::sched {

/// What the scheduler should do.
struct Action {
  enum class Kind {
    kStart,          // start every TaskRun of `task` (matrix: one per combination)
    kRetry,          // start another attempt of `instance` of `task`
    kSkip,           // mark `task` skipped with `reason`
    kFail,           // mark `task` failed without running it (`reason`, `message`)
    kCancelRunning,  // cancel the running TaskRuns of `task` (`reason` says why)
    kFinish,         // the run is over: `succeeded`, `reason`, `message`
  };
  Kind kind = Kind::kStart;
  std::size_t task = 0;
  std::size_t instance = 0;
  std::string reason;
  std::string message;
  bool succeeded = false;
  bool for_timeout = false;  // kCancelRunning because of a timeout
};

/// What changed since the last call.
struct Change {
  std::vector<std::size_t> tasks;  // tasks whose status changed (became terminal, usually)
  bool run_level = false;          // a stop request or a timeout arrived: re-check everything
};

// Tekton's skipping reasons (pkg/apis/pipeline/v1 SkippingReason), as written in status.
inline constexpr const char* kSkipWhen = "When Expressions evaluated to false";
inline constexpr const char* kSkipParentSkipped = "Parent Tasks were skipped";
inline constexpr const char* kSkipResultsMissing = "Results were missing";
inline constexpr const char* kSkipStopping = "PipelineRun was stopping";
inline constexpr const char* kSkipGracefullyCancelled = "PipelineRun was gracefully cancelled";
inline constexpr const char* kSkipGracefullyStopped = "PipelineRun was gracefully stopped";
inline constexpr const char* kSkipPipelineTimeout = "PipelineRun timeout has been reached";
inline constexpr const char* kSkipTasksTimeout = "PipelineRun Tasks timeout has been reached";
inline constexpr const char* kSkipFinallyTimeout = "PipelineRun Finally timeout has been reached";
inline constexpr const char* kSkipEmptyMatrix = "Matrix Parameters have an empty array";

/// The reconciler of one run plan.
class Reconciler {
 public:
  explicit Reconciler(const RunPlan& plan) : plan_(plan) {}

  /// The actions for `facts` after `change`. `values` resolves `$(params…)`, `$(tasks.X.results…)`
  /// and `$(tasks.X.status)` references in `when` expressions and matrix params.
  std::vector<Action> reconcile(const RunFacts& facts, const subst::Context& values,
                                const Change& change) const;

  /// The final condition once every task is terminal: {succeeded, reason, message}.
  Action finish_condition(const RunFacts& facts) const;

  /// Whether the run has stopped scheduling new DAG tasks (a failure or a cancel).
  bool is_stopping(const RunFacts& facts) const;

 private:
  void consider(std::size_t i, const RunFacts& facts, const subst::Context& values,
                std::vector<Action>& out) const;
  void consider_finally(std::size_t i, const RunFacts& facts, const subst::Context& values,
                        std::vector<Action>& out) const;
  Action when_matrix_or_start(std::size_t i, const subst::Context& values) const;
  bool dag_done(const RunFacts& facts) const;
  bool all_done(const RunFacts& facts) const;
  std::string when_false(std::size_t i, const subst::Context& values, std::string* error) const;

  const RunPlan& plan_;
};

}  // namespace baton::sched
