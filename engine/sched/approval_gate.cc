#include "engine/sched/approval_gate.h"

#include <sstream>
#include <vector>

namespace baton::sched {

struct ApprovalGate::Waiting {
  exec::LogSink* sink = nullptr;
  std::function<void(exec::TaskOutcome)> on_done;
  std::vector<std::string> approvers;  // token names; empty = any operator
  exec::Clock::time_point started_at;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

namespace {

class GateExecution : public exec::Execution {
 public:
  GateExecution(ApprovalGate& gate, ApprovalGate::Key key) : gate_(gate), key_(std::move(key)) {}
  void cancel(bool timeout) override {
    gate_.finish(key_, false, timeout ? "TaskRunTimeout" : "TaskRunCancelled",
                 timeout ? "the approval gate timed out" : "the approval gate was cancelled");
  }

 private:
  ApprovalGate& gate_;
  ApprovalGate::Key key_;
};

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

}  // namespace

bool is_approval_task(const model::PipelineTask& task) {
  return task.task_ref && task.task_ref->kind == "Approval" &&
         task.task_ref->api_version == "baton.dev/v1alpha1";
}

model::TaskSpec approval_task_spec() {
  model::TaskSpec spec;
  model::ParamSpec approvers;
  approvers.name = "approvers";
  approvers.description = "comma-separated token names allowed to decide; empty: any operator";
  approvers.default_value = model::ParamValue::of_string("");
  spec.params.push_back(approvers);
  model::Step step;
  step.name = "approval";
  step.image = kApprovalImage;
  // Only runs where no ApprovalGate stands in front of the runner (`baton run`): nobody could
  // approve there, so the gate fails rather than passing silently.
  step.script =
      "#!/bin/sh\necho 'baton: an Approval gate needs baton serve (approve it through its API);"
      " this run cannot be approved' >&2\nexit 1\n";
  step.args = {"$(params.approvers)"};
  spec.steps.push_back(step);
  return spec;
}

ApprovalGate::ApprovalGate(exec::Runner& inner) : inner_(inner) {
  timer_ = std::thread([this] { watch_deadlines(); });
}

ApprovalGate::~ApprovalGate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  timer_.join();
}

std::unique_ptr<exec::Execution> ApprovalGate::start(
    const exec::TaskInvocation& inv, exec::LogSink& sink,
    std::function<void(exec::TaskOutcome)> on_done) {
  if (inv.steps.size() != 1 || inv.steps[0].image != kApprovalImage) {
    return inner_.start(inv, sink, std::move(on_done));
  }
  auto w = std::make_shared<Waiting>();
  w->sink = &sink;
  w->on_done = std::move(on_done);
  if (!inv.steps[0].args.empty()) w->approvers = split_names(inv.steps[0].args[0]);
  w->started_at = exec::Clock::now();
  if (inv.timeout && inv.timeout->count() > 0) {
    w->deadline = std::chrono::steady_clock::now() + *inv.timeout;
  }
  Key key{inv.run_id, inv.task_run_name, inv.attempt};
  sink.on_step_started(0, "approval");
  std::string who = "any operator";
  if (!w->approvers.empty()) {
    who.clear();
    for (const auto& a : w->approvers) who += (who.empty() ? "" : ", ") + a;
  }
  sink.on_output(0, exec::Stream::kStdout, "waiting for approval by " + who + "\n");
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_[key] = std::move(w);
  }
  cv_.notify_all();
  return std::make_unique<GateExecution>(*this, key);
}

ApprovalDecision ApprovalGate::decide(const std::string& run_id, const std::string& task_run_name,
                                      int attempt, bool approve, const std::string& actor,
                                      const std::string& message) {
  Key key{run_id, task_run_name, attempt};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return ApprovalDecision::kNotWaiting;
    const auto& names = it->second->approvers;
    if (!names.empty()) {
      bool allowed = false;
      for (const auto& n : names) allowed = allowed || actor == "token:" + n;
      if (!allowed) return ApprovalDecision::kNotAnApprover;
    }
  }
  std::string text = (approve ? "approved by " : "rejected by ") + actor;
  if (!message.empty()) text += ": " + message;
  finish(key, approve, approve ? "Succeeded" : "Rejected", text);
  return ApprovalDecision::kDecided;
}

void ApprovalGate::finish(const Key& key, bool succeeded, const std::string& reason,
                          const std::string& message) {
  std::shared_ptr<Waiting> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return;
    w = std::move(it->second);
    waiting_.erase(it);
  }
  exec::StepOutcome step;
  step.name = "approval";
  step.started = true;
  step.exit_code = succeeded ? 0 : 1;
  step.reason = succeeded ? "Completed" : "Error";
  step.message = message;
  step.started_at = w->started_at;
  step.finished_at = exec::Clock::now();
  w->sink->on_output(0, succeeded ? exec::Stream::kStdout : exec::Stream::kStderr, message + "\n");
  w->sink->on_step_finished(0, step);
  exec::TaskOutcome o;
  o.succeeded = succeeded;
  o.reason = reason;
  o.message = message;
  o.steps.push_back(step);
  o.started_at = w->started_at;
  o.finished_at = step.finished_at;
  w->on_done(std::move(o));
}

void ApprovalGate::watch_deadlines() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    std::optional<std::chrono::steady_clock::time_point> next;
    std::vector<Key> due;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [key, w] : waiting_) {
      if (!w->deadline) continue;
      if (*w->deadline <= now) {
        due.push_back(key);
      } else if (!next || *w->deadline < *next) {
        next = w->deadline;
      }
    }
    if (!due.empty()) {
      lock.unlock();
      for (const auto& k : due) finish(k, false, "TaskRunTimeout", "the approval gate timed out");
      lock.lock();
      continue;
    }
    if (next) {
      cv_.wait_until(lock, *next);
    } else {
      cv_.wait(lock);
    }
  }
}

}  // namespace baton::sched
