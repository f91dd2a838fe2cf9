#include "engine/sched/store_observer.h"

#include "engine/events/masker.h"
#include "engine/events/step_logs.h"
#include "engine/events/store_writer.h"

namespace baton::sched {

namespace {

// Records a step as running the moment it starts, so a crash leaves the store saying which step
// was running (and a restart can mark it). The scheduler writes the final state at the end.
class StepStartRecorder final : public events::LineConsumer {
 public:
  StepStartRecorder(store::RunStore& store, std::string task_run_id,
                    const exec::TaskInvocation& inv)
      : store_(store), task_run_id_(std::move(task_run_id)) {
    for (const auto& s : inv.steps) images_.push_back(s.image);
  }
  void on_step_started(std::size_t step_index, const std::string& step_name) override {
    store::StepRecord r;
    r.task_run_id = task_run_id_;
    r.index = static_cast<int>(step_index);
    r.name = step_name;
    r.image = step_index < images_.size() ? images_[step_index] : "";
    r.state = store::RunState::kRunning;
    (void)store_.upsert_step(r);
  }
  void on_line(std::size_t, exec::Stream, events::Clock::time_point, std::string_view) override {}
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view) override {}

 private:
  store::RunStore& store_;
  std::string task_run_id_;
  std::vector<std::string> images_;
};

}  // namespace

struct StoreObserver::AttemptLogs {
  AttemptLogs(store::RunStore& store, const std::string& task_run_id,
              const exec::TaskInvocation& inv, const std::vector<std::string>& secrets)
      : masker(secrets),
        writer(store, task_run_id),
        steps(store, task_run_id, inv),
        fan({&steps, &writer}),
        pipeline(masker, fan) {}
  events::SecretMasker masker;
  events::StoreLogWriter writer;
  StepStartRecorder steps;
  events::FanOutConsumer fan;
  events::StepLogPipeline pipeline;
};

namespace {

// Stand-in sink for an attempt the store has no row for: output is dropped, not misfiled.
class DiscardSink : public exec::LogSink {
 public:
  void on_output(std::size_t, exec::Stream, std::string_view) override {}
  void on_step_started(std::size_t, const std::string&) override {}
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view) override {}
};
DiscardSink g_discard;

std::string key_of(const exec::TaskInvocation& inv) {
  return inv.task_run_name + "#" + std::to_string(inv.attempt);
}

}  // namespace

StoreObserver::StoreObserver(store::RunStore& store, Hooks hooks)
    : store_(store), hooks_(std::move(hooks)) {}

StoreObserver::~StoreObserver() = default;

exec::LogSink& StoreObserver::log_sink(std::size_t, int, const exec::TaskInvocation& inv,
                                       const std::string& task_run_id,
                                       const std::vector<std::string>& secrets) {
  if (task_run_id.empty()) return g_discard;
  auto logs = std::make_unique<AttemptLogs>(store_, task_run_id, inv, secrets);
  std::lock_guard<std::mutex> lock(mu_);
  secrets_.insert(secrets_.end(), secrets.begin(), secrets.end());
  auto& slot = sinks_[key_of(inv)];
  slot = std::move(logs);
  return slot->pipeline;
}

void StoreObserver::release_sink(const exec::TaskInvocation& inv) {
  std::unique_ptr<AttemptLogs> logs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sinks_.find(key_of(inv));
    if (it == sinks_.end()) return;
    logs = std::move(it->second);
    sinks_.erase(it);
  }
  logs->pipeline.flush();
  (void)logs->writer.sync();
}

void StoreObserver::on_attempt_finished(std::size_t, int, const exec::TaskInvocation&,
                                        const exec::TaskOutcome& o, bool) {
  if (!hooks_.attempt_finished) return;
  std::string outcome = o.succeeded                      ? "succeeded"
                        : o.reason == "TaskRunTimeout"   ? "timeout"
                        : o.reason == "TaskRunCancelled" ? "cancelled"
                                                         : "failed";
  double seconds = std::chrono::duration<double>(o.finished_at - o.started_at).count();
  hooks_.attempt_finished(outcome, seconds < 0 ? 0 : seconds);
}

void StoreObserver::on_notice(const std::string& text) {
  if (!hooks_.notice) return;
  std::vector<std::string> secrets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    secrets = secrets_;
  }
  hooks_.notice(secrets.empty() ? text : events::SecretMasker(secrets).mask(text));
}

}  // namespace baton::sched
