#include "engine/sched/dispatcher.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/resolve/resolver.h"
#include "engine/sched/recovery.h"
#include "engine/sched/store_observer.h"
#include "engine/spec/loader.h"

namespace baton::sched {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string annotation(const std::string& annotations_json, const std::string& key) {
  auto j = nlohmann::json::parse(annotations_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string outcome_of(const RunReport& r) {
  if (r.succeeded) return "succeeded";
  if (r.reason == "PipelineRunTimeout" || r.reason == "TaskRunTimeout") return "timeout";
  if (r.reason == "Cancelled" || r.reason == "TaskRunCancelled" ||
      r.reason == "CancelledRunFinally" || r.reason == "StoppedRunFinally") {
    return "cancelled";
  }
  return "failed";
}

constexpr char kRestartMarker[] =
    "baton: the engine restarted while this step ran; it was interrupted here\n";

}  // namespace

/// One executing run.
struct Dispatcher::Active {
  std::string group;
  std::thread thread;
  Scheduler* scheduler = nullptr;         // set while Scheduler::run executes (under mu_)
  std::optional<StopRequest> early_stop;  // asked before the scheduler existed
  bool done = false;
};

Dispatcher::Dispatcher(store::RunStore& store, exec::Runner& runner, TaskSlots& slots,
                       CatalogProvider catalog, DispatcherOptions options, DispatcherHooks hooks)
    : store_(store),
      runner_(runner),
      slots_(slots),
      catalog_(std::move(catalog)),
      options_(std::move(options)),
      hooks_(std::move(hooks)) {
  if (options_.max_runs == 0) options_.max_runs = 1;
}

Dispatcher::~Dispatcher() {
  shutdown(std::chrono::milliseconds(0));
  std::lock_guard<std::mutex> lock(mu_);
  // Runs still executing past the grace: the process is exiting; the store keeps them running
  // and the next start resumes them.
  for (auto& [id, a] : active_) {
    if (a->thread.joinable()) a->thread.detach();
  }
}

void Dispatcher::log(const std::string& text) const {
  if (hooks_.log) hooks_.log(text);
}

Status Dispatcher::start() {
  auto running = store_.list_runs_in_state(store::RunState::kRunning);
  if (!running.ok()) return running.error();
  for (const auto& run : *running) {
    // Runs of a `baton run` process carry their owner; that process may still be alive.
    if (!annotation(run.annotations, "baton.dev/engine-pid").empty()) continue;
    // The old process's steps may still run and write into the workspaces the attempts about
    // to run again use: kill them first.
    std::map<std::string, std::string> killed;
    if (options_.reaper)
      killed = stop_leftover_processes(store_, *options_.reaper, run.id, hooks_.log);
    auto ids = store_.interrupt_attempts(run.id, now_ms());
    if (!ids.ok()) return ids.error();
    auto append_marker = [&](const std::string& step, std::string text) {
      auto slash = step.rfind('/');
      store::LogChunk marker;
      marker.step_index = std::stoi(step.substr(slash + 1));
      marker.stream = "stderr";
      marker.data = std::move(text);
      (void)store_.append_logs(step.substr(0, slash), std::span(&marker, 1));
    };
    for (const auto& step : ids->steps) {
      auto k = killed.find(step);
      std::string text = kRestartMarker;
      if (k != killed.end()) {
        text += "baton: at the restart " + k->second + "\n";
        killed.erase(k);
      }
      append_marker(step, std::move(text));
    }
    for (const auto& [step, what] : killed)
      append_marker(step, "baton: at the restart " + what + "\n");
    auto prior = prior_from_store(store_, run.id);
    if (!prior.ok()) return prior.error();
    log("resuming run " + run.id + " (" + std::to_string(ids->task_runs.size()) +
        " interrupted TaskRun(s) run again per their retry policy)");
    std::lock_guard<std::mutex> lock(mu_);
    launch(run, std::move(prior).value());
  }
  thread_ = std::thread([this] { loop(); });
  return {};
}

void Dispatcher::notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void Dispatcher::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_for(lock, options_.poll, [this] { return wake_ || stopping_; });
    wake_ = false;
    reap();
    if (stopping_) return;
    dispatch_once();
    // Webhooks may notify a thousand times a second; reading the queue once per short interval
    // serves them all (a run starts at most this much later).
    cv_.wait_for(lock, options_.min_interval, [this] { return stopping_; });
  }
}

