#pragma once
// Where a TaskRun attempt's Tekton paths live on the host. Steps see /tekton and /workspace
// (bind-mounted from these directories); the engine substitutes $(results.x.path) and friends
// with these host paths, so both views name the same files. See runners/host/README.md.

#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"

namespace baton::runners {

/// Host paths of one attempt, all under `root` (= TaskInvocation::work_dir).
struct AttemptPaths {
  std::string root;       // work_dir
  std::string tekton;     // <root>/tekton        -> /tekton
  std::string results;    // <root>/tekton/results -> /tekton/results
  std::string home;       // <root>/tekton/home    -> /tekton/home (HOME)
  std::string scripts;    // <root>/tekton/scripts
  std::string bin;        // <root>/tekton/bin
  std::string steps;      // <root>/tekton/steps
  std::string workspace;  // <root>/workspace      -> /workspace

  /// <root>/tekton/steps/step-<name> (Tekton's /tekton/steps/step-<name>).
  std::string step_dir(std::string_view step_name) const;
  /// <step_dir>/exitCode
  std::string step_exit_code(std::string_view step_name) const;
  /// <step_dir>/results; `$(step.results.r.path)` is <step_results>/r.
  std::string step_results(std::string_view step_name) const;
  /// <results>/<name>: `$(results.name.path)`.
  std::string result(std::string_view name) const;
  /// <root>/tekton/run/<i>
  std::string run_dir(std::size_t step_index) const;
};

/// The host paths of the attempt whose scratch directory is `work_dir`.
AttemptPaths attempt_paths(const std::string& work_dir);

/// Maps a path as a step sees it to the host: /tekton/... and /workspace/... to the attempt's
/// directories, a workspace's mount_path (and below) to its host_path; other paths unchanged.
std::string to_host_path(const AttemptPaths& paths, const std::vector<exec::WorkspaceMount>& ws,
                         std::string_view path);

/// Creates the attempt's directory tree: tekton/{results,home,steps/step-<name>}, steps/<i>
/// links, workspace/ and mount points of workspaces under /workspace; scripts/, a step's
/// results/ and run/<i> only when something can use them (see host_paths.cc).
Status prepare_attempt_dirs(const AttemptPaths& paths, const exec::TaskInvocation& inv);

/// mkdir -p.
Status make_dirs(const std::string& path);

}  // namespace baton::runners
