#include "engine/store/run_store.h"

#include <algorithm>
#include <chrono>

#include "engine/store/ids.h"
#include "engine/store/migrations.h"
#include "engine/store/store_sql.h"

namespace baton::store {

using detail::append_event;
using detail::exec_bound;
using detail::prepare_bound;
using Json = nlohmann::json;

namespace detail {

Result<RunRecord> read_run(const Statement& s) {
  RunRecord r;
  r.id = s.column_bytes(0);
  r.kind = s.column_bytes(1);
  r.name = s.column_bytes(2);
  r.namespace_ = s.column_bytes(3);
  r.pipeline = s.column_bytes(4);
  r.spec = s.column_bytes(5);
  r.params = s.column_bytes(6);
  r.labels = s.column_bytes(7);
  r.annotations = s.column_bytes(8);
  r.delivery_id = s.column_opt_text(9);
  r.parent_run_id = s.column_opt_text(10);
  r.concurrency_group = s.column_opt_text(11);
  r.trace_id = s.column_bytes(12);
  auto state = detail::parse_state_column(s, 13);
  if (!state.ok()) return state.error();
  r.state = *state;
  r.reason = s.column_bytes(14);
  r.message = s.column_bytes(15);
  r.created_at = s.column_int64(16);
  r.queued_at = s.column_opt_int64(17);
  r.started_at = s.column_opt_int64(18);
  r.finished_at = s.column_opt_int64(19);
  r.repository = s.column_opt_text(20);
  r.branch = s.column_opt_text(21);
  r.commit = s.column_opt_text(22);
  r.trigger_type = s.column_bytes(23);
  r.actor = s.column_opt_text(24);
  return r;
}

Status insert_run(Database& db, const RunRecord& rec) {
  const std::string sql =
      "INSERT INTO runs (" + std::string(kRunColumns) +
      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', '', '', ?, ?, NULL, NULL, "
      "?, ?, ?, ?, ?)";
  if (auto i =
          exec_bound(db, sql, rec.id, rec.kind, rec.name, rec.namespace_, rec.pipeline, rec.spec,
                     rec.params, rec.labels, rec.annotations, rec.delivery_id, rec.parent_run_id,
                     rec.concurrency_group, rec.trace_id, rec.created_at, rec.queued_at,
                     rec.repository, rec.branch, rec.commit, rec.trigger_type, rec.actor);
      !i.ok()) {
    return i;
  }
  return append_event(
      db, rec.id, rec.created_at, "run.created",
      {{"kind", rec.kind}, {"name", rec.name}, {"pipeline", rec.pipeline}, {"status", "queued"}});
}

Result<RunRecord> select_run(Database& db, const std::string& id) {
  auto stmt =
      prepare_bound(db, "SELECT " + std::string(kRunColumns) + " FROM runs WHERE id = ?", id);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Fail("run " + id + " not found", "not_found");
  return read_run(*stmt);
}

}  // namespace detail

namespace {

using detail::kRunColumns;
using detail::read_run;
using detail::select_run;

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<RunStore>> RunStore::open(const std::string& path, RunStoreOptions options) {
  auto writer = Database::open(path, options.database);
  if (!writer.ok()) return writer.error();
  auto version = migrate(**writer);
  if (!version.ok()) return version.error();
  auto reader = Database::open(path, options.database);
  if (!reader.ok()) return reader.error();
  auto clock = options.clock_ms ? std::move(options.clock_ms) : std::function(system_now_ms);
  std::unique_ptr<RunStore> store(new RunStore(std::move(writer).value(), std::move(reader).value(),
                                               std::move(clock),
                                               options.database.synchronous_full));
  // Checkpoints leave the commits (a delivery's group commit must not copy the WAL).
  auto checkpointer = WalCheckpointer::start(*store->writer_, options.database);
  if (!checkpointer.ok()) return checkpointer.error();
  store->checkpointer_ = std::move(checkpointer).value();
  return store;
}

namespace {
// The open batch of this thread. Thread-local, not a store member: `baton serve` runs many
// schedulers on one store, each with its own batch on its own thread.
thread_local RunStore::Batch* tl_batch = nullptr;
}  // namespace

RunStore::Batch::Batch(RunStore* store) : store_(store) {
  if (store_ == nullptr) return;
  lock_ = std::unique_lock<std::mutex>(store_->write_mu_, std::defer_lock);
  outer_ = tl_batch;
  tl_batch = this;
}

RunStore::Batch::~Batch() {
  if (store_ == nullptr) return;
  (void)commit();
  tl_batch = outer_;
}

Status RunStore::Batch::commit() {
  if (!tx_) return {};
  Status s = tx_->commit();
  tx_.reset();  // rolls back if the commit failed
  lock_.unlock();
  store_->notify_change();
  return s;
}

Status RunStore::write_in_batch(Batch& b, const std::function<Status(Database&)>& body) {
  if (!b.tx_) {  // the first write of the batch: only now take the writer and open the tx
    b.lock_.lock();
    auto tx = Transaction::begin(*writer_);
    if (!tx.ok()) {
      b.lock_.unlock();
      return tx.error();
    }
    b.tx_.emplace(std::move(tx).value());
  }
  // A savepoint keeps each write all-or-nothing, as it is outside a batch.
  if (auto s = writer_->exec("SAVEPOINT w"); !s.ok()) return s;
  Status s = body(*writer_);
  if (!s.ok()) (void)writer_->exec("ROLLBACK TO w");
  if (auto r = writer_->exec("RELEASE w"); !r.ok() && s.ok()) return r;
  return s;
}

Status RunStore::write(const std::function<Status(Database&)>& body) {
  if (tl_batch != nullptr && tl_batch->store_ == this) return write_in_batch(*tl_batch, body);
  std::lock_guard<std::mutex> lock(write_mu_);
  auto tx = Transaction::begin(*writer_);
  if (!tx.ok()) return tx.error();
  if (auto s = body(*writer_); !s.ok()) return s;  // the Transaction destructor rolls back
  Status committed = tx->commit();
  notify_change();
  return committed;
}

void RunStore::notify_change() {
  {
    std::lock_guard<std::mutex> lock(change_mu_);
    ++changes_;
  }
  change_cv_.notify_all();
}

std::uint64_t RunStore::change_count() const {
  std::lock_guard<std::mutex> lock(change_mu_);
  return changes_;
}

std::uint64_t RunStore::wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(change_mu_);
  change_cv_.wait_for(lock, timeout, [&] { return changes_ != seen; });
  return changes_;
}

Status RunStore::read(const std::function<Status(Database&)>& body) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto tx = Transaction::begin_read(*reader_);
  if (!tx.ok()) return tx.error();
  if (auto s = body(*reader_); !s.ok()) return s;
  return tx->commit();
}

