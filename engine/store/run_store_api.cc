// RunStore: what the dashboard API adds: reused attempts of a retry, tokens, the audit trail.

#include <algorithm>

#include "engine/store/ids.h"
#include "engine/store/run_store.h"
#include "engine/store/store_sql.h"

namespace baton::store {

using detail::append_event;
using detail::exec_bound;
using detail::prepare_bound;
using Json = nlohmann::json;

namespace {

constexpr std::string_view kTokenColumns = "id, name, role, hash, created_at, last_used";

TokenRecord read_token(const Statement& s) {
  TokenRecord t;
  t.id = s.column_bytes(0);
  t.name = s.column_bytes(1);
  t.role = s.column_bytes(2);
  t.hash = s.column_bytes(3);
  t.created_at = s.column_int64(4);
  t.last_used = s.column_opt_int64(5);
  return t;
}

}  // namespace

Result<std::vector<TaskRunRecord>> RunStore::reuse_task_runs(
    const std::string& run_id, const std::vector<std::string>& task_run_ids) {
  std::vector<TaskRunRecord> out;
  const std::int64_t t = now();
  auto s = write([&](Database& db) -> Status {
    out.clear();
    for (const auto& source : task_run_ids) {
      auto stmt = prepare_bound(db,
                                "SELECT pipeline_task, name, attempt, matrix_index, is_finally, "
                                "status, started_at, finished_at FROM task_runs WHERE id = ?",
                                source);
      if (!stmt.ok()) return stmt.error();
      auto row = stmt->step();
      if (!row.ok()) return row.error();
      if (!*row) return Fail("task run " + source + " not found", "not_found");
      if (stmt->column_bytes(5) != "succeeded") {
        return Fail("task run " + source + " did not succeed; it cannot be reused", "conflict");
      }
      TaskRunRecord rec;
      rec.id = new_id("tr", t);
      rec.run_id = run_id;
      rec.pipeline_task = stmt->column_bytes(0);
      rec.name = stmt->column_bytes(1);
      rec.attempt = static_cast<int>(stmt->column_int64(2));
      if (auto m = stmt->column_opt_int64(3)) rec.matrix_index = static_cast<int>(*m);
      rec.is_finally = stmt->column_int64(4) != 0;
      rec.state = RunState::kSucceeded;
      rec.reason = "Reused";
      rec.message = "results reused from " + source;
      rec.created_at = t;
      rec.started_at = stmt->column_opt_int64(6);
      rec.finished_at = stmt->column_opt_int64(7);
      rec.reused_from = source;
      if (auto i = exec_bound(
              db,
              "INSERT INTO task_runs (id, run_id, pipeline_task, name, attempt, matrix_index, "
              "is_finally, status, reason, message, skipped_reason, created_at, started_at, "
              "finished_at, reused_from) VALUES (?, ?, ?, ?, ?, ?, ?, 'succeeded', ?, ?, '', ?, "
              "?, ?, ?)",
              rec.id, rec.run_id, rec.pipeline_task, rec.name, std::int64_t{rec.attempt},
              rec.matrix_index ? std::optional<std::int64_t>(*rec.matrix_index) : std::nullopt,
              std::int64_t{rec.is_finally ? 1 : 0}, rec.reason, rec.message, rec.created_at,
              rec.started_at, rec.finished_at, rec.reused_from);
          !i.ok()) {
        return i;
      }
      if (auto i = exec_bound(db,
                              "INSERT INTO task_results (task_run_id, name, value) "
                              "SELECT ?, name, value FROM task_results WHERE task_run_id = ?",
                              rec.id, source);
          !i.ok()) {
        return i;
      }
      if (auto i = exec_bound(
              db,
              "INSERT INTO steps (task_run_id, step_index, name, image, status, exit_code, "
              "reason, started_at, finished_at) SELECT ?, step_index, name, image, status, "
              "exit_code, reason, started_at, finished_at FROM steps WHERE task_run_id = ?",
              rec.id, source);
          !i.ok()) {
        return i;
      }
      auto results =
          prepare_bound(db, "SELECT name, value FROM task_results WHERE task_run_id = ?", rec.id);
      if (!results.ok()) return results.error();
      auto map = detail::read_result_map(*results);
      if (!map.ok()) return map.error();
      rec.results = std::move(map).value();
      if (auto e = append_event(db, run_id, t, "task_run.reused",
                                {{"task_run_id", rec.id},
                                 {"pipeline_task", rec.pipeline_task},
                                 {"reused_from", source},
                                 {"status", "succeeded"}});
          !e.ok()) {
        return e;
      }
      out.push_back(std::move(rec));
    }
    return {};
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<std::string>> RunStore::child_runs(const std::string& run_id) {
  std::vector<std::string> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(
        db, "SELECT id FROM runs WHERE parent_run_id = ? ORDER BY created_at, id", run_id);
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(r.column_bytes(0));
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::int64_t> RunStore::latest_event_seq() {
  std::int64_t seq = 0;
  auto s = read([&](Database& db) -> Status {
    auto stmt = db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    seq = stmt->column_int64(0);
    return {};
  });
  if (!s.ok()) return s.error();
  return seq;
}

Result<TokenRecord> RunStore::create_token(TokenRecord token) {
  token.created_at = now();
  if (token.id.empty()) token.id = new_id("tok", token.created_at);
  auto s = write([&](Database& db) -> Status {
    auto taken = prepare_bound(db, "SELECT 1 FROM tokens WHERE name = ?", token.name);
    if (!taken.ok()) return taken.error();
    auto row = taken->step();
    if (!row.ok()) return row.error();
    if (*row) return Fail("a token named \"" + token.name + "\" exists", "conflict");
    return exec_bound(
        db, "INSERT INTO tokens (" + std::string(kTokenColumns) + ") VALUES (?, ?, ?, ?, ?, NULL)",
        token.id, token.name, token.role, token.hash, token.created_at);
  });
  if (!s.ok()) return s.error();
  return token;
}

Result<TokenRecord> RunStore::use_token(const std::string& hash) {
  Result<TokenRecord> out = Fail("no such token", "not_found");
  const std::int64_t t = now();
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(
        db, "SELECT " + std::string(kTokenColumns) + " FROM tokens WHERE hash = ?", hash);
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (*row) out = read_token(*stmt);
    return {};
  });
  if (!s.ok()) return s.error();
  if (!out.ok()) return out;
  // last_used is advisory: written at most once a minute per token, so reads stay reads.
  if (!out->last_used || t - *out->last_used > 60'000) {
    (void)write([&](Database& db) -> Status {
      return exec_bound(db, "UPDATE tokens SET last_used = ? WHERE id = ?", t, out->id);
    });
    out->last_used = t;
  }
  return out;
}

Result<std::vector<TokenRecord>> RunStore::list_tokens() {
  std::vector<TokenRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt =
        db.prepare("SELECT " + std::string(kTokenColumns) + " FROM tokens ORDER BY created_at");
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(read_token(r));
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Status RunStore::delete_token(const std::string& id) {
  return write([&](Database& db) -> Status {
    auto stmt = prepare_bound(db, "SELECT 1 FROM tokens WHERE id = ?", id);
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) return Fail("token " + id + " not found", "not_found");
    return exec_bound(db, "DELETE FROM tokens WHERE id = ?", id);
  });
}

Status RunStore::add_audit(AuditRecord r) {
  if (r.time == 0) r.time = now();
  return write([&](Database& db) -> Status {
    return exec_bound(db,
                      "INSERT INTO audit (time, actor, action, target, outcome, detail) "
                      "VALUES (?, ?, ?, ?, ?, ?)",
                      r.time, r.actor, r.action, r.target, r.outcome, r.detail);
  });
}

Result<std::vector<AuditRecord>> RunStore::list_audit(int limit, std::int64_t before) {
  std::vector<AuditRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db,
                              "SELECT id, time, actor, action, target, outcome, detail FROM audit "
                              "WHERE ? = 0 OR id < ? ORDER BY id DESC LIMIT ?",
                              before, before, std::int64_t{std::clamp(limit, 1, 1000)});
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(AuditRecord{r.column_int64(0), r.column_int64(1), r.column_bytes(2),
                                r.column_bytes(3), r.column_bytes(4), r.column_bytes(5),
                                r.column_bytes(6)});
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace baton::store
