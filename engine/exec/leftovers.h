#pragma once
// LeftoverReaper: what the engine asks of the runners when it recovers runs a dead engine
// process left behind: stop step processes that still run and remove containers. Implemented in
// runners/ (the engine itself never signals a process or talks to podman).

#include <functional>
#include <string>
#include <vector>

#include "engine/exec/runner.h"

namespace baton::exec {

/// Stops what runners left running for interrupted work.
class LeftoverReaper {
 public:
  virtual ~LeftoverReaper() = default;
  /// SIGKILLs the process group of `id` if it still is that process (same pid, start time and
  /// boot), or its leaderless group. Returns a sentence saying what was killed ("" if nothing).
  virtual std::string stop_process(const ProcessIdentity& id) = 0;
  /// Removes the containers labelled with a run id for which `is_leftover` says yes. Returns a
  /// line per container removed (or per failure).
  virtual std::vector<std::string> remove_containers(
      const std::function<bool(const std::string& run_id)>& is_leftover) = 0;
};

}  // namespace baton::exec