Result<RunRecord> RunStore::create_run(const NewRun& run) {
  RunRecord rec;
  static_cast<NewRun&>(rec) = run;
  rec.created_at = now();
  rec.queued_at = rec.created_at;
  if (rec.id.empty()) rec.id = new_id("run", rec.created_at);
  auto s = write([&](Database& db) -> Status { return detail::insert_run(db, rec); });
  if (!s.ok()) return s.error();
  return rec;
}

Status RunStore::update_run_status(const std::string& id, RunState state, std::string_view reason,
                                   std::string_view message) {
  if (state == RunState::kSkipped) return Fail("a run cannot be skipped", "invalid");
  const std::int64_t t = now();
  return write([&](Database& db) -> Status {
    auto current = detail::state_of(db, "runs", "id = ?", id);
    if (!current.ok()) return current.error();
    if (is_terminal(*current)) {
      return Fail("run " + id + " is already " + std::string(to_string(*current)), "conflict");
    }
    const std::optional<std::int64_t> started =
        state == RunState::kRunning ? std::optional<std::int64_t>(t) : std::nullopt;
    const std::optional<std::int64_t> finished =
        is_terminal(state) ? std::optional<std::int64_t>(t) : std::nullopt;
    if (auto u = exec_bound(db,
                            "UPDATE runs SET status = ?, reason = ?, message = ?, "
                            "started_at = COALESCE(started_at, ?), finished_at = ? WHERE id = ?",
                            to_string(state), reason, message, started, finished, id);
        !u.ok()) {
      return u;
    }
    return append_event(db, id, t, "run.status",
                        {{"status", to_string(state)}, {"reason", reason}, {"message", message}});
  });
}

