// The parts of the Scheduler that `baton serve` relies on: starting from an existing run row,
// reusing what is already known of tasks (a resumed run), and the TaskRun slots shared across
// runs. Split from scheduler.cc, which keeps the run loop and the attempt lifecycle.

#include <nlohmann/json.hpp>

#include "engine/sched/recovery.h"
#include "engine/sched/scheduler.h"
#include "engine/sched/trace_spans.h"

namespace baton::sched {

void Scheduler::open_run_record(const std::string& spec_text) {
  report_.uid = options_.run_id.empty() ? plan_.name : options_.run_id;
  trace_id_ = options_.trace_id.size() == 32 ? options_.trace_id : random_hex(16);
  run_span_id_ = random_hex(8);
  if (!store_) return;
  if (!options_.run_id.empty()) {
    // Queued by `baton serve` (or resumed after a restart): the row exists; it starts now.
    if (auto s =
            store_->update_run_status(options_.run_id, store::RunState::kRunning, "Running", "");
        !s.ok()) {
      note("run store: " + s.error().message + " (continuing without a durable record)");
      store_ = nullptr;
    }
    return;
  }
  store::NewRun nr;
  nr.kind = plan_.kind;
  nr.name = plan_.name;
  nr.namespace_ = plan_.namespace_;
  nr.pipeline = plan_.pipeline_name;
  nr.spec = spec_text;
  nr.trace_id = trace_id_;
  nlohmann::json params = nlohmann::json::object();
  for (const auto& p : plan_.params) params[p.name] = nlohmann::json::parse(p.value.to_json());
  nr.params = params.dump();
  nr.labels = nlohmann::json(plan_.labels).dump();
  auto annotations = plan_.annotations;
  for (const auto& [k, v] : owner_annotations()) annotations[k] = v;  // for crash recovery
  nr.annotations = nlohmann::json(annotations).dump();
  auto rec = store_->create_run(nr);
  if (rec.ok()) {
    report_.uid = rec->id;
    (void)store_->update_run_status(rec->id, store::RunState::kRunning, "Running", "");
  } else {
    note("run store: " + rec.error().message + " (continuing without a durable record)");
    store_ = nullptr;
  }
}

bool Scheduler::apply_prior(std::size_t task, const std::vector<std::vector<model::Param>>& combos,
                            Change& next) {
  const PlannedTask& pt = plan_.tasks[task];
  auto it = options_.prior.find(pt.task.name);
  if (it == options_.prior.end()) return false;
  const PriorTask& prior = it->second;
  if (prior.status == TaskStatus::kSucceeded && prior.instance_results.size() == combos.size()) {
    note("task " + pt.task.name + ": reusing the results of its earlier successful run");
    for (std::size_t i = 0; i < combos.size(); ++i) {
      facts_.tasks[task].instances[i].results = prior.instance_results[i];
      instance_finished(task, static_cast<int>(i), TaskStatus::kSucceeded, next);
    }
    return true;
  }
  std::string reason = prior.reason;
  if (prior.status == TaskStatus::kPending && prior.attempts_used > pt.task.retries) {
    // No retry left: its retry policy says it does not run again. An empty reason means the
    // last attempt was interrupted by an engine restart.
    if (reason.empty()) reason = "TaskRunInterrupted";
  } else if (prior.status != TaskStatus::kFailed) {
    return false;
  }
  for (std::size_t i = 0; i < combos.size(); ++i) {
    facts_.tasks[task].instances[i].reason = reason;
    facts_.tasks[task].instances[i].message =
        reason == "TaskRunInterrupted"
            ? "the engine stopped while this TaskRun ran and it has no retries left"
            : prior.reason;
    instance_finished(task, static_cast<int>(i), TaskStatus::kFailed, next);
  }
  return true;
}

bool Scheduler::take_slot() {
  if (!options_.slots) return true;
  if (slots_owned_ > 0) {
    --slots_owned_;
    return true;
  }
  if (waiting_for_slot_) return false;  // queued already; a release hands us one
  bool got = options_.slots->try_acquire(this, [this] {
    std::lock_guard<std::mutex> lock(mu_);
    ++slots_granted_;
    cv_.notify_one();
  });
  waiting_for_slot_ = !got;
  return got;
}

void Scheduler::give_back_slots() {
  if (!options_.slots) return;
  options_.slots->cancel_wait(this);
  int unused = slots_owned_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    unused += slots_granted_;
    slots_granted_ = 0;
  }
  slots_owned_ = 0;
  waiting_for_slot_ = false;
  for (int i = 0; i < unused; ++i) options_.slots->release();
}

}  // namespace baton::sched
