#pragma once
// Turns a resolved StepInvocation into what Subprocess runs: argv (Tekton's script rule),
// a clean environment, working directory and the bind mounts of /tekton and /workspace.

#include <string>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/host/host_paths.h"
#include "runners/host/subprocess.h"

namespace baton::runners {

/// Attempt-wide inputs of spec building.
struct StepContext {
  const exec::TaskInvocation* inv = nullptr;
  const AttemptPaths* paths = nullptr;
  std::string path_env;  // PATH given to every step unless its env overrides it
  bool mount_namespace = false;
  int step_index = -1;  // the step being spawned (-1: sidecar or probe)
};

/// Builds the spawn spec of `step`; writes its script (if any) to <scripts>/<tag>.
Result<SpawnSpec> build_spawn_spec(const StepContext& ctx, const exec::StepInvocation& step,
                                   const std::string& tag);

/// NAME when `image` is the reserved baton.dev/builtin/NAME (a native task), else "".
std::string builtin_task_name(const std::string& image);

/// The binary that runs built-in tasks: $BATON_EXE, else this process's executable.
Result<std::string> self_executable();

/// Writes `bytes` to `path` (created 0644 or `mode`, truncated), with O_CLOEXEC.
Status write_file(const std::string& path, std::string_view bytes, int mode = 0644);

}  // namespace baton::runners
