// RunStore: logs, spans and crash recovery.
#include <algorithm>
#include <map>

#include "engine/store/run_store.h"
#include "engine/store/store_sql.h"

namespace baton::store {

using detail::append_event;
using detail::exec_bound;
using detail::prepare_bound;
using Json = nlohmann::json;

namespace {

Result<std::vector<std::string>> column_strings(Statement& stmt) {
  std::vector<std::string> out;
  auto s = detail::for_each_row(stmt, [&](const Statement& r) -> Status {
    out.push_back(r.column_bytes(0));
    return {};
  });
  if (!s.ok()) return s.error();
  return out;
}

template <typename... Args>
Result<std::vector<std::string>> query_strings(Database& db, std::string_view sql,
                                               const Args&... args) {
  auto stmt = prepare_bound(db, sql, args...);
  if (!stmt.ok()) return stmt.error();
  return column_strings(*stmt);
}

}  // namespace

Result<std::vector<std::int64_t>> RunStore::append_logs(const std::string& task_run_id,
                                                        std::span<const LogChunk> chunks) {
  std::vector<std::int64_t> seqs;
  const std::int64_t t = now();
  auto s = write([&](Database& db) -> Status {
    seqs.clear();
    auto run_id = detail::run_of_task_run(db, task_run_id);
    if (!run_id.ok()) return run_id.error();
    std::map<int, std::int64_t> last;  // step -> last seq, read once per step per batch
    std::int64_t bytes = 0;
    for (const auto& c : chunks) {
      auto it = last.find(c.step_index);
      if (it == last.end()) {
        auto stmt = prepare_bound(db,
                                  "SELECT COALESCE(MAX(seq), 0) FROM log_chunks "
                                  "WHERE task_run_id = ? AND step_index = ?",
                                  task_run_id, std::int64_t{c.step_index});
        if (!stmt.ok()) return stmt.error();
        auto row = stmt->step();
        if (!row.ok()) return row.error();
        it = last.emplace(c.step_index, stmt->column_int64(0)).first;
      }
      const std::int64_t seq = ++it->second;
      if (auto i = exec_bound(db,
                              "INSERT INTO log_chunks (task_run_id, step_index, seq, time, stream, "
                              "data) VALUES (?, ?, ?, ?, ?, ?)",
                              task_run_id, std::int64_t{c.step_index}, seq,
                              c.time != 0 ? c.time : t, c.stream, Blob{c.data});
          !i.ok()) {
        return i;
      }
      seqs.push_back(seq);
      bytes += static_cast<std::int64_t>(c.data.size());
    }
    Json steps = Json::object();
    for (const auto& [step, seq] : last) steps[std::to_string(step)] = seq;
    return append_event(db, *run_id, t, "log.appended",
                        {{"task_run_id", task_run_id},
                         {"chunks", chunks.size()},
                         {"bytes", bytes},
                         {"last_seq", steps}});
  });
  if (!s.ok()) return s.error();
  return seqs;
}

Result<std::vector<LogChunk>> RunStore::read_logs(const std::string& task_run_id, int step_index,
                                                  std::int64_t from_seq, int limit) {
  std::vector<LogChunk> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt =
        prepare_bound(db,
                      "SELECT seq, time, stream, data FROM log_chunks WHERE task_run_id = ? "
                      "AND step_index = ? AND seq >= ? ORDER BY seq LIMIT ?",
                      task_run_id, std::int64_t{step_index}, from_seq,
                      std::int64_t{std::clamp(limit, 1, 100000)});
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(LogChunk{step_index, r.column_bytes(2), r.column_int64(1), r.column_bytes(3),
                             r.column_int64(0)});
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Status RunStore::add_span(const SpanRecord& span) {
  return write([&](Database& db) -> Status {
    return exec_bound(db,
                      "INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, run_id, "
                      "name, kind, start_ns, end_ns, attributes, status_code, status_message) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      span.trace_id, span.span_id, span.parent_span_id, span.run_id, span.name,
                      span.kind, span.start_ns, span.end_ns, span.attributes, span.status_code,
                      span.status_message);
  });
}

Result<std::vector<SpanRecord>> RunStore::list_spans(const std::string& trace_id) {
  std::vector<SpanRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db,
                              "SELECT span_id, parent_span_id, run_id, name, kind, start_ns, "
                              "end_ns, attributes, status_code, status_message FROM spans "
                              "WHERE trace_id = ? ORDER BY start_ns, span_id",
                              trace_id);
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(SpanRecord{trace_id, r.column_bytes(0), r.column_bytes(1), r.column_opt_text(2),
                               r.column_bytes(3), r.column_bytes(4), r.column_int64(5),
                               r.column_opt_int64(6), r.column_bytes(7), r.column_bytes(8),
                               r.column_bytes(9)});
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<RecoveredIds> RunStore::recover_interrupted(std::int64_t now_ms) {
  return recover(now_ms, std::nullopt, true);
}

Result<RecoveredIds> RunStore::interrupt_run(const std::string& run_id, std::int64_t now_ms) {
  return recover(now_ms, run_id, true);
}

Result<RecoveredIds> RunStore::interrupt_attempts(const std::string& run_id, std::int64_t now_ms) {
  return recover(now_ms, run_id, false);
}

Result<RecoveredIds> RunStore::recover(std::int64_t now_ms, const std::optional<std::string>& only,
                                       bool interrupt_runs) {
  RecoveredIds ids;
  // With `only`, just that run (its owner process is gone, others may be alive); the empty
  // string never matches a run id, so `?1 = ''` below means "every run".
  const std::string one = only.value_or("");
  static constexpr std::string_view kReason = "Interrupted";
  static constexpr std::string_view kMessage = "the engine stopped while this was running";
  auto s = write([&](Database& db) -> Status {
    ids = {};
    // Whatever was executing died with the engine; queued runs never started and stay queued.
    auto runs = query_strings(
        db, "SELECT id FROM runs WHERE status = 'running' AND (?1 = '' OR id = ?1) ORDER BY id",
        one);
    if (!runs.ok()) return runs.error();
    if (interrupt_runs) ids.runs = std::move(runs).value();
    auto trs = query_strings(db,
                             "SELECT id FROM task_runs WHERE status IN ('queued', 'running') "
                             "AND (?1 = '' OR run_id = ?1) ORDER BY id",
                             one);
    if (!trs.ok()) return trs.error();
    ids.task_runs = std::move(trs).value();
    // Running steps, and waiting steps of interrupted attempts (they will never start).
    auto steps = query_strings(db,
                               "SELECT task_run_id || '/' || step_index FROM steps s WHERE "
                               "(status = 'running' OR (status = 'queued' AND EXISTS (SELECT 1 "
                               "FROM task_runs t WHERE t.id = s.task_run_id AND t.status IN "
                               "('queued', 'running')))) AND (?1 = '' OR EXISTS (SELECT 1 FROM "
                               "task_runs t2 WHERE t2.id = s.task_run_id AND t2.run_id = ?1)) "
                               "ORDER BY task_run_id, step_index",
                               one);
    if (!steps.ok()) return steps.error();
    ids.steps = std::move(steps).value();

    if (auto u = exec_bound(db,
                            "UPDATE steps SET status = 'interrupted', reason = ?1, "
                            "finished_at = ?2 WHERE (status = 'running' OR (status = 'queued' AND "
                            "EXISTS (SELECT 1 FROM task_runs t WHERE t.id = steps.task_run_id "
                            "AND t.status IN ('queued', 'running')))) AND (?3 = '' OR EXISTS "
                            "(SELECT 1 FROM task_runs t2 WHERE t2.id = steps.task_run_id AND "
                            "t2.run_id = ?3))",
                            kReason, now_ms, one);
        !u.ok()) {
      return u;
    }
    for (const auto& id : ids.task_runs) {
      auto run_id = detail::run_of_task_run(db, id);
      if (!run_id.ok()) return run_id.error();
      if (auto u = exec_bound(db,
                              "UPDATE task_runs SET status = 'interrupted', reason = ?, "
                              "message = ?, finished_at = ? WHERE id = ?",
                              kReason, kMessage, now_ms, id);
          !u.ok()) {
        return u;
      }
      if (auto e = append_event(db, *run_id, now_ms, "task_run.finished",
                                {{"task_run_id", id},
                                 {"status", "interrupted"},
                                 {"reason", kReason},
                                 {"message", kMessage}});
          !e.ok()) {
        return e;
      }
    }
    for (const auto& id : ids.runs) {
      if (auto u = exec_bound(db,
                              "UPDATE runs SET status = 'interrupted', reason = ?, message = ?, "
                              "finished_at = ? WHERE id = ?",
                              kReason, kMessage, now_ms, id);
          !u.ok()) {
        return u;
      }
      if (auto e =
              append_event(db, id, now_ms, "run.status",
                           {{"status", "interrupted"}, {"reason", kReason}, {"message", kMessage}});
          !e.ok()) {
        return e;
      }
    }
    return {};
  });
  if (!s.ok()) return s.error();
  return ids;
}

}  // namespace baton::store
