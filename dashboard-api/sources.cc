#include "dashboard-api/sources.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <tuple>

#include "dashboard-api/git_source.h"

namespace baton::api {

namespace {

namespace fs = std::filesystem;

// FNV-1a, 64 bit: stable across builds and runs, unlike std::hash, so cache directory names
// survive a restart.
class Fnv {
 public:
  void add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 0x100000001b3ULL;
  }
  void add(const std::string& s) {
    add(s.data(), s.size() + 1);  // with the NUL, so ("ab","c") != ("a","bc")
  }
  void add(std::int64_t v) { add(&v, sizeof v); }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

// (relative path, size, mtime ns) of every YAML file, sorted so the walk order does not matter.
Result<std::string> directory_fingerprint(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Fail("source directory " + dir + ": no such directory");
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto ext = it->path().extension();
    std::error_code fe;
    if ((ext != ".yaml" && ext != ".yml") || !it->is_regular_file(fe)) continue;
    // A file deleted between the listing and the stat is simply not part of this snapshot.
    auto size = fs::file_size(it->path(), fe);
    if (fe) continue;
    auto mtime = fs::last_write_time(it->path(), fe);
    if (fe) continue;
    files.emplace_back(
        it->path().lexically_relative(dir).string(), static_cast<std::int64_t>(size),
        std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count());
  }
  if (ec) return Fail("source directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  Fnv h;
  for (const auto& [path, size, ns] : files) {
    h.add(path);
    h.add(size);
    h.add(ns);
  }
  return h.hex();
}

}  // namespace

Result<SourceSnapshot> materialise_sources(const std::vector<SourceConfig>& sources,
                                           const std::string& cache_dir) {
  SourceSnapshot snap;
  for (const auto& s : sources) {
    if (s.git_url.empty()) {
      auto fp = directory_fingerprint(s.directory);
      if (!fp.ok()) return fp.error();
      snap.directories.push_back(s.directory);
      snap.fingerprint += "dir:" + *fp + ";";
      continue;
    }
    // The ref is part of the key: two sources on one repository must not share a work tree.
    Fnv key;
    key.add(s.git_url);
    key.add(s.git_ref);
    const std::string checkout = (fs::path(cache_dir) / key.hex()).string();
    auto commit = checkout_git(s.git_url, s.git_ref, checkout);
    if (!commit.ok()) return commit.error();
    std::string dir = s.git_path.empty()
                          ? checkout
                          : (fs::path(checkout) / s.git_path).lexically_normal().string();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return Fail("git source " + s.git_url + " (ref " + s.git_ref + "): no directory \"" +
                  s.git_path + "\" at commit " + *commit);
    }
    snap.directories.push_back(dir);
    snap.fingerprint += "git:" + *commit + ";";
  }
  return snap;
}

}  // namespace baton::api
