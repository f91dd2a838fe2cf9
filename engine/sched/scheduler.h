#pragma once
// The scheduler: applies the reconciler's actions to the world. It starts TaskRun attempts on a
// Runner (at most `max_parallel` at once, queued in DAG order), records every transition in the
// store, fires timeouts, handles stop requests, and asks the reconciler again after each change.
// It runs on the thread that calls run(); runners report back through a queue.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/exec/runner.h"
#include "engine/sched/invocation.h"
#include "engine/sched/reconciler.h"
#include "engine/sched/report.h"
#include "engine/sched/task_slots.h"
#include "engine/store/run_store.h"

namespace baton::sched {

/// Told about everything that happens in a run, on the scheduler thread (log sinks excepted).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_run_started(const RunPlan&, const RunReport&) {}
  virtual void on_attempt_started(std::size_t /*task*/, int /*instance*/,
                                  const exec::TaskInvocation&) {}
  virtual void on_attempt_finished(std::size_t /*task*/, int /*instance*/,
                                   const exec::TaskInvocation&, const exec::TaskOutcome&,
                                   bool /*will_retry*/) {}
  virtual void on_task_done(std::size_t /*task*/, const TaskReport&) {}
  virtual void on_notice(const std::string& /*text*/) {}
  /// The sink for one attempt's output; must stay valid until the attempt's on_done.
  /// `secrets` are the values to mask in it (Secret workspaces/env, secret params).
  virtual exec::LogSink& log_sink(std::size_t task, int instance, const exec::TaskInvocation& inv,
                                  const std::string& task_run_id,
                                  const std::vector<std::string>& secrets) = 0;
  /// An attempt is over: its sink may be flushed and released.
  virtual void release_sink(const exec::TaskInvocation& /*inv*/) {}
  virtual void on_run_finished(const RunReport&) {}
};

/// What is already known of a pipeline task when a run starts: a resumed run (after a restart)
/// or a retry of only what failed does not run it again, or continues its attempt count.
struct PriorTask {
  TaskStatus status = TaskStatus::kPending;  // kSucceeded/kFailed: not run; kPending: run
  std::string reason;                        // of a failed task
  std::vector<std::map<std::string, std::string>> instance_results;  // kSucceeded: per instance
  int attempts_used = 0;  // kPending: attempts already spent (retries left = retries - this + 1)
};

struct SchedulerOptions {
  std::size_t max_parallel = 2;  // TaskRun attempts running at once in this run
  std::string run_dir;           // scratch root of this run
  std::string pvc_dir;           // where named PVC stand-ins live
  std::map<std::string, std::string> workspace_overrides;
  /// The store row of this run when it exists already (queued by `baton serve`, or resumed);
  /// empty: the scheduler creates it.
  std::string run_id;
  /// W3C trace to join (from a webhook's traceparent); empty: a new trace.
  std::string trace_id;
  std::string parent_span_id;
  /// Pipeline task name -> what is already known of it.
  std::map<std::string, PriorTask> prior;
  /// Shared limit across runs (`baton serve`); nullptr: only max_parallel applies.
  TaskSlots* slots = nullptr;
};

/// Runs one plan to completion.
class Scheduler {
 public:
  Scheduler(RunPlan plan, const model::ObjectSet& objects, exec::Runner& runner,
            store::RunStore* store, RunObserver& observer, SchedulerOptions options);
  ~Scheduler();

  /// Runs until the run finishes; returns its report. Call once.
  RunReport run(const std::string& spec_text = {});
  /// Thread-safe: asks the run to stop (Tekton's spec.status cancel modes).
  void request_stop(StopRequest how);
  /// Secret values found while preparing workspaces (for log masking). Valid after start.
  const std::vector<std::string>& secrets() const { return secrets_; }
  const RunPlan& plan() const { return plan_; }
  /// The W3C trace id of this run (valid once run() has started).
  const std::string& trace_id() const { return trace_id_; }

 private:
  struct Done {
    std::size_t task;
    int instance;
    int attempt;
    exec::TaskOutcome outcome;
  };
  struct Pending {  // an attempt waiting for a free slot
    std::size_t task;
    int instance;
    int attempt;
  };
  struct Live {
    std::unique_ptr<exec::Execution> execution;
    exec::TaskInvocation inv;
    std::string task_run_id;
    bool cancel_requested = false;
    bool for_timeout = false;
    std::string span_id;  // W3C span of this attempt (parent of its steps' spans)
    exec::LogSink* sink = nullptr;
    std::unique_ptr<exec::LogSink> recorder;  // wraps the observer's sink (process identities)
  };

  void open_run_record(const std::string& spec_text);
  bool apply_prior(std::size_t task, const std::vector<std::vector<model::Param>>& combos,
                   Change& next);
  bool take_slot();
  void give_back_slots();
  void apply_all(Change change);
  void apply(const Action& a, Change& next);
  void start_task(std::size_t task, Change& next);
  void pump(Change& next);
  void launch(const Pending& p, Change& next);
  void start_launched();
  void on_attempt_done(Done d, Change& next);
  void instance_finished(std::size_t task, int instance, TaskStatus status, Change& next);
  void task_terminal(std::size_t task, Change& next);
  void set_task_values(std::size_t task);
  void check_deadlines(Change& change);
  void finish(const Action& a);
  std::string record_skip(std::size_t task, const std::string& reason);
  void record_attempt_spans(const Live& live, const exec::TaskOutcome& o);
  void note(const std::string& text);

  RunPlan plan_;
  const model::ObjectSet& objects_;
  exec::Runner& runner_;
  store::RunStore* store_;
  RunObserver& observer_;
  SchedulerOptions options_;
  Reconciler reconciler_;
  RunFacts facts_;
  RunReport report_;
  subst::Context values_;
  std::map<std::string, WorkspaceVolume> volumes_;
  InvocationEnv env_;
  std::vector<std::vector<std::vector<model::Param>>> matrix_;  // per task, per instance
  std::deque<Pending> queue_;
  std::vector<Pending> launched_;  // recorded in the store, to start once that is committed
  std::map<std::pair<std::size_t, int>, Live> live_;
  std::size_t running_ = 0;
  std::vector<std::string> secrets_;
  std::string trace_id_, run_span_id_;  // W3C trace of this run
  std::chrono::steady_clock::time_point start_;
  std::optional<std::chrono::steady_clock::time_point> pipeline_deadline_, tasks_deadline_,
      finally_deadline_;

  std::mutex mu_;  // guards inbox_ and stop_
  std::condition_variable cv_;
  std::deque<Done> inbox_;
  std::optional<StopRequest> stop_;
  int slots_granted_ = 0;  // guarded by mu_: slots TaskSlots handed over while we waited
  // Scheduler thread only:
  int slots_owned_ = 0;  // granted slots not yet used by an attempt
  bool waiting_for_slot_ = false;
};

}  // namespace baton::sched
