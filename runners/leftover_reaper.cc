#include "runners/leftover_reaper.h"

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "runners/host/subprocess.h"
#include "runners/podman/podman_cli.h"
#include "runners/podman/podman_runner.h"

namespace baton::runners {
namespace {

// Whether `name` would start: a path, or found in PATH. A machine without podman has no
// containers to clean, and should not pay for (or log) a failing command at every start.
bool installed(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (::access(((dir.empty() ? "." : dir) + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string LocalLeftoverReaper::stop_process(const exec::ProcessIdentity& id) {
  return Subprocess::kill_leftover(id);
}

std::vector<std::string> LocalLeftoverReaper::remove_containers(
    const std::function<bool(const std::string& run_id)>& is_leftover) {
  std::vector<std::string> lines;
  if (podman_.empty() || !installed(podman_.front())) return lines;
  auto ps = podman_;
  ps.insert(ps.end(),
            {"ps", "--all", "--filter", std::string("label=") + kRunLabel, "--format", "json"});
  auto listed = run_cli(ps, std::chrono::seconds(60));
  if (!listed || listed->exit_code != 0) {
    lines.push_back("podman: cannot list containers of runs: " +
                    (listed ? last_line(listed->err) : listed.error().message));
    return lines;
  }
  auto json = nlohmann::json::parse(listed->out, nullptr, false);
  if (!json.is_array()) return lines;
  std::map<std::string, std::string> doomed;  // container id -> run id
  for (const auto& c : json) {
    if (!c.is_object() || !c.contains("Labels") || !c["Labels"].is_object()) continue;
    const auto& labels = c["Labels"];
    auto run = labels.find(kRunLabel);
    auto cid = c.find("Id");
    if (run == labels.end() || !run->is_string() || cid == c.end() || !cid->is_string()) continue;
    if (is_leftover(run->get<std::string>())) doomed[cid->get<std::string>()] = *run;
  }
  if (doomed.empty()) return lines;
  auto rm = podman_;
  rm.insert(rm.end(), {"rm", "--force", "--ignore", "--time", "0"});
  for (const auto& [cid, run] : doomed) rm.push_back(cid);
  auto removed = run_cli(rm, std::chrono::seconds(120));
  if (!removed || removed->exit_code != 0) {
    lines.push_back("podman rm of leftover containers failed: " +
                    (removed ? last_line(removed->err) : removed.error().message));
  }
  for (const auto& [cid, run] : doomed) {
    lines.push_back("run " + run + ": removed container " + cid.substr(0, 12) +
                    " left by the previous engine process");
  }
  return lines;
}

std::unique_ptr<exec::LeftoverReaper> make_leftover_reaper() {
  PodmanRunner defaults{PodmanRunnerOptions{}};
  return std::make_unique<LocalLeftoverReaper>(defaults.podman_argv());
}

}  // namespace baton::runners
