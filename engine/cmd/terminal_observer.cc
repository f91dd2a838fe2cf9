#include "engine/cmd/terminal_observer.h"

#include <chrono>

#include "engine/events/masker.h"
#include "engine/events/step_logs.h"
#include "engine/events/store_writer.h"

namespace baton::cmd {

namespace {
const char* const kPalette[] = {"\033[36m", "\033[35m", "\033[33m", "\033[32m",
                                "\033[34m", "\033[96m", "\033[95m", "\033[93m"};
const char kReset[] = "\033[0m";

std::string seconds_between(std::chrono::system_clock::time_point a,
                            std::chrono::system_clock::time_point b) {
  double s = std::chrono::duration<double>(b - a).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}
}  // namespace

/// Prints each (already masked, time-stamped) log line with its task:step prefix.
class TerminalObserver::Printer : public events::LineConsumer {
 public:
  Printer(TerminalObserver& owner, std::size_t task, std::string prefix,
          std::vector<std::string> steps)
      : owner_(owner), task_(task), prefix_(std::move(prefix)), steps_(std::move(steps)) {}
  void on_step_started(std::size_t, const std::string&) override {}
  void on_line(std::size_t step, exec::Stream, events::Clock::time_point,
               std::string_view line) override {
    if (owner_.options_.quiet) return;
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string name = step < steps_.size() ? steps_[step] : "step-" + std::to_string(step);
    owner_.print_line(owner_.color(task_, "[" + prefix_ + ":" + name + "]") + " " +
                      std::string(line));
  }
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view text) override { owner_.on_notice(std::string(text)); }

 private:
  TerminalObserver& owner_;
  std::size_t task_;
  std::string prefix_;
  std::vector<std::string> steps_;
};

/// One attempt's log path: runner → masker → lines → (terminal, store).
struct TerminalObserver::AttemptLogs {
  AttemptLogs(TerminalObserver& owner, std::size_t task, std::string prefix,
              std::vector<std::string> steps, const std::vector<std::string>& secrets,
              store::RunStore* store, const std::string& task_run_id)
      : masker(secrets), printer(owner, task, std::move(prefix), std::move(steps)) {
    fan.add(printer);
    if (store && !task_run_id.empty()) {
      writer = std::make_unique<events::StoreLogWriter>(*store, task_run_id);
      fan.add(*writer);
    }
    pipeline = std::make_unique<events::StepLogPipeline>(masker, fan);
  }
  events::SecretMasker masker;
  Printer printer;
  std::unique_ptr<events::StoreLogWriter> writer;
  events::FanOutConsumer fan;
  std::unique_ptr<events::StepLogPipeline> pipeline;
};

TerminalObserver::TerminalObserver(TerminalOptions options) : options_(std::move(options)) {}
TerminalObserver::~TerminalObserver() = default;

std::string TerminalObserver::color(std::size_t task, const std::string& text) const {
  if (!options_.color) return text;
  return kPalette[task % (sizeof kPalette / sizeof kPalette[0])] + text + kReset;
}

std::string TerminalObserver::mask(std::string s) const {
  for (const auto& secret : options_.secrets) {
    if (secret.size() < 3) continue;
    std::size_t pos;
    while ((pos = s.find(secret)) != std::string::npos) s.replace(pos, secret.size(), "***");
  }
  return s;
}

void TerminalObserver::add_secrets(const std::vector<std::string>& secrets) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.secrets.insert(options_.secrets.end(), secrets.begin(), secrets.end());
}

void TerminalObserver::print_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = mask(line);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

void TerminalObserver::on_run_started(const sched::RunPlan& plan, const sched::RunReport& report) {
  kind_ = plan.kind;
  for (const auto& t : plan.tasks) names_.push_back(t.task.name);
  print_line("▶ " + plan.kind + " " + plan.name + " (" + std::to_string(plan.dag_count) + " task" +
             (plan.dag_count == 1 ? "" : "s") +
             (plan.tasks.size() > plan.dag_count
                  ? ", " + std::to_string(plan.tasks.size() - plan.dag_count) + " finally"
                  : "") +
             ") id " + report.uid);
}

