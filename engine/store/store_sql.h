#pragma once
// Internal to engine/store: SQL helpers shared by the RunStore source files.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "engine/common/result.h"
#include "engine/store/records.h"
#include "engine/store/sqlite.h"

namespace baton::store::detail {

/// Prepares `sql` and binds `args` to parameters 1..N.
template <typename... Args>
Result<Statement> prepare_bound(Database& db, std::string_view sql, const Args&... args) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  if (auto s = stmt->bind_all(args...); !s.ok()) return s.error();
  return std::move(stmt).value();
}

/// Runs a statement that returns no rows.
template <typename... Args>
Status exec_bound(Database& db, std::string_view sql, const Args&... args) {
  auto stmt = prepare_bound(db, sql, args...);
  if (!stmt.ok()) return stmt.error();
  return stmt->run();
}

/// Steps through every row, calling `on_row` for each; stops at the first error.
template <typename F>
Status for_each_row(Statement& stmt, F&& on_row) {
  for (;;) {
    auto row = stmt.step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
    if (Status s = on_row(static_cast<const Statement&>(stmt)); !s.ok()) return s;
  }
}

/// The columns of a runs row, in the order read_run expects.
inline constexpr std::string_view kRunColumns =
    "id, kind, name, namespace, pipeline, spec, params, labels, annotations, delivery_id, "
    "parent_run_id, concurrency_group, trace_id, status, reason, message, created_at, queued_at, "
    "started_at, finished_at, repository, branch, commit_sha, trigger_type, actor";
/// Inserts a queued run row (with its run.created event) inside the caller's transaction.
Status insert_run(Database& db, const RunRecord& rec);
/// A run from a row of `SELECT kRunColumns`.
Result<RunRecord> read_run(const Statement& s);
/// One run by id; not_found if absent.
Result<RunRecord> select_run(Database& db, const std::string& id);

/// Appends one row to the event log (inside the caller's transaction).
Status append_event(Database& db, std::string_view run_id, std::int64_t time, std::string_view type,
                    const nlohmann::json& payload);

/// The run a task run belongs to; code not_found if the task run is absent.
Result<std::string> run_of_task_run(Database& db, const std::string& task_run_id);

/// The stored state of a row (`table` is a constant from the caller); not_found if absent.
Result<RunState> state_of(Database& db, std::string_view table, std::string_view key_sql,
                          const std::string& id);

/// Parses a stored status column; the CHECK constraints make a failure a corrupt store.
Result<RunState> parse_state_column(const Statement& stmt, int column);

/// name -> bytes rows of a (name, value) query.
Result<ResultMap> read_result_map(Statement& stmt);

}  // namespace baton::store::detail