void Dispatcher::reap() {
  for (auto it = active_.begin(); it != active_.end();) {
    if (!it->second->done) {
      ++it;
      continue;
    }
    if (it->second->thread.joinable()) it->second->thread.join();
    it = active_.erase(it);
  }
}

namespace {

// Runs considered per round: the oldest this many decide what starts; a deeper queue waits.
constexpr std::size_t kQueueWindow = 1000;

bool queue_before(const store::QueueEntry& a, const store::QueueEntry& b) {
  return a.queued_at != b.queued_at ? a.queued_at < b.queued_at : a.id < b.id;
}

}  // namespace

Status Dispatcher::refresh_queue() {
  const auto now = SteadyClock::now();
  if (queue_valid_ && queue_truncated_ && queue_.empty()) queue_valid_ = false;
  if (!queue_valid_ || now - queue_read_at_ >= options_.poll) {
    auto page = store_.list_queue(kQueueWindow, kConcurrencyPolicyAnnotation);
    if (!page.ok()) return page.error();
    queue_ = std::move(page->entries);
    queue_rowid_ = page->max_rowid;
    queue_truncated_ = queue_.size() >= kQueueWindow;
    queue_valid_ = true;
    queue_read_at_ = now;
    if (hooks_.queue_depth) {
      auto depth = queue_truncated_ ? store_.count_runs_in_state(store::RunState::kQueued)
                                    : Result<std::int64_t>(std::int64_t(queue_.size()));
      if (depth.ok()) hooks_.queue_depth(static_cast<std::size_t>(*depth));
    }
    return {};
  }
  if (queue_truncated_) {
    // New runs queue behind the window; refill only what the window lost.
    if (queue_.size() >= kQueueWindow) return {};
    const std::size_t want = kQueueWindow - queue_.size();
    auto page =
        store_.list_queue(static_cast<int>(want), kConcurrencyPolicyAnnotation, &queue_.back());
    if (!page.ok()) return page.error();
    if (page->entries.size() < want) {
      queue_truncated_ = false;
      queue_rowid_ = page->max_rowid;
    }
    for (auto& e : page->entries) queue_.push_back(std::move(e));
    return {};
  }
  auto page = store_.list_queue_inserted_after(queue_rowid_, kConcurrencyPolicyAnnotation);
  if (!page.ok()) return page.error();
  queue_rowid_ = page->max_rowid;
  for (auto& e : page->entries) {
    // Usually at the end; a run queued in the same millisecond may sort before the last.
    auto at = std::upper_bound(queue_.begin(), queue_.end(), e, queue_before);
    queue_.insert(at, std::move(e));
  }
  if (queue_.size() > kQueueWindow) {
    queue_.resize(kQueueWindow);
    queue_truncated_ = true;
  } else if (hooks_.queue_depth) {
    hooks_.queue_depth(queue_.size());
  }
  return {};
}

void Dispatcher::forget_queued(const std::string& id) {
  auto it = std::find_if(queue_.begin(), queue_.end(),
                         [&](const store::QueueEntry& e) { return e.id == id; });
  if (it != queue_.end()) queue_.erase(it);
}

void Dispatcher::dispatch_once() {
  if (auto s = refresh_queue(); !s.ok()) {
    queue_valid_ = false;
    log("cannot read the run queue: " + s.error().message);
    return;
  }
  const std::vector<store::QueueEntry>* queued = &queue_;
  std::vector<QueuedRun> wanted;
  std::map<std::string, std::string> group_of;
  for (const auto& e : *queued) {
    // Launched, but its thread has not yet moved the row to running.
    if (active_.count(e.id)) continue;
    QueuedRun q{e.id, e.group, ConcurrencyPolicy::kQueue};
    (void)parse_concurrency_policy(e.policy, &q.policy);
    group_of[e.id] = e.group;
    wanted.push_back(std::move(q));
  }
  std::vector<ActiveRun> executing;
  for (const auto& [id, a] : active_) {
    if (!a->done) executing.push_back({id, a->group});
  }
  DispatchPlan plan = plan_dispatch(wanted, executing, options_.max_runs);
  for (const auto& id : plan.supersede_queued) {
    forget_queued(id);
    (void)store_.update_run_status(
        id, store::RunState::kCancelled, "Cancelled",
        "superseded by a newer run of concurrency group " + group_of[id]);
  }
  for (const auto& id : plan.cancel_running) {
    Active& a = *active_.at(id);
    if (a.scheduler) {
      a.scheduler->request_stop(StopRequest::kCancelled);
    } else {
      a.early_stop = StopRequest::kCancelled;
    }
  }
  for (const auto& id : plan.start) {
    forget_queued(id);
    auto run = store_.get_run(id);
    if (!run.ok()) {
      log("cannot read queued run " + id + ": " + run.error().message);
      queue_valid_ = false;
      continue;
    }
    if (run->state != store::RunState::kQueued) {
      queue_valid_ = false;  // left the queue behind our back: read it whole next round
      continue;
    }
    launch(*run, {});
  }
}

