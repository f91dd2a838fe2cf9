#pragma once
// HostRunner: runs each TaskRun attempt as plain processes on this machine, one thread per
// attempt, with Tekton's /tekton and /workspace layout (see runners/host/README.md).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "engine/exec/runner.h"
#include "runners/host/attempt_pool.h"

namespace baton::runners {

/// Tunables of the host runner.
struct HostRunnerOptions {
  /// Bind /tekton and /workspace in a private mount namespace per step (needs root).
  bool use_mount_namespace = true;
  /// PATH of every step; empty: the engine's own PATH, else a standard one.
  std::string path_env;
  /// Between SIGTERM and SIGKILL when stopping a step or sidecar.
  std::chrono::milliseconds kill_grace{2000};
  /// Largest accepted task or step result (Tekton's whole termination message is 4 KiB).
  std::size_t max_result_bytes = 1 << 20;
  /// Steps die with the engine (PR_SET_PDEATHSIG; `baton run`, which no daemon restarts to
  /// recover). Either way each step's process is reported for crash recovery.
  bool kill_steps_with_engine = false;
};

/// The host-process exec::Runner.
class HostRunner final : public exec::Runner {
 public:
  explicit HostRunner(HostRunnerOptions options = {});
  /// Cancels every attempt still running and waits for their on_done.
  ~HostRunner() override;

  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink& sink,
                                         std::function<void(exec::TaskOutcome)> on_done) override;
  const char* name() const override { return "host"; }
  /// Whether steps get private mount namespaces (false: literal /tekton paths do not work).
  bool mount_namespaces() const { return namespaces_; }

 private:
  HostRunnerOptions options_;
  bool namespaces_ = false;
  AttemptPool pool_;  // last: destroyed (attempts cancelled and waited for) first
};

}  // namespace baton::runners
