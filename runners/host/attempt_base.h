#pragma once
// AttemptBase: the shape of one TaskRun attempt that every local runner shares, run
// synchronously on its own thread: attempt directories, sidecars up and ready, steps in order
// (timeouts, onError, cancellation), sidecars down, step and task results read back, on_done
// once. Subclasses say how a step, sidecar or probe becomes a process (host: the command
// itself; podman: `podman run`/`podman exec`) and how processes are stopped.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/host/host_paths.h"
#include "runners/host/process_set.h"

namespace baton::runners {

/// What a spawned process is for.
enum class ProcRole { kStep, kSidecar, kProbe };

/// Tunables shared by the local runners.
struct AttemptLimits {
  std::chrono::milliseconds kill_grace{2000};  // between SIGTERM and SIGKILL
  std::size_t max_result_bytes = 1 << 20;
  const char* runner_name = "host";  // in messages
};

/// A TaskRun attempt; run() is the thread body, cancel() may come from any thread.
class AttemptBase {
 public:
  AttemptBase(exec::TaskInvocation inv, exec::LogSink& sink,
              std::function<void(exec::TaskOutcome)> on_done, AttemptLimits limits);
  virtual ~AttemptBase() = default;
  /// Runs the attempt to the end and calls on_done exactly once.
  void run();
  /// Ends the attempt without running it (reason InternalError), in place of run().
  void fail(const std::string& message);
  /// Requests cancellation (reason TaskRunTimeout when `timeout`); idempotent.
  void cancel(bool timeout);

 protected:
  /// After the attempt directories exist, before any sidecar or step: notices, checks.
  /// An error fails the TaskRun with `reason` (the error's code) or InternalError.
  virtual Status prepare() = 0;
  /// Starts the process of step/sidecar `s` (role kStep/kSidecar; `index` = step or sidecar
  /// index), or the readiness probe of sidecar `index` (kProbe, `s` = that sidecar, `tag`
  /// unique per try). Output goes to the sink under `sink_index`.
  virtual Result<std::unique_ptr<Proc>> spawn(const exec::StepInvocation& s, ProcRole role,
                                              std::size_t index, const std::string& tag,
                                              std::size_t sink_index) = 0;
  /// Stops live processes (timeout, cancel, sidecars after the last step). Default: SIGTERM to
  /// each group, SIGKILL after the grace period.
  virtual void stop(const std::vector<Proc*>& procs);
  /// Whether sidecar `s` is probed before steps start (default: when it has a probe command).
  virtual bool probed(const exec::StepInvocation& s) const { return !s.ready_command.empty(); }
  /// Head start of sidecars that are not probed (a kubelet notices "running" late too).
  virtual std::chrono::milliseconds unprobed_head_start() const {
    return std::chrono::milliseconds(200);
  }
  /// Message of step `i` exiting with non-zero `code` ("" = the generic "exited with code").
  virtual std::string describe_exit(std::size_t /*i*/, int /*code*/) const { return ""; }
  /// After the last step and the sidecars stopped (success or not): release what prepare()
  /// or spawn() set up outside the process set.
  virtual void cleanup() {}

  /// Opens a step's stdoutConfig/stderrConfig copies into `proc`.
  Status open_output_copies(const exec::StepInvocation& s, Proc& proc);
  bool cancelled() const { return cancel_ != 0; }

  exec::TaskInvocation inv_;
  exec::LogSink& sink_;
  AttemptLimits limits_;
  AttemptPaths paths_;
  ProcessSet procs_;

 private:
  enum class End { kExited, kSpawnFailed, kStepTimeout, kTaskTimeout, kCancelled };

  exec::TaskOutcome execute();
  bool start_sidecars(exec::TaskOutcome& out);
  bool wait_sidecars_ready(exec::TaskOutcome& out);
  End run_step(std::size_t i, exec::StepOutcome& o);
  void stop_sidecars();
  void read_results(exec::TaskOutcome& out);
  std::string cancel_reason() const;

  std::function<void(exec::TaskOutcome)> on_done_;
  std::vector<Proc*> sidecars_;
  std::string oversized_;  // first step result that could not be read back
  SteadyClock::time_point task_deadline_ = SteadyClock::time_point::max();
  std::atomic<int> cancel_{0};      // 0: running, 1: cancelled, 2: cancelled as timeout
  std::atomic<bool> ready_{false};  // the wake fd exists
};

}  // namespace baton::runners
