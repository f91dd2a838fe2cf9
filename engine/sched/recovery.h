#pragma once
// Local crash recovery for `baton run`: several `baton run` processes may share one store, so a
// run is interrupted only when the process that owned it is gone. Each run records its owner
// (pid and process start time, so a recycled pid is not mistaken for the owner).

#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/store/run_store.h"

namespace baton::sched {

/// Annotations that name this process as a run's owner.
std::map<std::string, std::string> owner_annotations();

/// Marks every running run whose owner process is gone as interrupted (with its task runs and
/// steps). Runs without an owner belong to `baton serve` and are left for it to resume.
/// Returns the ids it interrupted.
Result<std::vector<std::string>> recover_orphaned_runs(store::RunStore& store);

}  // namespace baton::sched
