#include "runners/host/attempt_base.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "runners/host/step_spec.h"

namespace baton::runners {
namespace {

using exec::Clock;

// Reads a result file: nullopt when absent; an error when larger than `limit`.
Result<std::optional<std::string>> read_result(const std::string& path, std::size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Fail("reading " + path + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail("reading " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > limit) return Fail("too large", "limit");
  }
  return std::optional<std::string>(std::move(data));
}

std::string quoted_step(const std::string& name) { return "\"step-" + name + "\""; }

}  // namespace

AttemptBase::AttemptBase(exec::TaskInvocation inv, exec::LogSink& sink,
                         std::function<void(exec::TaskOutcome)> on_done, AttemptLimits limits)
    : inv_(std::move(inv)),
      sink_(sink),
      limits_(limits),
      paths_(attempt_paths(inv_.work_dir)),
      procs_(sink),
      on_done_(std::move(on_done)) {}

void AttemptBase::cancel(bool timeout) {
  int expected = 0;
  cancel_.compare_exchange_strong(expected, timeout ? 2 : 1);
  if (ready_) procs_.wake();
}

std::string AttemptBase::cancel_reason() const {
  return cancel_ == 2 ? "TaskRunTimeout" : "TaskRunCancelled";
}

void AttemptBase::run() {
  exec::TaskOutcome out = execute();
  cleanup();
  on_done_(std::move(out));
}

void AttemptBase::fail(const std::string& message) {
  exec::TaskOutcome out;
  out.reason = "InternalError";
  out.message = message;
  out.started_at = out.finished_at = Clock::now();
  on_done_(std::move(out));
}

void AttemptBase::stop(const std::vector<Proc*>& procs) {
  procs_.terminate(procs, limits_.kill_grace);
}

Status AttemptBase::open_output_copies(const exec::StepInvocation& s, Proc& proc) {
  for (auto [path, fd] :
       {std::pair{&s.stdout_path, &proc.copy_out}, std::pair{&s.stderr_path, &proc.copy_err}}) {
    if (path->empty()) continue;
    const std::string host = to_host_path(paths_, inv_.workspaces, *path);
    const auto slash = host.rfind('/');
    if (slash != std::string::npos && slash > 0) (void)make_dirs(host.substr(0, slash));
    fd->reset(::open(host.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd->valid()) {
      return Fail("opening " + *path + " for the step's output: " + std::strerror(errno));
    }
  }
  return {};
}

exec::TaskOutcome AttemptBase::execute() {
  exec::TaskOutcome out;
  out.started_at = Clock::now();
  if (inv_.timeout) task_deadline_ = SteadyClock::now() + *inv_.timeout;
  out.steps.resize(inv_.steps.size());
  for (std::size_t i = 0; i < inv_.steps.size(); ++i) out.steps[i].name = inv_.steps[i].name;
  auto fail_before_steps = [&](const std::string& reason, const std::string& msg) {
    out.succeeded = false;
    out.reason = reason;
    out.message = msg;
    for (std::size_t i = 0; i < out.steps.size(); ++i) {
      out.steps[i].reason = "Skipped";
      sink_.on_step_finished(i, out.steps[i]);
    }
    out.finished_at = Clock::now();
    return out;
  };
  const std::string who = std::string(limits_.runner_name) + " runner: ";
  if (inv_.work_dir.empty())
    return fail_before_steps("InternalError", who + "TaskInvocation has no work_dir");
  if (auto s = procs_.init(); !s) return fail_before_steps("InternalError", s.error().message);
  ready_ = true;
  if (auto s = prepare_attempt_dirs(paths_, inv_); !s)
    return fail_before_steps("InternalError", s.error().message);
  if (auto s = prepare(); !s) {
    const std::string& code = s.error().code;
    return fail_before_steps(code.empty() ? "InternalError" : code, s.error().message);
  }

  out.succeeded = true;
  out.reason = "Succeeded";
  std::string not_run_reason;  // why steps after the current one are not started
  if (!start_sidecars(out) || !wait_sidecars_ready(out)) not_run_reason = "Skipped";
  for (std::size_t i = 0; i < inv_.steps.size(); ++i) {
    exec::StepOutcome& o = out.steps[i];
    if (not_run_reason.empty() && cancel_) not_run_reason = cancel_reason();
    if (not_run_reason.empty() && SteadyClock::now() >= task_deadline_) {
      not_run_reason = "TaskRunTimeout";
    }
    if (!not_run_reason.empty()) {
      o.reason = not_run_reason;
      sink_.on_step_finished(i, o);
      if (out.succeeded || not_run_reason != "Skipped") {
        out.succeeded = false;
        out.reason = not_run_reason == "Skipped" ? "Failed" : not_run_reason;
      }
      continue;
    }
    const End end = run_step(i, o);
    sink_.on_step_finished(i, o);
    const bool failed = end != End::kExited || o.exit_code != 0;
    const bool tolerated =
        (end == End::kExited || end == End::kSpawnFailed) && inv_.steps[i].on_error == "continue";
    if (!failed || tolerated) continue;
    out.succeeded = false;
    if (end == End::kCancelled || end == End::kTaskTimeout) {
      out.reason = o.reason;
      not_run_reason = o.reason;
      out.message =
          out.reason == "TaskRunTimeout"
              ? "TaskRun \"" + inv_.task_run_name + "\" failed to finish within its timeout"
              : "TaskRun \"" + inv_.task_run_name + "\" was cancelled";
    } else {
      out.reason = "Failed";
      not_run_reason = "Skipped";
      out.message = o.message.empty()
                        ? quoted_step(o.name) + " exited with code " + std::to_string(o.exit_code)
                        : o.message;
    }
  }
  stop_sidecars();
  read_results(out);
  out.finished_at = Clock::now();
  return out;
}

bool AttemptBase::start_sidecars(exec::TaskOutcome& out) {
  for (std::size_t j = 0; j < inv_.sidecars.size(); ++j) {
    const auto& s = inv_.sidecars[j];
    auto proc =
        spawn(s, ProcRole::kSidecar, j, "sidecar-" + std::to_string(j), inv_.steps.size() + j);
    if (!proc) {
      out.succeeded = false;
      out.reason = "Failed";
      out.message = "sidecar \"" + s.name + "\": " + proc.error().message;
      return false;
    }
    sidecars_.push_back(&procs_.add(std::move(*proc)));
  }
  return true;
}

bool AttemptBase::wait_sidecars_ready(exec::TaskOutcome& out) {
  // A sidecar without a probe is Ready in Kubernetes once its container runs; the first step
  // of a pod then starts after the kubelet noticed, typically hundreds of ms later. Give such
  // sidecars a short head start so a sidecar's first action (writing a file, opening a port)
  // usually happens before the steps start, as it does in a pod.
  bool unprobed = false;
  for (const auto& s : inv_.sidecars) unprobed = unprobed || !probed(s);
  if (unprobed && unprobed_head_start().count() > 0) {
    const auto head_start = SteadyClock::now() + unprobed_head_start();
    while (!cancel_ && SteadyClock::now() < head_start) procs_.pump_once(head_start);
  }
  for (std::size_t j = 0; j < inv_.sidecars.size(); ++j) {
    const auto& s = inv_.sidecars[j];
    if (!probed(s)) continue;
    const auto deadline = std::min(task_deadline_, SteadyClock::now() + s.ready_timeout);
    bool ready = false;
    for (int attempt = 0; !ready && !cancel_ && SteadyClock::now() < deadline; ++attempt) {
      auto made = spawn(s, ProcRole::kProbe, j,
                        "probe-" + std::to_string(j) + "-" + std::to_string(attempt),
                        inv_.steps.size() + j);
      if (!made) break;
      Proc& proc = procs_.add(std::move(*made));
      while (!proc.exited() && !cancel_ && SteadyClock::now() < deadline)
        procs_.pump_once(deadline);
      if (!proc.exited()) procs_.terminate({&proc}, limits_.kill_grace);
      procs_.finish(proc);
      ready = proc.sp->exit_code().value_or(-1) == 0;
      procs_.remove(proc);
      if (!ready) {
        // Kubernetes probes every periodSeconds; wait briefly (interruptible by cancel).
        procs_.pump_once(std::min(deadline, SteadyClock::now() + std::chrono::milliseconds(500)));
      }
    }
    if (!ready) {
      out.succeeded = false;
      out.reason = cancel_ ? cancel_reason() : "Failed";
      out.message = "sidecar \"" + s.name + "\" did not become ready";
      return false;
    }
  }
  return true;
}

AttemptBase::End AttemptBase::run_step(std::size_t i, exec::StepOutcome& o) {
  const exec::StepInvocation& step = inv_.steps[i];
  o.started = true;
  o.started_at = Clock::now();
  sink_.on_step_started(i, step.name);
  auto made = spawn(step, ProcRole::kStep, i, "step-" + std::to_string(i), i);
  End end = End::kExited;
  if (!made) {
    end = End::kSpawnFailed;
    o.exit_code = 127;  // the shell's "command not found"
    o.reason = "Error";
    o.message = quoted_step(step.name) + ": " + made.error().message;
    sink_.on_output(i, exec::Stream::kStderr, made.error().message + "\n");
  } else {
    Proc& proc = procs_.add(std::move(*made));
    const auto step_deadline =
        step.timeout ? SteadyClock::now() + *step.timeout : SteadyClock::time_point::max();
    while (!proc.exited()) {
      const auto now = SteadyClock::now();
      if (cancel_)
        end = End::kCancelled;
      else if (now >= task_deadline_)
        end = End::kTaskTimeout;
      else if (now >= step_deadline)
        end = End::kStepTimeout;
      if (end != End::kExited) break;
      procs_.pump_once(std::min(step_deadline, task_deadline_));
    }
    if (end != End::kExited) stop({&proc});
    procs_.finish(proc);
    o.exit_code = proc.sp->exit_code().value_or(-1);
    procs_.remove(proc);
    switch (end) {
      case End::kExited:
        o.reason = o.exit_code == 0 ? "Completed" : "Error";
        if (o.exit_code != 0) o.message = describe_exit(i, o.exit_code);
        break;
      case End::kStepTimeout:
        o.reason = "TimeoutExceeded";
        o.message = quoted_step(step.name) +
                    " exited because the step exceeded the specified timeout limit";
        break;
      case End::kTaskTimeout:
        o.reason = "TaskRunTimeout";
        break;
      case End::kCancelled:
        o.reason = cancel_reason();
        break;
      case End::kSpawnFailed:
        break;
    }
  }
  o.finished_at = Clock::now();
  (void)write_file(paths_.step_exit_code(step.name), std::to_string(o.exit_code));
  for (const auto& r : step.result_names) {
    auto v = read_result(paths_.step_results(step.name) + "/" + r, limits_.max_result_bytes);
    if (v && *v) o.results[r] = std::move(**v);
    if (!v && oversized_.empty()) oversized_ = "step \"" + step.name + "\" result \"" + r + "\"";
  }
  return end;
}

void AttemptBase::stop_sidecars() {
  if (sidecars_.empty()) return;
  stop(sidecars_);
  for (Proc* p : sidecars_) {
    procs_.finish(*p);
    procs_.remove(*p);
  }
  sidecars_.clear();
}

void AttemptBase::read_results(exec::TaskOutcome& out) {
  const std::string limit = std::string(" larger than the ") + limits_.runner_name +
                            " runner's limit of " + std::to_string(limits_.max_result_bytes) +
                            " bytes";
  if (!oversized_.empty() && out.succeeded) {
    out.succeeded = false;
    out.reason = "TaskRunResultLargerThanAllowedLimit";
    out.message = oversized_ + " is unreadable or" + limit;
  }
  for (const auto& name : inv_.result_names) {
    auto v = read_result(paths_.result(name), limits_.max_result_bytes);
    if (v) {
      if (*v) out.results[name] = std::move(**v);
      continue;
    }
    if (!out.succeeded) continue;  // keep the first failure's reason
    out.succeeded = false;
    if (v.error().code == "limit") {
      out.reason = "TaskRunResultLargerThanAllowedLimit";
      out.message = "result \"" + name + "\" is" + limit;
    } else {
      out.reason = "Failed";
      out.message = v.error().message;
    }
  }
}

}  // namespace baton::runners
