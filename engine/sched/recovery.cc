#include "engine/sched/recovery.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <sstream>

namespace baton::sched {

namespace {

constexpr const char* kPid = "baton.dev/engine-pid";
constexpr const char* kStart = "baton.dev/engine-start";

// Field 22 of /proc/<pid>/stat: the process start time in clock ticks since boot.
std::string start_time_of(const std::string& pid) {
  std::ifstream f("/proc/" + pid + "/stat");
  std::string stat;
  if (!std::getline(f, stat)) return {};
  std::size_t paren = stat.rfind(')');  // the command name may contain spaces
  if (paren == std::string::npos) return {};
  std::istringstream rest(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return field;
  }
  return {};
}

enum class Owner { kNone, kAlive, kGone };

// Whose run it is: nobody's (`baton serve`), or a `baton run` process alive or gone.
Owner owner_of(const std::string& annotations) {
  auto ann = nlohmann::json::parse(annotations, nullptr, false);
  const std::string pid = ann.is_object() ? ann.value(kPid, "") : "";
  const std::string start = ann.is_object() ? ann.value(kStart, "") : "";
  if (pid.empty()) return Owner::kNone;
  return !start.empty() && start_time_of(pid) == start ? Owner::kAlive : Owner::kGone;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::map<std::string, std::string> owner_annotations() {
  std::string pid = std::to_string(getpid());
  return {{kPid, pid}, {kStart, start_time_of(pid)}};
}

std::map<std::string, std::string> stop_leftover_processes(store::RunStore& store,
                                                           exec::LeftoverReaper& reaper,
                                                           const std::string& run_id,
                                                           const RecoveryLog& log) {
  std::map<std::string, std::string> killed;
  auto procs = store.unfinished_processes(run_id);
  if (!procs.ok()) {
    if (log) log("run " + run_id + ": cannot read its step processes: " + procs.error().message);
    return killed;
  }
  for (const auto& p : *procs) {
    exec::ProcessIdentity id{p.pid, p.pgid, static_cast<std::uint64_t>(p.start_time), p.boot_id};
    std::string what = reaper.stop_process(id);
    if (what.empty()) continue;
    const std::string key = p.task_run_id + "/" + std::to_string(p.index);
    if (log) log("run " + run_id + ": task run " + key + ": " + what);
    killed[key] = what;
  }
  return killed;
}

void remove_leftover_containers(store::RunStore& store, exec::LeftoverReaper& reaper,
                                bool resuming_ownerless, const RecoveryLog& log) {
  auto lines = reaper.remove_containers([&](const std::string& run_id) {
    auto run = store.get_run(run_id);
    if (!run.ok()) return false;                               // not this store's run
    if (run->state == store::RunState::kQueued) return false;  // never started
    if (run->state != store::RunState::kRunning) return true;  // over: nothing should remain
    const Owner owner = owner_of(run->annotations);
    return owner == Owner::kGone || (owner == Owner::kNone && resuming_ownerless);
  });
  if (log) {
    for (const auto& l : lines) log(l);
  }
}

Result<std::vector<std::string>> recover_orphaned_runs(store::RunStore& store,
                                                       exec::LeftoverReaper* reaper,
                                                       const RecoveryLog& log) {
  std::vector<std::string> interrupted;
  store::RunFilter filter;
  filter.state = store::RunState::kRunning;
  filter.limit = 500;
  for (;;) {
    auto page = store.list_runs(filter);
    if (!page.ok()) return page.error();
    for (const auto& r : page->runs) {
      // No owner: a run of `baton serve`, which resumes it at its next start.
      if (owner_of(r.annotations) != Owner::kGone) continue;
      std::map<std::string, std::string> killed;
      if (reaper) killed = stop_leftover_processes(store, *reaper, r.id, log);
      auto ids = store.interrupt_run(r.id, now_ms());
      if (!ids.ok()) return ids.error();
      for (const auto& [key, what] : killed) {
        auto slash = key.rfind('/');
        store::LogChunk marker;
        marker.step_index = std::stoi(key.substr(slash + 1));
        marker.stream = "stderr";
        marker.data = "baton: the engine stopped while this step ran; at recovery " + what + "\n";
        (void)store.append_logs(key.substr(0, slash), std::span(&marker, 1));
      }
      interrupted.push_back(r.id);
    }
    if (!page->next) break;
    filter.after = page->next;
  }
  if (reaper && !interrupted.empty()) remove_leftover_containers(store, *reaper, false, log);
  return interrupted;
}

}  // namespace baton::sched