void TerminalObserver::on_attempt_started(std::size_t task, int, const exec::TaskInvocation& inv) {
  std::string what = kind_ == "TaskRun" ? inv.task_run_name : names_[task];
  print_line(color(task, "→ " + what) + " started" +
             (inv.attempt > 0 ? " (retry " + std::to_string(inv.attempt) + ")" : ""));
}

void TerminalObserver::on_attempt_finished(std::size_t task, int, const exec::TaskInvocation& inv,
                                           const exec::TaskOutcome& o, bool will_retry) {
  std::string what = kind_ == "TaskRun" ? inv.task_run_name : names_[task];
  std::string mark = o.succeeded ? "✓" : "✗";
  std::string line = color(task, mark + " " + what) + " " + o.reason + " in " +
                     seconds_between(o.started_at, o.finished_at);
  if (!o.succeeded && !o.message.empty()) line += ": " + o.message;
  if (will_retry) line += " — retrying";
  print_line(line);
}

void TerminalObserver::on_task_done(std::size_t task, const sched::TaskReport& r) {
  if (r.status == sched::TaskStatus::kSkipped) {
    print_line(color(task, "↷ " + r.name) + " skipped: " + r.reason);
  } else if (r.instances.empty() && r.status == sched::TaskStatus::kFailed) {
    print_line(color(task, "✗ " + r.name) + " " + r.reason + ": " + r.message);
  }
}

void TerminalObserver::on_notice(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!notices_.insert(text).second) return;  // runners repeat notices per attempt
  }
  print_line("ℹ " + text);
}

exec::LogSink& TerminalObserver::log_sink(std::size_t task, int, const exec::TaskInvocation& inv,
                                          const std::string& task_run_id,
                                          const std::vector<std::string>& secrets) {
  std::vector<std::string> steps;
  for (const auto& s : inv.steps) steps.push_back(s.name);
  for (const auto& s : inv.sidecars) steps.push_back(s.name);
  std::string prefix = kind_ == "TaskRun" ? inv.task_run_name : names_.at(task);
  std::string key = inv.task_run_name + "#" + std::to_string(inv.attempt);
  std::vector<std::string> all = secrets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.insert(all.end(), options_.secrets.begin(), options_.secrets.end());
    options_.secrets = all;  // terminal lines outside step logs are masked with them too
  }
  auto logs = std::make_unique<AttemptLogs>(*this, task, prefix, std::move(steps), all,
                                            options_.store, task_run_id);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = sinks_[key];
  slot = std::move(logs);
  return *slot->pipeline;
}

void TerminalObserver::release_sink(const exec::TaskInvocation& inv) {
  std::unique_ptr<AttemptLogs> logs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sinks_.find(inv.task_run_name + "#" + std::to_string(inv.attempt));
    if (it == sinks_.end()) return;
    logs = std::move(it->second);
    sinks_.erase(it);
  }
  logs->pipeline->flush();
  if (logs->writer) (void)logs->writer->sync();
}

void TerminalObserver::on_run_finished(const sched::RunReport& r) {
  if (kind_ == "PipelineRun" && !r.tasks.empty()) {
    print_line("");
    for (std::size_t i = 0; i < r.tasks.size(); ++i) {
      const auto& t = r.tasks[i];
      std::string state = sched::to_string(t.status);
      if (t.status == sched::TaskStatus::kSkipped)
        state += " (" + t.reason + ")";
      else if (!t.reason.empty() && t.status != sched::TaskStatus::kSucceeded)
        state += " (" + t.reason + ")";
      print_line(std::string("  ") + (t.is_finally ? "finally " : "") + t.name + ": " + state);
    }
  }
  print_line(std::string(r.succeeded ? "✓ " : "✗ ") + r.kind + " " + r.name + " " + r.reason +
             (r.message.empty() ? "" : ": " + r.message) + " (" +
             seconds_between(r.started_at, r.finished_at) + ")");
}

}  // namespace baton::cmd
