// Retry failed: which attempts of the original run a retry reuses instead of running again.

#include <filesystem>

#include "engine/sched/dispatcher.h"

namespace baton::sched {

Result<std::size_t> reuse_succeeded(store::RunStore& store, const RunPlan& plan,
                                    const std::string& parent_id, const std::string& run_id) {
  auto parent = prior_from_store(store, parent_id);
  if (!parent.ok()) return parent.error();
  // Runs again: every DAG task that did not succeed (failed, timed out, cancelled, interrupted,
  // never run) and everything downstream of one (the plan's edges, built by engine/dag), and
  // every finally task (they report on the whole run).
  std::vector<bool> again(plan.tasks.size(), false);
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    auto it = parent->find(plan.tasks[i].task.name);
    if (plan.tasks[i].is_finally || it == parent->end() ||
        it->second.status != TaskStatus::kSucceeded) {
      again[i] = true;
    }
  }
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {  // DAG tasks come in spec order
    for (std::size_t p : plan.tasks[i].parents) again[i] = again[i] || again[p];
  }
  // Parents may be declared after their children: propagate until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
      for (std::size_t c : plan.tasks[i].children) {
        if (again[i] && !again[c]) again[c] = changed = true;
      }
    }
  }
  auto attempts = store.list_task_runs(parent_id);
  if (!attempts.ok()) return attempts.error();
  std::vector<std::string> sources;
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    if (again[i]) continue;
    for (const auto& tr : *attempts) {
      if (tr.pipeline_task == plan.tasks[i].task.name && tr.state == store::RunState::kSucceeded) {
        sources.push_back(tr.id);
      }
    }
  }
  auto copied = store.reuse_task_runs(run_id, sources);
  if (!copied.ok()) return copied.error();
  return copied->size();
}

Status carry_workspaces(const std::string& home, const std::string& parent_id,
                        const std::string& run_id) {
  namespace fs = std::filesystem;
  const fs::path from = fs::path(home) / "runs" / parent_id / "workspaces";
  const fs::path to = fs::path(home) / "runs" / run_id / "workspaces";
  std::error_code ec;
  if (!fs::is_directory(from, ec) || fs::exists(to, ec)) return {};
  const fs::path partial = to.string() + ".partial";
  fs::remove_all(partial, ec);
  fs::create_directories(partial.parent_path(), ec);
  fs::copy(from, partial, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (!ec) fs::rename(partial, to, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    return Fail("cannot copy the workspaces of " + parent_id + ": " + ec.message());
  }
  return {};
}

}  // namespace baton::sched
