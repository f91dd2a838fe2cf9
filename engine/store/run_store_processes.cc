// RunStore: the host processes of steps, for crash recovery (schemas/migrations/0004).
#include "engine/store/run_store.h"
#include "engine/store/store_sql.h"

namespace baton::store {

using detail::exec_bound;
using detail::prepare_bound;

Status RunStore::record_process(const ProcessRecord& p) {
  return write([&](Database& db) -> Status {
    return exec_bound(db,
                      "INSERT OR REPLACE INTO processes (task_run_id, proc_index, pid, pgid, "
                      "start_time, boot_id) VALUES (?, ?, ?, ?, ?, ?)",
                      p.task_run_id, std::int64_t{p.index}, p.pid, p.pgid, p.start_time, p.boot_id);
  });
}

Result<std::vector<ProcessRecord>> RunStore::unfinished_processes(const std::string& run_id) {
  std::vector<ProcessRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db,
                              "SELECT p.task_run_id, p.proc_index, p.pid, p.pgid, p.start_time, "
                              "p.boot_id FROM processes p JOIN task_runs t ON t.id = "
                              "p.task_run_id WHERE t.run_id = ? AND t.status IN ('queued', "
                              "'running') ORDER BY p.task_run_id, p.proc_index",
                              run_id);
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(ProcessRecord{r.column_bytes(0), static_cast<int>(r.column_int64(1)),
                                  r.column_int64(2), r.column_int64(3), r.column_int64(4),
                                  r.column_bytes(5)});
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace baton::store
