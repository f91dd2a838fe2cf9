#pragma once
// PodmanAttempt: one TaskRun attempt in containers. AttemptBase sequences it; this class turns
// steps into `podman run`, probes into `podman exec`, checks images against the pull policy
// before anything starts, and removes every container it named when stopping or at the end.

#include <map>
#include <string>
#include <vector>

#include "runners/host/attempt_base.h"
#include "runners/podman/podman_runner.h"

namespace baton::runners {

/// A podman TaskRun attempt.
class PodmanAttempt final : public AttemptBase {
 public:
  PodmanAttempt(exec::TaskInvocation inv, exec::LogSink& sink,
                std::function<void(exec::TaskOutcome)> on_done, const PodmanRunnerOptions& options,
                std::vector<std::string> podman);

 private:
  Status prepare() override;
  Result<std::unique_ptr<Proc>> spawn(const exec::StepInvocation& s, ProcRole role,
                                      std::size_t index, const std::string& tag,
                                      std::size_t sink_index) override;
  void stop(const std::vector<Proc*>& procs) override;
  bool probed(const exec::StepInvocation&) const override { return true; }
  std::chrono::milliseconds unprobed_head_start() const override { return {}; }
  std::string describe_exit(std::size_t i, int code) const override;
  void cleanup() override;

  /// Makes the image of every step and sidecar present (pull policy), or says which is not.
  Status ensure_images();
  Status ensure_image(const std::string& image, const std::string& policy,
                      const std::string& written, const std::string& who);
  /// The image's CMD when it has no ENTRYPOINT (empty otherwise), from `podman image inspect`.
  Result<std::vector<std::string>> image_cmd(const std::string& image);
  std::string container_name(const std::string& tag) const;
  /// The busybox-static of this machine copied to /tekton/bin (once), or "" when absent.
  std::string mkdir_shell();
  void remove_containers(const std::vector<std::string>& names, int grace_seconds);
  Result<std::unique_ptr<Proc>> start_proc(const std::vector<std::string>& argv,
                                           std::size_t sink_index);

  PodmanRunnerOptions options_;
  std::vector<std::string> podman_;
  std::string prefix_;                                          // container names: <prefix>-<tag>
  std::vector<std::string> step_images_, sidecar_images_;       // after the image map
  std::map<std::string, std::vector<std::string>> image_cmds_;  // for steps with only args
  std::map<const Proc*, std::string> names_;  // live container of each step/sidecar process
  std::string shell_;                         // mkdir_shell(): "" unknown, "-" none
  std::vector<std::string> created_;          // every container name used, for cleanup()
};

}  // namespace baton::runners