void Dispatcher::launch(const store::RunRecord& run, std::map<std::string, PriorTask> prior) {
  auto active = std::make_unique<Active>();
  active->group = run.concurrency_group.value_or("");
  Active* a = active.get();
  active_[run.id] = std::move(active);
  a->thread = std::thread(
      [this, a, run, prior = std::move(prior)]() mutable { execute(a, run, std::move(prior)); });
}

void Dispatcher::execute(Active* active, store::RunRecord run,
                         std::map<std::string, PriorTask> prior) {
  auto finish = [&] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      active->done = true;
      wake_ = true;
    }
    cv_.notify_all();
  };
  if (run.started_at) {
    // Resumed: its queue wait was counted when it first started.
  } else if (hooks_.queue_wait && run.queued_at) {
    hooks_.queue_wait(static_cast<double>(now_ms() - *run.queued_at) / 1000.0);
  }
  std::shared_ptr<const model::ObjectSet> snapshot = catalog_ ? catalog_() : nullptr;
  model::ObjectSet objects = snapshot ? *snapshot : model::ObjectSet{};
  spec::LoadOutput loaded = spec::load_text(run.spec, "run " + run.id);
  Result<RunPlan> plan = Fail("the stored run holds no PipelineRun or TaskRun");
  if (!loaded.errors.empty()) {
    plan = Fail(loaded.errors.front().to_string());
  } else {
    model::ObjectSet mine = loaded.objects;
    objects.append(std::move(loaded.objects));
    resolve::Catalog catalog(&objects);
    if (!mine.pipeline_runs.empty()) {
      plan = plan_pipeline_run(mine.pipeline_runs.front(), catalog);
    } else if (!mine.task_runs.empty()) {
      plan = plan_task_run(mine.task_runs.front(), catalog);
    }
  }
  if (!plan.ok()) {
    const char* reason = run.kind == "TaskRun" ? "CouldntGetTask" : "CouldntGetPipeline";
    (void)store_.update_run_status(run.id, store::RunState::kFailed, reason, plan.error().message);
    log("run " + run.id + " failed before it started: " + plan.error().message);
    if (hooks_.run_finished) hooks_.run_finished(run.pipeline, "failed", 0, "");
    finish();
    return;
  }
  if (run.parent_run_id && !run.started_at &&
      annotation(run.annotations, kRetryModeAnnotation) == "failed") {
    // Retry failed: what succeeded in the parent is recorded as reused, then treated like a
    // resumed run's finished tasks.
    // Copied already when an earlier process got this far and stopped before the run started.
    auto mine = store_.list_task_runs(run.id);
    if (auto carried = carry_workspaces(options_.home, *run.parent_run_id, run.id); !carried.ok()) {
      log("run " + run.id + ": " + carried.error().message + " (starting with empty workspaces)");
    }
    auto reused = mine.ok() && !mine->empty()
                      ? Result<std::size_t>(mine->size())
                      : reuse_succeeded(store_, *plan, *run.parent_run_id, run.id);
    if (!reused.ok()) {
      log("run " + run.id + ": cannot reuse the results of " + *run.parent_run_id + ": " +
          reused.error().message + " (running every task)");
    } else if (auto p = prior_from_store(store_, run.id); p.ok()) {
      prior = std::move(p).value();
    }
  }
  SchedulerOptions so;
  so.max_parallel = slots_.limit();
  so.run_dir = options_.home + "/runs/" + run.id;
  so.pvc_dir = options_.home + "/pvc";
  so.run_id = run.id;
  so.trace_id = run.trace_id;
  // W3C traceparent "00-<trace>-<span>-<flags>" of the webhook request that queued the run.
  std::string parent = annotation(run.annotations, "baton.dev/traceparent");
  if (parent.size() == 55 && parent.compare(3, 32, run.trace_id) == 0) {
    so.parent_span_id = parent.substr(36, 16);
  }
  so.prior = std::move(prior);
  so.slots = &slots_;
  StoreObserver observer(store_, {hooks_.task_run_finished, [this, &run](const std::string& t) {
                                    log("run " + run.id + ": " + t);
                                  }});
  Scheduler scheduler(std::move(*plan), objects, runner_, &store_, observer, std::move(so));
  {
    std::lock_guard<std::mutex> lock(mu_);
    active->scheduler = &scheduler;
    if (active->early_stop) scheduler.request_stop(*active->early_stop);
  }
  RunReport report = scheduler.run(run.spec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    active->scheduler = nullptr;
  }
  if (hooks_.run_finished) {
    hooks_.run_finished(
        run.pipeline, outcome_of(report),
        std::chrono::duration<double>(report.finished_at - report.started_at).count(),
        scheduler.trace_id());
  }
  finish();
}

