#pragma once
// Reading who a process is from /proc: its start time (field 22 of /proc/<pid>/stat), process
// group, and this boot's id, so that a process recorded by one engine can be recognised, and a
// recycled pid told apart, by the next (runners/host/README.md, "Crash recovery").

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/exec/runner.h"

namespace baton::runners {

/// What /proc/<pid>/stat says of a live process.
struct ProcStat {
  char state = '?';  // R, S, D, Z (zombie: dead, not yet reaped), ...
  pid_t pgrp = 0;
  std::uint64_t start_time = 0;  // clock ticks since boot
};

/// nullopt when `pid` does not exist (or is unreadable).
std::optional<ProcStat> read_proc_stat(pid_t pid);

/// /proc/sys/kernel/random/boot_id ("" when unreadable), read once.
const std::string& boot_id();

/// The identity of a live child that leads its own process group.
std::optional<exec::ProcessIdentity> identity_of(pid_t pid);

/// Live (not zombie) processes of process group `pgid` that started at or after `since` (ticks).
std::vector<pid_t> group_members(pid_t pgid, std::uint64_t since);

}  // namespace baton::runners
