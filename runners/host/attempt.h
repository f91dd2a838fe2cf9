#pragma once
// Attempt: one TaskRun attempt on the host, run synchronously on its own thread: sidecars up,
// steps in order, sidecars down, results read, on_done once.

#include <atomic>
#include <functional>
#include <optional>

#include "engine/exec/runner.h"
#include "runners/host/host_paths.h"
#include "runners/host/host_runner.h"
#include "runners/host/process_set.h"

namespace baton::runners {

/// A TaskRun attempt; run() is the thread body, cancel() may come from any thread.
class Attempt {
 public:
  Attempt(exec::TaskInvocation inv, exec::LogSink& sink,
          std::function<void(exec::TaskOutcome)> on_done, const HostRunnerOptions& options,
          bool mount_namespace);
  /// Runs the attempt to the end and calls on_done exactly once.
  void run();
  /// Ends the attempt without running it (reason InternalError), in place of run().
  void fail(const std::string& message);
  /// Requests cancellation (reason TaskRunTimeout when `timeout`); idempotent.
  void cancel(bool timeout);

 private:
  enum class End { kExited, kSpawnFailed, kStepTimeout, kTaskTimeout, kCancelled };

  exec::TaskOutcome execute();
  bool start_sidecars(exec::TaskOutcome& out);
  End run_step(std::size_t i, exec::StepOutcome& o);
  std::optional<std::unique_ptr<Proc>> spawn(const exec::StepInvocation& s, const std::string& tag,
                                             std::size_t sink_index, std::string* error,
                                             int step_index = -1);
  /// Runs each sidecar's readiness probe until it passes; false (and `out` failed) if one
  /// never does within its timeout, or the TaskRun is cancelled or times out meanwhile.
  bool wait_sidecars_ready(exec::TaskOutcome& out);
  void stop_sidecars();
  void read_results(exec::TaskOutcome& out);
  std::string cancel_reason() const;
  void emit_notices();

  exec::TaskInvocation inv_;
  exec::LogSink& sink_;
  std::function<void(exec::TaskOutcome)> on_done_;
  HostRunnerOptions options_;
  bool mount_namespace_;
  AttemptPaths paths_;
  ProcessSet procs_;
  std::vector<Proc*> sidecars_;
  std::string oversized_;  // first step result that could not be read back
  SteadyClock::time_point task_deadline_ = SteadyClock::time_point::max();
  std::atomic<int> cancel_{0};      // 0: running, 1: cancelled, 2: cancelled as timeout
  std::atomic<bool> ready_{false};  // the wake fd exists
};

}  // namespace baton::runners
