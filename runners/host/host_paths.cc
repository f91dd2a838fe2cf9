#include "runners/host/host_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace baton::runners {
namespace {

namespace fs = std::filesystem;

// True when `path` is `prefix` or below it (component-wise, so /workspace2 is not under
// /workspace).
bool under(std::string_view path, std::string_view prefix, std::string_view* rest) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (path.substr(0, prefix.size()) != prefix) return false;
  if (path.size() != prefix.size() && path[prefix.size()] != '/' && prefix != "/") return false;
  *rest = path.substr(prefix.size());
  return true;
}

}  // namespace

std::string AttemptPaths::step_dir(std::string_view step_name) const {
  return steps + "/step-" + std::string(step_name);
}
std::string AttemptPaths::step_exit_code(std::string_view step_name) const {
  return step_dir(step_name) + "/exitCode";
}
std::string AttemptPaths::step_results(std::string_view step_name) const {
  return step_dir(step_name) + "/results";
}
std::string AttemptPaths::result(std::string_view name) const {
  return results + "/" + std::string(name);
}
std::string AttemptPaths::run_dir(std::size_t step_index) const {
  return tekton + "/run/" + std::to_string(step_index);
}

AttemptPaths attempt_paths(const std::string& work_dir) {
  AttemptPaths p;
  p.root = work_dir;
  while (p.root.size() > 1 && p.root.back() == '/') p.root.pop_back();
  p.tekton = p.root + "/tekton";
  p.results = p.tekton + "/results";
  p.home = p.tekton + "/home";
  p.scripts = p.tekton + "/scripts";
  p.bin = p.tekton + "/bin";
  p.steps = p.tekton + "/steps";
  p.workspace = p.root + "/workspace";
  return p;
}

std::string to_host_path(const AttemptPaths& paths, const std::vector<exec::WorkspaceMount>& ws,
                         std::string_view path) {
  // Longest matching prefix wins: a workspace mounted at /workspace/src beats /workspace.
  std::size_t best_len = 0;
  std::string best;
  auto consider = [&](std::string_view prefix, const std::string& host) {
    std::string_view rest;
    if (prefix.size() > best_len && under(path, prefix, &rest)) {
      best_len = prefix.size();
      best = host + std::string(rest);
    }
  };
  consider("/tekton", paths.tekton);
  consider("/workspace", paths.workspace);
  for (const auto& w : ws) {
    if (!w.mount_path.empty()) consider(w.mount_path, w.host_path);
  }
  return best_len ? best : std::string(path);
}

Status make_dirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Fail("creating " + path + ": " + ec.message());
  return {};
}

namespace {
// mkdir of one directory whose parent exists: a plain mkdir(2), where fs::create_directories
// stats every component first.
Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return {};
  return Fail("creating " + path + ": " + std::strerror(errno));
}
}  // namespace

Status prepare_attempt_dirs(const AttemptPaths& paths, const exec::TaskInvocation& inv) {
  // Only what some step can use: creating 13 directories per attempt was a third of `baton
  // run`'s time on ext4 for 1,000 `true` tasks (tests/bench/README.md). /tekton/bin (unused on
  // the host) is not created; scripts/ only when a script will be written there; a step's
  // results/ only when it declares results; run/<i> only when there is more than one step (the
  // other steps see it read-only; a lone step has nobody to signal).
  bool scripts = false;
  for (const auto* list : {&inv.steps, &inv.sidecars}) {
    for (const auto& s : *list) scripts = scripts || !s.script.empty();
  }
  if (auto s = make_dirs(paths.tekton); !s) return s;
  for (const std::string* d : {&paths.results, &paths.home, &paths.steps, &paths.workspace}) {
    if (auto s = make_dir(*d); !s) return s;
  }
  if (scripts) {
    if (auto s = make_dir(paths.scripts); !s) return s;
  }
  const bool run_dirs = inv.steps.size() > 1;
  if (run_dirs) {
    if (auto s = make_dir(paths.tekton + "/run"); !s) return s;
  }
  for (std::size_t i = 0; i < inv.steps.size(); ++i) {
    const std::string& name = inv.steps[i].name;
    if (auto s = make_dir(paths.step_dir(name)); !s) return s;
    if (!inv.steps[i].result_names.empty()) {
      if (auto s = make_dir(paths.step_results(name)); !s) return s;
    }
    if (run_dirs) {
      if (auto s = make_dir(paths.run_dir(i)); !s) return s;
    }
    // Tekton also exposes each step's directory by index: /tekton/steps/<i>.
    const std::string link = paths.steps + "/" + std::to_string(i);
    if (::symlink(("step-" + name).c_str(), link.c_str()) != 0 && errno != EEXIST) {
      return Fail("creating " + link + ": " + std::strerror(errno));
    }
  }
  // Mount points of workspaces under /workspace must exist inside the attempt's workspace dir,
  // which is what /workspace shows once bind-mounted.
  for (const auto& w : inv.workspaces) {
    std::string_view rest;
    if (under(w.mount_path, "/workspace", &rest) && !rest.empty()) {
      if (auto s = make_dirs(paths.workspace + std::string(rest)); !s) return s;
    }
  }
  return {};
}

}  // namespace baton::runners
