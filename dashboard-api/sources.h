#pragma once
// The directories `baton serve` loads YAML from, materialised from its configured sources.

#include <string>
#include <vector>

#include "dashboard-api/serve_config.h"
#include "engine/common/result.h"

namespace baton::api {

/// Directories to load, and a fingerprint that changes when any YAML file under them changes.
struct SourceSnapshot {
  std::vector<std::string> directories;
  std::string fingerprint;
};

/// Local directories as they are; git sources are not supported by this build yet (an error
/// naming the URL). The fingerprint hashes (path, size, mtime) of every *.yaml/*.yml file.
Result<SourceSnapshot> materialise_sources(const std::vector<SourceConfig>& sources,
                                           const std::string& cache_dir);

}  // namespace baton::api
