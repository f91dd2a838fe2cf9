#pragma once
// The Dispatcher of `baton serve`: takes queued runs from the store (the durable queue) in order,
// applies the concurrency-group policy, and runs each on its own thread with a Scheduler that
// shares one TaskSlots limit. At start it resumes runs a previous process left running: their
// finished tasks keep their results, interrupted attempts run again per their retry policy.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/exec/leftovers.h"
#include "engine/model/object_set.h"
#include "engine/sched/run_queue.h"
#include "engine/sched/scheduler.h"
#include "engine/sched/task_slots.h"

namespace baton::sched {

/// The Tasks/Pipelines/StepActions/ConfigMaps a run is planned against; swapped on reload, so
/// a run keeps the snapshot it started with.
using CatalogProvider = std::function<std::shared_ptr<const model::ObjectSet>()>;

/// Told what happens, for metrics and logs; every hook may be empty. Called from run threads.
struct DispatcherHooks {
  /// A run ended; `trace_id` names its spans in the store (empty if it never started).
  std::function<void(const std::string& pipeline, const std::string& outcome, double seconds,
                     const std::string& trace_id)>
      run_finished;
  std::function<void(const std::string& outcome, double seconds)> task_run_finished;
  std::function<void(double seconds)> queue_wait;
  std::function<void(std::size_t depth)> queue_depth;
  std::function<void(const std::string& text)> log;
};

struct DispatcherOptions {
  std::size_t max_runs = 16;                   // runs executing at once
  std::string home;                            // scratch root: <home>/runs/<run id>, <home>/pvc
  std::chrono::milliseconds poll{1000};        // re-read the queue this often even without notify()
  std::chrono::milliseconds min_interval{10};  // and never more often than this
  /// Stops what the previous process left running of resumed runs (step processes,
  /// containers) before their attempts run again; null: nothing is stopped.
  exec::LeftoverReaper* reaper = nullptr;
};

/// Runs queued runs; thread-safe.
class Dispatcher {
 public:
  Dispatcher(store::RunStore& store, exec::Runner& runner, TaskSlots& slots,
             CatalogProvider catalog, DispatcherOptions options, DispatcherHooks hooks);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Resumes runs left running by an earlier process, then starts dispatching.
  Status start();
  /// New runs were queued: look at the queue now.
  void notify();
  /// Stops a run: an executing one per Tekton's cancel modes, a queued one at once.
  Status cancel(const std::string& run_id, StopRequest how);
  /// Stops starting runs and waits up to `grace` for executing ones. Returns how many still
  /// execute; the store keeps them running, so the next start resumes them.
  std::size_t shutdown(std::chrono::milliseconds grace);
  /// Runs executing now.
  std::size_t active_count() const;

 private:
  struct Active;
  void loop();
  void dispatch_once();
  Status refresh_queue();
  void forget_queued(const std::string& id);
  void launch(const store::RunRecord& run, std::map<std::string, PriorTask> prior);
  void execute(Active* active, store::RunRecord run, std::map<std::string, PriorTask> prior);
  void reap();
  void log(const std::string& text) const;

  store::RunStore& store_;
  exec::Runner& runner_;
  TaskSlots& slots_;
  CatalogProvider catalog_;
  DispatcherOptions options_;
  DispatcherHooks hooks_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stopping_ = false;
  std::map<std::string, std::unique_ptr<Active>> active_;  // run id -> executing run
  // The head of the durable queue as last read, in queue order; rounds read only what changed
  // (webhooks notify hundreds of times a second, a full read costs O(queue)). Runs only enter
  // the queue by insertion and leave it through this class, and it is read whole every `poll`.
  std::vector<store::QueueEntry> queue_;
  bool queue_valid_ = false;      // false: read it whole next round
  bool queue_truncated_ = false;  // the store holds more queued runs than queue_ (the window)
  std::int64_t queue_rowid_ = 0;  // runs above this rowid are not in queue_ yet
  std::chrono::steady_clock::time_point queue_read_at_{};
  std::thread thread_;
};

/// Annotation of a run made by "retry": "failed" reuses what succeeded in its parent_run_id.
inline constexpr char kRetryModeAnnotation[] = "baton.dev/retry-mode";

/// Retry failed: copies into `run_id` (as reused attempts) the successful attempts of the
/// parent's tasks that run no more: those that succeeded with no upstream task running again.
/// Returns how many attempts were copied.
Result<std::size_t> reuse_succeeded(store::RunStore& store, const RunPlan& plan,
                                    const std::string& parent_id, const std::string& run_id);

/// Retry failed: the retry starts from the parent's run-scoped workspaces (emptyDir and
/// volumeClaimTemplate directories under `<home>/runs/<parent>/workspaces`) as the parent left
/// them, so a reused task's files (a checkout) are there for the tasks that run again. Copied
/// once, atomically (a crash mid-copy leaves no half tree); a no-op when the parent has none.
Status carry_workspaces(const std::string& home, const std::string& parent_id,
                        const std::string& run_id);

/// What the store knows of each pipeline task of `run`: tasks with a successful attempt (every
/// matrix instance) keep their results; others report the attempts they spent.
Result<std::map<std::string, PriorTask>> prior_from_store(store::RunStore& store,
                                                          const std::string& run_id);

}  // namespace baton::sched