Result<RunRecord> RunStore::get_run(const std::string& id) {
  Result<RunRecord> out = Fail("unset");
  auto s = read([&](Database& db) -> Status {
    out = select_run(db, id);
    return out.ok() ? Status{} : Status(out.error());
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<RunPage> RunStore::list_runs(const RunFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, 1000);
  std::string sql = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE 1";
  if (!filter.pipeline.empty()) sql += " AND pipeline = :pipeline";
  if (filter.state) sql += " AND status = :status";
  if (!filter.namespace_.empty()) sql += " AND namespace = :namespace";
  if (!filter.repository.empty()) sql += " AND repository = :repository";
  if (!filter.branch.empty()) sql += " AND branch = :branch";
  if (!filter.trigger_type.empty()) sql += " AND trigger_type = :trigger";
  if (filter.since) sql += " AND created_at >= :since";
  if (filter.until) sql += " AND created_at < :until";
  // Row values keep the cursor exact when many runs share a created_at.
  if (filter.after) sql += " AND (created_at, id) < (:created_at, :id)";
  sql += " ORDER BY created_at DESC, id DESC LIMIT :limit";
  RunPage page;
  auto s = read([&](Database& db) -> Status {
    auto stmt = db.prepare(sql);
    if (!stmt.ok()) return stmt.error();
    Status b;
    if (b.ok() && !filter.pipeline.empty()) b = stmt->bind(":pipeline", filter.pipeline);
    if (b.ok() && filter.state) b = stmt->bind(":status", to_string(*filter.state));
    if (b.ok() && !filter.namespace_.empty()) b = stmt->bind(":namespace", filter.namespace_);
    if (b.ok() && !filter.repository.empty()) b = stmt->bind(":repository", filter.repository);
    if (b.ok() && !filter.branch.empty()) b = stmt->bind(":branch", filter.branch);
    if (b.ok() && !filter.trigger_type.empty()) b = stmt->bind(":trigger", filter.trigger_type);
    if (b.ok() && filter.since) b = stmt->bind(":since", *filter.since);
    if (b.ok() && filter.until) b = stmt->bind(":until", *filter.until);
    if (b.ok() && filter.after) b = stmt->bind(":created_at", filter.after->created_at);
    if (b.ok() && filter.after) b = stmt->bind(":id", filter.after->id);
    if (b.ok()) b = stmt->bind(":limit", std::int64_t{limit} + 1);
    if (!b.ok()) return b;
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      auto run = read_run(r);
      if (!run.ok()) return run.error();
      page.runs.push_back(std::move(run).value());
      return {};
    });
  });
  if (!s.ok()) return s.error();
  if (page.runs.size() > static_cast<std::size_t>(limit)) {
    page.runs.resize(static_cast<std::size_t>(limit));
    page.next = RunCursor{page.runs.back().created_at, page.runs.back().id};
  }
  return page;
}

Status RunStore::set_run_results(const std::string& run_id, const ResultMap& results) {
  const std::int64_t t = now();
  return write([&](Database& db) -> Status {
    if (auto st = detail::state_of(db, "runs", "id = ?", run_id); !st.ok()) return st.error();
    Json names = Json::array();
    for (const auto& [name, value] : results) {
      if (auto i = exec_bound(db,
                              "INSERT INTO run_results (run_id, name, value) VALUES (?, ?, ?) "
                              "ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value",
                              run_id, name, Blob{value});
          !i.ok()) {
        return i;
      }
      names.push_back(name);
    }
    return append_event(db, run_id, t, "run.results", {{"names", names}});
  });
}

Result<ResultMap> RunStore::get_run_results(const std::string& run_id) {
  Result<ResultMap> out = ResultMap{};
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db, "SELECT name, value FROM run_results WHERE run_id = ?", run_id);
    if (!stmt.ok()) return stmt.error();
    out = detail::read_result_map(*stmt);
    return out.ok() ? Status{} : Status(out.error());
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<EventRecord>> RunStore::list_events(const std::string& run_id,
                                                       std::int64_t after_seq, int limit) {
  std::vector<EventRecord> out;
  auto s = read([&](Database& db) -> Status {
    const std::int64_t n = std::clamp(limit, 1, 100000);
    auto stmt = run_id.empty()
                    ? prepare_bound(db,
                                    "SELECT seq, run_id, time, type, payload FROM events "
                                    "WHERE seq > ? ORDER BY seq LIMIT ?",
                                    after_seq, n)
                    : prepare_bound(db,
                                    "SELECT seq, run_id, time, type, payload FROM events "
                                    "WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                                    run_id, after_seq, n);
    if (!stmt.ok()) return stmt.error();
    return detail::for_each_row(*stmt, [&](const Statement& r) -> Status {
      out.push_back(EventRecord{r.column_int64(0), r.column_bytes(1), r.column_int64(2),
                                r.column_bytes(3), r.column_bytes(4)});
      return {};
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<std::string>> RunStore::integrity_check() {
  std::lock_guard<std::mutex> lock(read_mu_);
  return reader_->query_strings("PRAGMA integrity_check");
}

}  // namespace baton::store
