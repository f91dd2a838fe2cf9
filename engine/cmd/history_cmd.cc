// `baton runs` and `baton logs`: what the local run store remembers.

#include <cstdio>
#include <ctime>
#include <string>

#include "engine/cmd/commands.h"
#include "engine/cmd/options.h"
#include "engine/sched/recovery.h"
#include "engine/store/run_store.h"
#include "runners/leftover_reaper.h"

namespace baton::cmd {

namespace {

std::string when(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string duration(const store::RunRecord& r) {
  if (!r.started_at || !r.finished_at) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs",
                static_cast<double>(*r.finished_at - *r.started_at) / 1000.0);
  return buf;
}

// Opens the store and interrupts runs whose baton process died (SIGKILL, power loss), after
// killing the step processes and removing the containers it left running.
Result<std::unique_ptr<store::RunStore>> open_store(const std::string& path) {
  auto s = store::RunStore::open(path);
  if (s.ok()) {
    auto reaper = runners::make_leftover_reaper();
    (void)sched::recover_orphaned_runs(**s, reaper.get(), [](const std::string& line) {
      std::fprintf(stderr, "baton: %s\n", line.c_str());
    });
  }
  return s;
}

// --store PATH, else $BATON_HOME/baton.db; returns the remaining positional args.
bool store_arg(const std::vector<std::string>& args, std::string& path,
               std::vector<std::string>& rest, int& limit) {
  path = baton_home() + "/baton.db";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--store" && i + 1 < args.size()) {
      path = args[++i];
    } else if (args[i] == "--limit" && i + 1 < args.size()) {
      limit = std::atoi(args[++i].c_str());
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      return false;
    } else {
      rest.push_back(args[i]);
    }
  }
  return true;
}

}  // namespace

int run_runs(const std::vector<std::string>& args) {
  std::string path;
  std::vector<std::string> rest;
  int limit = 20;
  if (!store_arg(args, path, rest, limit) || !rest.empty()) {
    std::fputs("usage: baton runs [--store PATH] [--limit N]\n\nLists recent runs, newest first.\n",
               stderr);
    return 2;
  }
  auto store = open_store(path);
  if (!store.ok()) {
    std::fprintf(stderr, "baton runs: %s\n", store.error().message.c_str());
    return 1;
  }
  store::RunFilter filter;
  filter.limit = limit;
  auto page = (*store)->list_runs(filter);
  if (!page.ok()) {
    std::fprintf(stderr, "baton runs: %s\n", page.error().message.c_str());
    return 1;
  }
  std::printf("%-30s %-11s %-36s %-12s %-19s %s\n", "ID", "KIND", "NAME", "STATUS", "CREATED",
              "DURATION");
  for (const auto& r : page->runs) {
    std::printf("%-30s %-11s %-36s %-12s %-19s %s\n", r.id.c_str(), r.kind.c_str(), r.name.c_str(),
                std::string(store::to_string(r.state)).c_str(), when(r.created_at).c_str(),
                duration(r).c_str());
  }
  return 0;
}

int run_logs(const std::vector<std::string>& args) {
  std::string path;
  std::vector<std::string> rest;
  int limit = 0;
  if (!store_arg(args, path, rest, limit) || rest.size() != 1) {
    std::fputs(
        "usage: baton logs [--store PATH] RUN\n\nPrints the stored logs of a run (id or name).\n",
        stderr);
    return 2;
  }
  auto store = open_store(path);
  if (!store.ok()) {
    std::fprintf(stderr, "baton logs: %s\n", store.error().message.c_str());
    return 1;
  }
  std::string id = rest[0];
  if (!(*store)->get_run(id).ok()) {
    // Accept a run name: the newest run with that name.
    store::RunFilter filter;
    filter.limit = 1000;
    auto page = (*store)->list_runs(filter);
    bool found = false;
    if (page.ok()) {
      for (const auto& r : page->runs) {
        if (r.name == id) {
          id = r.id;
          found = true;
          break;
        }
      }
    }
    if (!found) {
      std::fprintf(stderr, "baton logs: no run \"%s\" in %s\n", rest[0].c_str(), path.c_str());
      return 1;
    }
  }
  auto task_runs = (*store)->list_task_runs(id);
  if (!task_runs.ok()) {
    std::fprintf(stderr, "baton logs: %s\n", task_runs.error().message.c_str());
    return 1;
  }
  for (const auto& tr : *task_runs) {
    auto steps = (*store)->list_steps(tr.id);
    if (!steps.ok()) continue;
    for (const auto& st : *steps) {
      std::int64_t from = 0;
      for (;;) {
        auto chunks = (*store)->read_logs(tr.id, st.index, from, 1000);
        if (!chunks.ok() || chunks->empty()) break;
        for (const auto& c : *chunks) {
          std::string prefix = "[" + tr.pipeline_task + ":" + st.name + "] ";
          std::size_t start = 0;
          while (start < c.data.size()) {
            std::size_t nl = c.data.find('\n', start);
            std::string line =
                c.data.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
            std::printf("%s%s\n", prefix.c_str(), line.c_str());
            if (nl == std::string::npos) break;
            start = nl + 1;
          }
          from = c.seq + 1;
        }
      }
    }
  }
  return 0;
}

}  // namespace baton::cmd
