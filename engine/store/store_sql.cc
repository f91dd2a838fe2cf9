#include "engine/store/store_sql.h"

namespace baton::store::detail {

Status append_event(Database& db, std::string_view run_id, std::int64_t time, std::string_view type,
                    const nlohmann::json& payload) {
  // Messages may carry bytes from user programs: replace invalid UTF-8 instead of throwing.
  const std::string text = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return exec_bound(db, "INSERT INTO events (run_id, time, type, payload) VALUES (?, ?, ?, ?)",
                    run_id, time, type, text);
}

Result<std::string> run_of_task_run(Database& db, const std::string& task_run_id) {
  auto stmt = prepare_bound(db, "SELECT run_id FROM task_runs WHERE id = ?", task_run_id);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Fail("task run " + task_run_id + " not found", "not_found");
  return stmt->column_bytes(0);
}

Result<RunState> state_of(Database& db, std::string_view table, std::string_view key_sql,
                          const std::string& id) {
  const std::string sql =
      "SELECT status FROM " + std::string(table) + " WHERE " + std::string(key_sql);
  auto stmt = prepare_bound(db, sql, id);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Fail(std::string(table) + " row " + id + " not found", "not_found");
  return parse_state_column(*stmt, 0);
}

Result<RunState> parse_state_column(const Statement& stmt, int column) {
  const std::string text = stmt.column_bytes(column);
  auto state = parse_run_state(text);
  if (!state) return Fail("store: unknown status '" + text + "' [sql: " + stmt.sql() + "]");
  return *state;
}

Result<ResultMap> read_result_map(Statement& stmt) {
  ResultMap out;
  auto s = for_each_row(stmt, [&](const Statement& r) -> Status {
    out[r.column_bytes(0)] = r.column_bytes(1);
    return {};
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace baton::store::detail
