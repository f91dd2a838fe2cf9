// RunStore: task run attempts, their results and steps.
#include "engine/store/ids.h"
#include "engine/store/run_store.h"
#include "engine/store/store_sql.h"

namespace baton::store {

using detail::append_event;
using detail::exec_bound;
using detail::prepare_bound;
using Json = nlohmann::json;

namespace {

constexpr std::string_view kTaskRunColumns =
    "id, run_id, pipeline_task, name, attempt, matrix_index, is_finally, status, reason, message, "
    "skipped_reason, created_at, started_at, finished_at, reused_from";

std::optional<std::int64_t> widen(std::optional<int> v) {
  return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

std::optional<int> narrow(std::optional<std::int64_t> v) {
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

Result<TaskRunRecord> read_task_run(const Statement& s) {
  TaskRunRecord r;
  r.id = s.column_bytes(0);
  r.run_id = s.column_bytes(1);
  r.pipeline_task = s.column_bytes(2);
  r.name = s.column_bytes(3);
  r.attempt = static_cast<int>(s.column_int64(4));
  r.matrix_index = narrow(s.column_opt_int64(5));
  r.is_finally = s.column_int64(6) != 0;
  auto state = detail::parse_state_column(s, 7);
  if (!state.ok()) return state.error();
  r.state = *state;
  r.reason = s.column_bytes(8);
  r.message = s.column_bytes(9);
  r.skipped_reason = s.column_bytes(10);
  r.created_at = s.column_int64(11);
  r.started_at = s.column_opt_int64(12);
  r.finished_at = s.column_opt_int64(13);
  r.reused_from = s.column_opt_text(14);
  return r;
}

Status load_results(Database& db, TaskRunRecord& tr) {
  auto stmt =
      prepare_bound(db, "SELECT name, value FROM task_results WHERE task_run_id = ?", tr.id);
  if (!stmt.ok()) return stmt.error();
  auto results = detail::read_result_map(*stmt);
  if (!results.ok()) return results.error();
  tr.results = std::move(results).value();
  return {};
}

// Rows of a task_runs query, each with its results.
Status collect_task_runs(Database& db, Statement& stmt, std::vector<TaskRunRecord>& out) {
  auto s = detail::for_each_row(stmt, [&](const Statement& r) -> Status {
    auto tr = read_task_run(r);
    if (!tr.ok()) return tr.error();
    out.push_back(std::move(tr).value());
    return {};
  });
  if (!s.ok()) return s;
  for (auto& tr : out) {
    if (auto loaded = load_results(db, tr); !loaded.ok()) return loaded;
  }
  return {};
}

}  // namespace

Result<TaskRunRecord> RunStore::insert_task_run(const NewTaskRun& task_run, RunState state,
                                                std::string_view skipped_reason,
                                                const char* event) {
  TaskRunRecord rec;
  static_cast<NewTaskRun&>(rec) = task_run;
  rec.state = state;
  rec.skipped_reason = std::string(skipped_reason);
  rec.created_at = now();
  if (state == RunState::kRunning) rec.started_at = rec.created_at;
  if (is_terminal(state)) rec.finished_at = rec.created_at;
  if (rec.id.empty()) rec.id = new_id("tr", rec.created_at);
  auto s = write([&](Database& db) -> Status {
    const std::string sql = "INSERT INTO task_runs (" + std::string(kTaskRunColumns) +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, NULL)";
    if (auto i = exec_bound(db, sql, rec.id, rec.run_id, rec.pipeline_task, rec.name,
                            std::int64_t{rec.attempt}, widen(rec.matrix_index),
                            std::int64_t{rec.is_finally ? 1 : 0}, to_string(rec.state),
                            rec.skipped_reason, rec.created_at, rec.started_at, rec.finished_at);
        !i.ok()) {
      return i;
    }
    Json payload = {{"task_run_id", rec.id},
                    {"pipeline_task", rec.pipeline_task},
                    {"attempt", rec.attempt},
                    {"status", to_string(rec.state)}};
    if (rec.matrix_index) payload["matrix_index"] = *rec.matrix_index;
    if (!rec.skipped_reason.empty()) payload["skipped_reason"] = rec.skipped_reason;
    return append_event(db, rec.run_id, rec.created_at, event, payload);
  });
  if (!s.ok()) return s.error();
  return rec;
}

Result<TaskRunRecord> RunStore::start_task_run(const NewTaskRun& task_run) {
  return insert_task_run(task_run, RunState::kRunning, "", "task_run.started");
}

Result<TaskRunRecord> RunStore::skip_task_run(const NewTaskRun& task_run,
                                              std::string_view skipped_reason) {
  return insert_task_run(task_run, RunState::kSkipped, skipped_reason, "task_run.skipped");
}

Status RunStore::finish_task_run(const std::string& id, RunState state, std::string_view reason,
                                 std::string_view message) {
  if (!is_terminal(state)) return Fail("finish_task_run needs a terminal state", "invalid");
  const std::int64_t t = now();
  return write([&](Database& db) -> Status {
    auto current = detail::state_of(db, "task_runs", "id = ?", id);
    if (!current.ok()) return current.error();
    if (is_terminal(*current)) {
      return Fail("task run " + id + " is already " + std::string(to_string(*current)), "conflict");
    }
    if (auto u = exec_bound(db,
                            "UPDATE task_runs SET status = ?, reason = ?, message = ?, "
                            "finished_at = ? WHERE id = ?",
                            to_string(state), reason, message, t, id);
        !u.ok()) {
      return u;
    }
    auto run_id = detail::run_of_task_run(db, id);
    if (!run_id.ok()) return run_id.error();
    return append_event(db, *run_id, t, "task_run.finished",
                        {{"task_run_id", id},
                         {"status", to_string(state)},
                         {"reason", reason},
                         {"message", message}});
  });
}

Status RunStore::set_task_results(const std::string& task_run_id, const ResultMap& results) {
  const std::int64_t t = now();
  return write([&](Database& db) -> Status {
    auto run_id = detail::run_of_task_run(db, task_run_id);
    if (!run_id.ok()) return run_id.error();
    Json names = Json::array();
    for (const auto& [name, value] : results) {
      if (auto i =
              exec_bound(db,
                         "INSERT INTO task_results (task_run_id, name, value) VALUES (?, ?, ?) "
                         "ON CONFLICT (task_run_id, name) DO UPDATE SET value = excluded.value",
                         task_run_id, name, Blob{value});
          !i.ok()) {
        return i;
      }
      names.push_back(name);
    }
    return append_event(db, *run_id, t, "task_run.results",
                        {{"task_run_id", task_run_id}, {"names", names}});
  });
}

Result<TaskRunRecord> RunStore::get_task_run(const std::string& id) {
  std::vector<TaskRunRecord> found;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(
        db, "SELECT " + std::string(kTaskRunColumns) + " FROM task_runs WHERE id = ?", id);
    if (!stmt.ok()) return stmt.error();
    return collect_task_runs(db, *stmt, found);
  });
  if (!s.ok()) return s.error();
  if (found.empty()) return Fail("task run " + id + " not found", "not_found");
  return std::move(found.front());
}

