#pragma once
// PodmanRunner: runs each step of a TaskRun attempt in a container of its image through the
// podman CLI, with the host runner's /tekton and /workspace layout bind-mounted into every
// container (see runners/podman/README.md).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/host/attempt_pool.h"
#include "runners/podman/image_map.h"

namespace baton::runners {

/// Tunables of the podman runner.
struct PodmanRunnerOptions {
  std::string podman = "podman";
  /// Global flags before every subcommand. runc: crun refuses this kernel's cgroup layout.
  std::vector<std::string> global_args = {"--runtime", "runc"};
  ImageMap images;
  /// imagePullPolicy of steps that give none. Not Kubernetes' "Always for :latest": a local
  /// engine should not ask a registry before every step.
  std::string default_pull_policy = "IfNotPresent";
  /// false: never pull (a missing image fails the TaskRun naming it); tests use this.
  bool allow_pull = true;
  std::chrono::milliseconds pull_timeout{600'000};
  /// `podman rm -f -t` grace (whole seconds) when stopping a container.
  std::chrono::milliseconds kill_grace{2000};
  std::size_t max_result_bytes = 1 << 20;
};

/// The podman exec::Runner.
class PodmanRunner final : public exec::Runner {
 public:
  /// Checks that podman runs here (`podman --version`); the error says what is missing.
  static Result<std::unique_ptr<PodmanRunner>> create(PodmanRunnerOptions options);
  explicit PodmanRunner(PodmanRunnerOptions options) : options_(std::move(options)) {}
  /// Cancels every attempt still running (their containers are removed) and waits.
  ~PodmanRunner() override = default;

  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink& sink,
                                         std::function<void(exec::TaskOutcome)> on_done) override;
  const char* name() const override { return "podman"; }

  /// podman and its global flags, the start of every command line.
  std::vector<std::string> podman_argv() const;

 private:
  PodmanRunnerOptions options_;
  AttemptPool pool_;  // last: destroyed first
};

/// Label keys on every container the runner creates (find leftovers with
/// `podman ps -a --filter label=baton.dev/run`).
inline constexpr const char* kRunLabel = "baton.dev/run";
inline constexpr const char* kTaskRunLabel = "baton.dev/task-run";
inline constexpr const char* kAttemptLabel = "baton.dev/attempt";

}  // namespace baton::runners
