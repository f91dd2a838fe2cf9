#pragma once
// The runners' side of crash recovery (engine/sched/recovery.h): host step processes a dead
// engine left running are killed by their recorded identity; podman containers of its runs are
// found by their `baton.dev/run` label and removed.

#include <memory>
#include <string>
#include <vector>

#include "engine/exec/leftovers.h"

namespace baton::runners {

/// Kills recorded host processes; removes labelled containers through `podman` (when found).
class LocalLeftoverReaper final : public exec::LeftoverReaper {
 public:
  /// `podman_argv`: podman and its global flags; empty or not installed: no container cleanup.
  explicit LocalLeftoverReaper(std::vector<std::string> podman_argv)
      : podman_(std::move(podman_argv)) {}

  std::string stop_process(const exec::ProcessIdentity& id) override;
  std::vector<std::string> remove_containers(
      const std::function<bool(const std::string& run_id)>& is_leftover) override;

 private:
  std::vector<std::string> podman_;
};

/// The reaper of this build's runners, with podman's default command line.
std::unique_ptr<exec::LeftoverReaper> make_leftover_reaper();

}  // namespace baton::runners
