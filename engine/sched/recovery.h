#pragma once
// Local crash recovery. Several `baton run` processes may share one store, so a run is
// interrupted only when the process that owned it is gone. Each run records its owner (pid and
// process start time, so a recycled pid is not mistaken for the owner). A dead engine may also
// have left step processes and containers running: each step's process is on record
// (RunStore::record_process), and the runners' LeftoverReaper stops them before the attempts are
// marked interrupted or run again (runners/host/README.md, "Crash recovery").

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/leftovers.h"
#include "engine/store/run_store.h"

namespace baton::sched {

/// Where recovery reports what it stopped (one line each); may be empty.
using RecoveryLog = std::function<void(const std::string& line)>;

/// Annotations that name this process as a run's owner.
std::map<std::string, std::string> owner_annotations();

/// Kills (through `reaper`) the recorded processes of `run_id`'s unfinished attempts that still
/// run. Call it before those attempts are marked interrupted or run again. Returns, per
/// "<task_run_id>/<index>" that was killed, the sentence for that step's restart marker.
std::map<std::string, std::string> stop_leftover_processes(store::RunStore& store,
                                                           exec::LeftoverReaper& reaper,
                                                           const std::string& run_id,
                                                           const RecoveryLog& log = {});

/// Removes containers left behind for this store's runs that no live process executes: finished
/// or interrupted runs, and running ones whose `baton run` owner is gone. With
/// `resuming_ownerless`, running runs without an owner count too (`baton serve` at start, which
/// resumes them). Containers of other stores' runs (ids not in this store) are never touched.
void remove_leftover_containers(store::RunStore& store, exec::LeftoverReaper& reaper,
                                bool resuming_ownerless, const RecoveryLog& log = {});

/// Marks every running run whose owner process is gone as interrupted (with its task runs and
/// steps), after stopping through `reaper` (when given) the step processes and containers it
/// left. Runs without an owner belong to `baton serve` and are left for it to resume.
/// Returns the ids it interrupted.
Result<std::vector<std::string>> recover_orphaned_runs(store::RunStore& store,
                                                       exec::LeftoverReaper* reaper = nullptr,
                                                       const RecoveryLog& log = {});

}  // namespace baton::sched
