#include "engine/cmd/terminal_observer.h"

#include <chrono>

namespace baton::cmd {

namespace {
const char* const kPalette[] = {"\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m",
                                "\033[96m", "\033[95m", "\033[93m"};
const char kReset[] = "\033[0m";

std::string seconds_between(std::chrono::system_clock::time_point a,
                            std::chrono::system_clock::time_point b) {
  double s = std::chrono::duration<double>(b - a).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}
}  // namespace

/// Line-buffers each step's stdout/stderr and prints complete lines with a prefix.
class TerminalObserver::Sink : public exec::LogSink {
 public:
  Sink(TerminalObserver& owner, std::size_t task, std::string prefix, std::vector<std::string> steps)
      : owner_(owner), task_(task), prefix_(std::move(prefix)), steps_(std::move(steps)) {}

  void on_output(std::size_t step, exec::Stream stream, std::string_view bytes) override {
    std::string& buf = partial_[{step, stream}];
    buf.append(bytes);
    std::size_t start = 0, nl;
    while ((nl = buf.find('\n', start)) != std::string::npos) {
      emit(step, buf.substr(start, nl - start));
      start = nl + 1;
    }
    buf.erase(0, start);
  }
  void on_step_started(std::size_t, const std::string&) override {}
  void on_step_finished(std::size_t step, const exec::StepOutcome&) override {
    for (auto s : {exec::Stream::kStdout, exec::Stream::kStderr}) {
      auto it = partial_.find({step, s});
      if (it != partial_.end() && !it->second.empty()) {
        emit(step, it->second);
        it->second.clear();
      }
    }
  }
  void on_notice(std::string_view text) override { owner_.on_notice(std::string(text)); }

 private:
  void emit(std::size_t step, const std::string& line) {
    if (owner_.options_.quiet) return;
    std::string name = step < steps_.size() ? steps_[step] : "step-" + std::to_string(step);
    owner_.print_line(owner_.color(task_, "[" + prefix_ + ":" + name + "]") + " " + line);
  }
  TerminalObserver& owner_;
  std::size_t task_;
  std::string prefix_;
  std::vector<std::string> steps_;
  std::map<std::pair<std::size_t, exec::Stream>, std::string> partial_;
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
  print_line("▶ " + plan.kind + " " + plan.name + " (" + std::to_string(plan.dag_count) +
             " task" + (plan.dag_count == 1 ? "" : "s") +
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
                                          const std::string&) {
  std::vector<std::string> steps;
  for (const auto& s : inv.steps) steps.push_back(s.name);
  for (const auto& s : inv.sidecars) steps.push_back(s.name);
  std::string prefix = kind_ == "TaskRun" ? inv.task_run_name : names_.at(task);
  std::string key = inv.task_run_name + "#" + std::to_string(inv.attempt);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = sinks_[key];
  slot = std::make_unique<Sink>(*this, task, prefix, std::move(steps));
  return *slot;
}

void TerminalObserver::on_run_finished(const sched::RunReport& r) {
  if (kind_ == "PipelineRun" && !r.tasks.empty()) {
    print_line("");
    for (std::size_t i = 0; i < r.tasks.size(); ++i) {
      const auto& t = r.tasks[i];
      std::string state = sched::to_string(t.status);
      if (t.status == sched::TaskStatus::kSkipped) state += " (" + t.reason + ")";
      else if (!t.reason.empty() && t.status != sched::TaskStatus::kSucceeded) state += " (" + t.reason + ")";
      print_line(std::string("  ") + (t.is_finally ? "finally " : "") + t.name + ": " + state);
    }
  }
  print_line(std::string(r.succeeded ? "✓ " : "✗ ") + r.kind + " " + r.name + " " + r.reason +
             (r.message.empty() ? "" : ": " + r.message) + " (" +
             seconds_between(r.started_at, r.finished_at) + ")");
}

}  // namespace baton::cmd
