#include "dashboard-api/sources.h"

#include <filesystem>
#include <functional>

namespace baton::api {

namespace fs = std::filesystem;

Result<SourceSnapshot> materialise_sources(const std::vector<SourceConfig>& sources,
                                           const std::string& /*cache_dir*/) {
  SourceSnapshot snap;
  std::size_t h = 0;
  auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  for (const auto& s : sources) {
    if (!s.git_url.empty()) {
      return Fail("source git " + s.git_url + " (ref " + s.git_ref +
                  "): git sources are not supported by this build yet");
    }
    snap.directories.push_back(s.directory);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(s.directory, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto ext = it->path().extension();
      if (ext != ".yaml" && ext != ".yml") continue;
      std::error_code e2;
      mix(std::hash<std::string>{}(it->path().string()));
      mix(static_cast<std::size_t>(it->file_size(e2)));
      mix(static_cast<std::size_t>(it->last_write_time(e2).time_since_epoch().count()));
    }
    if (ec) return Fail("source directory " + s.directory + ": " + ec.message());
  }
  snap.fingerprint = std::to_string(h);
  return snap;
}

}  // namespace baton::api