Result<std::vector<TaskRunRecord>> RunStore::list_task_runs(const std::string& run_id) {
  std::vector<TaskRunRecord> out;
  auto s = read([&](Database& db) -> Status {
    // rowid follows insertion order, which is creation order.
    auto stmt = prepare_bound(db,
                              "SELECT " + std::string(kTaskRunColumns) +
                                  " FROM task_runs WHERE run_id = ? ORDER BY created_at, rowid",
                              run_id);
    if (!stmt.ok()) return stmt.error();
    return collect_task_runs(db, *stmt, out);
  });
  if (!s.ok()) return s.error();
  return out;
}

Status RunStore::upsert_step(const StepRecord& step) {
  const std::int64_t t = now();
  // A step seen running or finished without a start time started now; finished likewise.
  std::optional<std::int64_t> started = step.started_at;
  if (!started && step.state != RunState::kQueued && step.state != RunState::kSkipped) started = t;
  std::optional<std::int64_t> finished = step.finished_at;
  if (!finished && is_terminal(step.state)) finished = t;
  return write([&](Database& db) -> Status {
    auto run_id = detail::run_of_task_run(db, step.task_run_id);
    if (!run_id.ok()) return run_id.error();
    if (auto i = exec_bound(
            db,
            "INSERT INTO steps (task_run_id, step_index, name, image, status, exit_code, reason, "
            "started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (task_run_id, step_index) DO UPDATE SET name = excluded.name, "
            "image = excluded.image, status = excluded.status, exit_code = excluded.exit_code, "
            "reason = excluded.reason, started_at = COALESCE(steps.started_at, "
            "excluded.started_at), "
            "finished_at = excluded.finished_at",
            step.task_run_id, std::int64_t{step.index}, step.name, step.image,
            to_string(step.state), widen(step.exit_code), step.reason, started, finished);
        !i.ok()) {
      return i;
    }
    Json payload = {{"task_run_id", step.task_run_id},
                    {"step_index", step.index},
                    {"name", step.name},
                    {"status", to_string(step.state)},
                    {"reason", step.reason}};
    if (step.exit_code) payload["exit_code"] = *step.exit_code;
    return append_event(db, *run_id, t, "step.updated", payload);
  });
}

Result<std::vector<StepRecord>> RunStore::list_steps(const std::string& task_run_id) {
  std::vector<StepRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db,
                              "SELECT step_index, name, image, status, exit_code, reason, "
                              "started_at, finished_at FROM steps WHERE task_run_id = ? "
                              "ORDER BY step_index",
                              task_run_id);
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      auto state = detail::parse_state_column(r, 3);
      if (!state.ok()) return state.error();
      out.push_back(StepRecord{task_run_id, static_cast<int>(r.column_int64(0)), r.column_bytes(1),
                               r.column_bytes(2), *state, narrow(r.column_opt_int64(4)),
                               r.column_bytes(5), r.column_opt_int64(6), r.column_opt_int64(7)});
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace baton::store
