#pragma once
// A stand-in for the scheduler in reconciler tests. It applies the reconciler's actions to
// RunFacts as the scheduler does (start → Running, skip/fail → terminal, cancel → Cancelled,
// finish → finished), keeps the RunFacts counters and the substitution values
// (`tasks.X.results.R`, `tasks.X.status`, `tasks.X.reason`, `tasks.status`) in step, and asks
// the reconciler again until nothing is left to do. The test decides how running tasks end.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/sched/reconciler.h"

namespace baton::sched::testing {

using Results = std::map<std::string, std::string>;

/// Loads YAML holding one PipelineRun or TaskRun (plus Tasks/Pipelines it refers to) and
/// plans that run; load errors become a failed Result.
Result<RunPlan> plan_from_yaml(const std::string& yaml);

/// Drives one Reconciler over a plan the way the scheduler would.
class Sim {
 public:
  /// Binds the run's params into the values; does not reconcile yet.
  explicit Sim(const RunPlan& plan);

  /// The first reconcile of the run (roots start).
  void begin();
  /// Running task `name` succeeds with `results`.
  void succeed(const std::string& name, const Results& results = {});
  /// Running task `name` fails with TaskRun reason `reason` (results kept, as Tekton does).
  void fail(const std::string& name, const std::string& reason = "Failed",
            const Results& results = {});
  /// spec.status changes (cancel / graceful cancel / graceful stop).
  void request_stop(StopRequest stop);
  void time_out_pipeline();
  void time_out_tasks();
  void time_out_finally();

  TaskStatus status(const std::string& name) const;
  const std::string& reason(const std::string& name) const;
  /// "Succeeded", "Failed: <reason>", "Skipped: <reason>", "Cancelled", "Running", "Pending".
  std::string describe(const std::string& name) const;
  /// Names of running tasks, in plan order, joined by spaces.
  std::string running() const;
  /// The kFinish action, once the reconciler emitted it.
  const std::optional<Action>& final_action() const { return final_; }
  /// Actions returned by the first reconcile after the last event (what that event caused).
  const std::vector<Action>& first_actions() const { return first_actions_; }
  const RunFacts& facts() const { return facts_; }
  const subst::Context& values() const { return values_; }
  const RunPlan& plan() const { return plan_; }
  std::size_t index(const std::string& name) const;

 private:
  void settle(Change change);
  void apply(const Action& a);
  void end_task(std::size_t i, TaskStatus s, std::string reason);
  void publish(std::size_t i);
  void end_running(const std::string& name, bool ok, const std::string& reason,
                   const Results& results);

  const RunPlan& plan_;
  Reconciler reconciler_;
  RunFacts facts_;
  subst::Context values_;
  std::optional<Action> final_;
  std::vector<Action> first_actions_;
  bool aggregate_published_ = false;
};

}  // namespace baton::sched::testing
