#include "engine/sched/recovery.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
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

}  // namespace

std::map<std::string, std::string> owner_annotations() {
  std::string pid = std::to_string(getpid());
  return {{kPid, pid}, {kStart, start_time_of(pid)}};
}

Result<std::vector<std::string>> recover_orphaned_runs(store::RunStore& store) {
  std::vector<std::string> interrupted;
  store::RunFilter filter;
  filter.state = store::RunState::kRunning;
  filter.limit = 500;
  for (;;) {
    auto page = store.list_runs(filter);
    if (!page.ok()) return page.error();
    for (const auto& r : page->runs) {
      auto ann = nlohmann::json::parse(r.annotations, nullptr, false);
      std::string pid = ann.is_object() ? ann.value(kPid, "") : "";
      std::string start = ann.is_object() ? ann.value(kStart, "") : "";
      // No owner: a run of `baton serve`, which resumes it at its next start.
      if (pid.empty()) continue;
      bool alive = !start.empty() && start_time_of(pid) == start;
      if (alive) continue;
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      auto ids = store.interrupt_run(r.id, now);
      if (!ids.ok()) return ids.error();
      interrupted.push_back(r.id);
    }
    if (!page->next) break;
    filter.after = page->next;
  }
  return interrupted;
}

}  // namespace baton::sched