Status Dispatcher::cancel(const std::string& run_id, StopRequest how) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = active_.find(run_id); it != active_.end() && !it->second->done) {
    if (it->second->scheduler) {
      it->second->scheduler->request_stop(how);
    } else {
      it->second->early_stop = how;
    }
    return {};
  }
  auto run = store_.get_run(run_id);
  if (!run.ok()) return run.error();
  if (run->state != store::RunState::kQueued) {
    return Fail("run " + run_id + " is " + std::string(store::to_string(run->state)), "conflict");
  }
  forget_queued(run_id);
  return store_.update_run_status(run_id, store::RunState::kCancelled, "Cancelled",
                                  "cancelled before it started");
}

std::size_t Dispatcher::shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::unique_lock<std::mutex> lock(mu_);
  auto all_done = [this] {
    for (const auto& [id, a] : active_) {
      if (!a->done) return false;
    }
    return true;
  };
  cv_.wait_for(lock, grace, all_done);
  reap();
  return active_.size();
}

std::size_t Dispatcher::active_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const auto& [id, a] : active_) n += a->done ? 0 : 1;
  return n;
}

Result<std::map<std::string, PriorTask>> prior_from_store(store::RunStore& store,
                                                          const std::string& run_id) {
  auto attempts = store.list_task_runs(run_id);
  if (!attempts.ok()) return attempts.error();
  struct Seen {
    std::map<int, std::map<std::string, std::string>> succeeded;  // instance -> results
    std::map<int, int> attempts;                                  // instance -> count
    std::string last_reason;
    bool last_interrupted = false;
  };
  std::map<std::string, Seen> by_task;
  for (const auto& tr : *attempts) {
    if (tr.state == store::RunState::kSkipped) continue;  // the reconciler decides again
    Seen& s = by_task[tr.pipeline_task];
    int instance = tr.matrix_index.value_or(0);
    ++s.attempts[instance];
    if (tr.state == store::RunState::kSucceeded) s.succeeded[instance] = tr.results;
    s.last_reason = tr.reason;
    s.last_interrupted = tr.state == store::RunState::kInterrupted;
  }
  std::map<std::string, PriorTask> prior;
  for (auto& [task, s] : by_task) {
    PriorTask p;
    if (!s.succeeded.empty() && s.succeeded.size() == s.attempts.size()) {
      p.status = TaskStatus::kSucceeded;
      for (auto& [i, results] : s.succeeded) p.instance_results.push_back(std::move(results));
    } else {
      p.status = TaskStatus::kPending;
      for (const auto& [i, n] : s.attempts) p.attempts_used = std::max(p.attempts_used, n);
      p.reason = s.last_interrupted ? "" : s.last_reason;
    }
    prior[task] = std::move(p);
  }
  return prior;
}

}  // namespace baton::sched
