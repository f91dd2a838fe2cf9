#pragma once
// The directories `baton serve` loads YAML from, materialised from its configured sources.

#include <string>
#include <vector>

#include "dashboard-api/serve_config.h"
#include "engine/common/result.h"

namespace baton::api {

/// Directories to load, in source order, and a fingerprint that changes when any source does.
struct SourceSnapshot {
  std::vector<std::string> directories;
  std::string fingerprint;  // changes when a YAML file's path, size or mtime, or a commit, does
};

/// Local directories as they are; git sources checked out (libgit2) at their ref into
/// <cache_dir>/<hash of url and ref>, then `git_path` inside. Directory fingerprints hash
/// (relative path, size, mtime ns) of every *.yaml/*.yml file under them; git ones are the
/// commit id. Errors name the directory, or the URL and ref.
Result<SourceSnapshot> materialise_sources(const std::vector<SourceConfig>& sources,
                                           const std::string& cache_dir);

}  // namespace baton::api
