#include "engine/sched/run_queue.h"

#include <map>
#include <set>

namespace baton::sched {

DispatchPlan plan_dispatch(const std::vector<QueuedRun>& queued,
                           const std::vector<ActiveRun>& active, std::size_t max_active) {
  DispatchPlan plan;
  std::set<std::string> busy_groups;
  for (const auto& a : active) {
    if (!a.group.empty()) busy_groups.insert(a.group);
  }
  // The newest queued run of each cancel-in-progress group supersedes everything older.
  std::map<std::string, std::size_t> newest;
  for (std::size_t i = 0; i < queued.size(); ++i) {
    if (!queued[i].group.empty() && queued[i].policy == ConcurrencyPolicy::kCancelInProgress) {
      newest[queued[i].group] = i;
    }
  }
  std::set<std::string> superseding;  // groups whose active runs must stop first
  for (const auto& [group, index] : newest) {
    (void)index;
    if (busy_groups.count(group)) superseding.insert(group);
  }
  for (const auto& a : active) {
    if (superseding.count(a.group)) plan.cancel_running.push_back(a.id);
  }
  std::size_t running = active.size();
  std::set<std::string> waiting_groups;  // a group with an older run still waiting
  for (std::size_t i = 0; i < queued.size(); ++i) {
    const QueuedRun& q = queued[i];
    if (!q.group.empty()) {
      auto n = newest.find(q.group);
      if (n != newest.end() && n->second != i) {
        plan.supersede_queued.push_back(q.id);
        continue;
      }
      if (busy_groups.count(q.group) || waiting_groups.count(q.group)) {
        waiting_groups.insert(q.group);
        continue;
      }
    }
    if (running >= max_active) {
      if (!q.group.empty()) waiting_groups.insert(q.group);
      continue;
    }
    plan.start.push_back(q.id);
    ++running;
    if (!q.group.empty()) busy_groups.insert(q.group);
  }
  return plan;
}

bool parse_concurrency_policy(const std::string& text, ConcurrencyPolicy* out) {
  if (text.empty() || text == "queue") {
    *out = ConcurrencyPolicy::kQueue;
    return true;
  }
  if (text == "cancel-in-progress") {
    *out = ConcurrencyPolicy::kCancelInProgress;
    return true;
  }
  return false;
}

}  // namespace baton::sched
