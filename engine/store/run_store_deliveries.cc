// Webhook deliveries and the dispatcher's queue queries of the RunStore.

#include <algorithm>

#include "engine/store/ids.h"
#include "engine/store/run_store.h"
#include "engine/store/store_sql.h"

namespace baton::store {

using detail::exec_bound;
using detail::prepare_bound;

namespace {

constexpr std::string_view kDeliveryColumns =
    "id, listener, source, event_type, dedupe_key, received_at, result, reason, headers, body, "
    "response, duplicates, trace_parent";

Result<DeliveryRecord> read_delivery(const Statement& s) {
  DeliveryRecord d;
  d.id = s.column_bytes(0);
  d.listener = s.column_bytes(1);
  d.source = s.column_bytes(2);
  d.event_type = s.column_bytes(3);
  d.dedupe_key = s.column_opt_text(4);
  d.received_at = s.column_int64(5);
  auto result = parse_delivery_result(s.column_bytes(6));
  if (!result) return Fail("corrupt store: delivery " + d.id + " has an unknown result", "sqlite");
  d.result = *result;
  d.reason = s.column_bytes(7);
  d.headers = s.column_bytes(8);
  d.body = s.column_bytes(9);
  d.response = s.column_bytes(10);
  d.duplicates = static_cast<int>(s.column_int64(11));
  d.trace_parent = s.column_bytes(12);
  return d;
}

// Collects the rows of `stmt` read by `read_row` into `out`.
template <typename T, typename F>
Status collect(Statement& stmt, std::vector<T>& out, F read_row) {
  return detail::for_each_row(stmt, [&](const Statement& r) -> Status {
    auto row = read_row(r);
    if (!row.ok()) return row.error();
    out.push_back(std::move(row).value());
    return {};
  });
}

Result<std::vector<RunRecord>> select_runs_of_delivery(Database& db, const std::string& id) {
  auto stmt = prepare_bound(db,
                            "SELECT " + std::string(detail::kRunColumns) +
                                " FROM runs WHERE delivery_id = ? ORDER BY created_at, id",
                            id);
  if (!stmt.ok()) return stmt.error();
  std::vector<RunRecord> runs;
  if (auto s = collect(*stmt, runs, detail::read_run); !s.ok()) return s.error();
  return runs;
}

}  // namespace

Status RunStore::write_durable(const std::function<Status(Database&)>& body) {
  std::lock_guard<std::mutex> lock(write_mu_);
  // WAL with synchronous=NORMAL survives a crash of this process but may lose the newest
  // commits on power loss; a delivery answered 2xx must survive both, so this one commit syncs
  // the WAL. The pragma cannot change inside a transaction, hence around it.
  if (auto s = writer_->exec("PRAGMA synchronous=FULL"); !s.ok()) return s;
  Status result;
  {
    auto tx = Transaction::begin(*writer_);
    if (!tx.ok()) {
      result = tx.error();
    } else if (auto s = body(*writer_); !s.ok()) {
      result = s;  // the Transaction destructor rolls back
    } else {
      result = tx->commit();
    }
  }
  if (!writer_synchronous_full_) (void)writer_->exec("PRAGMA synchronous=NORMAL");
  notify_change();
  return result;
}

// One delivery inside the caller's transaction (a group commit's savepoint).
Status RunStore::record_one(Database& db, const NewDelivery& delivery,
                            const std::vector<NewRun>& runs, DeliveryOutcome& out) {
  out = DeliveryOutcome{};
  if (delivery.dedupe_key) {
    auto stmt = prepare_bound(db,
                              "SELECT " + std::string(kDeliveryColumns) +
                                  " FROM deliveries WHERE listener = ? AND dedupe_key = ?",
                              delivery.listener, delivery.dedupe_key);
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (*row) {
      auto earlier = read_delivery(*stmt);
      if (!earlier.ok()) return earlier.error();
      out.delivery = std::move(earlier).value();
      out.duplicate = true;
      ++out.delivery.duplicates;
      if (auto u = exec_bound(db, "UPDATE deliveries SET duplicates = duplicates + 1 WHERE id = ?",
                              out.delivery.id);
          !u.ok()) {
        return u;
      }
      auto earlier_runs = select_runs_of_delivery(db, out.delivery.id);
      if (!earlier_runs.ok()) return earlier_runs.error();
      out.runs = std::move(earlier_runs).value();
      return {};
    }
  }
  DeliveryRecord& d = out.delivery;
  static_cast<NewDelivery&>(d) = delivery;
  d.received_at = now();
  if (d.id.empty()) d.id = new_id("dlv", d.received_at);
  if (auto i = exec_bound(db,
                          "INSERT INTO deliveries (" + std::string(kDeliveryColumns) +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                          d.id, d.listener, d.source, d.event_type, d.dedupe_key, d.received_at,
                          to_string(d.result), d.reason, d.headers, Blob{d.body}, d.response,
                          d.trace_parent);
      !i.ok()) {
    return i;
  }
  for (const NewRun& run : runs) {
    RunRecord rec;
    static_cast<NewRun&>(rec) = run;
    rec.delivery_id = d.id;
    rec.trigger_type = "webhook";
    rec.created_at = d.received_at;
    rec.queued_at = d.received_at;
    if (rec.id.empty()) rec.id = new_id("run", rec.created_at);
    if (auto i = detail::insert_run(db, rec); !i.ok()) return i;
    out.runs.push_back(std::move(rec));
  }
  return {};
}

Result<DeliveryOutcome> RunStore::record_delivery(const NewDelivery& delivery,
                                                  const std::vector<NewRun>& runs) {
  // Group commit: every fsync costs milliseconds, so concurrent callers share one. The first
  // caller to find no commit in progress becomes the leader and commits everything queued so far
  // in one durable transaction (a savepoint each, so one bad delivery fails alone); the others
  // wait for it. Nobody returns before the transaction holding their delivery is on disk.
  PendingDelivery me{&delivery, &runs, Fail("not committed"), false};
  std::unique_lock<std::mutex> lock(group_mu_);
  group_queue_.push_back(&me);
  while (!me.done) {
    if (group_leader_) {
      group_cv_.wait(lock);
      continue;
    }
    group_leader_ = true;
    std::vector<PendingDelivery*> batch;
    batch.swap(group_queue_);
    lock.unlock();
    commit_group(batch);
    lock.lock();
    for (PendingDelivery* p : batch) p->done = true;
    group_leader_ = false;
    group_cv_.notify_all();
  }
  return std::move(me.out);
}

void RunStore::commit_group(const std::vector<PendingDelivery*>& batch) {
  auto s = write_durable([&](Database& db) -> Status {
    for (PendingDelivery* p : batch) {
      if (auto sp = db.exec("SAVEPOINT delivery"); !sp.ok()) return sp;
      DeliveryOutcome out;
      Status one = record_one(db, *p->delivery, *p->runs, out);
      if (!one.ok()) {
        if (auto rb = db.exec("ROLLBACK TO delivery"); !rb.ok()) return rb;
        p->out = one.error();
      } else {
        p->out = std::move(out);
      }
      if (auto rel = db.exec("RELEASE delivery"); !rel.ok()) return rel;
    }
    return {};
  });
  if (!s.ok()) {
    for (PendingDelivery* p : batch) p->out = s.error();  // nothing of the batch is stored
  }
}

Result<DeliveryRecord> RunStore::get_delivery(const std::string& id) {
  Result<DeliveryRecord> out = Fail("unset");
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(
        db, "SELECT " + std::string(kDeliveryColumns) + " FROM deliveries WHERE id = ?", id);
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    out = *row ? read_delivery(*stmt) : Fail("delivery " + id + " not found", "not_found");
    return {};
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<DeliveryRecord>> RunStore::list_deliveries(
    int limit, const std::optional<RunCursor>& before) {
  std::string sql = "SELECT " + std::string(kDeliveryColumns) + " FROM deliveries";
  if (before) sql += " WHERE (received_at, id) < (?, ?)";
  sql += " ORDER BY received_at DESC, id DESC LIMIT " + std::to_string(std::clamp(limit, 1, 1000));
  std::vector<DeliveryRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = before ? prepare_bound(db, sql, before->created_at, before->id) : db.prepare(sql);
    if (!stmt.ok()) return stmt.error();
    return collect(*stmt, out, read_delivery);
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<RunRecord>> RunStore::runs_of_delivery(const std::string& delivery_id) {
  std::vector<RunRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto runs = select_runs_of_delivery(db, delivery_id);
    if (!runs.ok()) return runs.error();
    out = std::move(runs).value();
    return {};
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<RunRecord>> RunStore::list_queued_runs(int limit) {
  std::vector<RunRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db,
                              "SELECT " + std::string(detail::kRunColumns) +
                                  " FROM runs WHERE status = 'queued' ORDER BY queued_at, id "
                                  "LIMIT ?",
                              std::int64_t{std::clamp(limit, 1, 100000)});
    if (!stmt.ok()) return stmt.error();
    return collect(*stmt, out, detail::read_run);
  });
  if (!s.ok()) return s.error();
  return out;
}

namespace {

// The rows of a queue read and the snapshot's largest rowid, in one read transaction.
// json_extract keeps the annotation lookup in SQLite's C code: no JSON parse per row here.
Status read_queue_page(Database& db, Statement& stmt, QueuePage& out) {
  auto s = detail::for_each_row(stmt, [&](const Statement& r) -> Status {
    out.entries.push_back(
        QueueEntry{r.column_bytes(0), r.column_bytes(1), r.column_bytes(2), r.column_int64(3)});
    return {};
  });
  if (!s.ok()) return s;
  auto max = db.prepare("SELECT IFNULL(max(rowid), 0) FROM runs");
  if (!max.ok()) return max.error();
  auto row = max->step();
  if (!row.ok()) return row.error();
  out.max_rowid = *row ? max->column_int64(0) : 0;
  return {};
}

constexpr std::string_view kQueueSelect =
    "SELECT id, IFNULL(concurrency_group, ''), IFNULL(json_extract(annotations, ?1), ''), "
    "IFNULL(queued_at, 0) FROM runs ";

}  // namespace

Result<QueuePage> RunStore::list_queue(int limit, const std::string& policy_annotation,
                                       const QueueEntry* after) {
  QueuePage out;
  const std::string path = "$.\"" + policy_annotation + "\"";
  const std::int64_t n = std::clamp(limit, 1, 100000);
  auto s = read([&](Database& db) -> Status {
    // Both forms walk the partial index runs_queue (queued_at, id) WHERE status = 'queued'.
    // Named, because without ANALYZE statistics SQLite prefers runs_by_status (status = ?) and
    // then sorts every queued run in a temporary B-tree: O(queue) for a page of 1.
    auto stmt = after ? prepare_bound(db,
                                      std::string(kQueueSelect) +
                                          "INDEXED BY runs_queue WHERE status = 'queued' AND "
                                          "(queued_at, id) > (?3, ?4) "
                                          "ORDER BY queued_at, id LIMIT ?2",
                                      path, n, after->queued_at, after->id)
                      : prepare_bound(db,
                                      std::string(kQueueSelect) +
                                          "INDEXED BY runs_queue WHERE status = 'queued' "
                                          "ORDER BY queued_at, id LIMIT ?2",
                                      path, n);
    if (!stmt.ok()) return stmt.error();
    return read_queue_page(db, *stmt, out);
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<QueuePage> RunStore::list_queue_inserted_after(std::int64_t rowid,
                                                      const std::string& policy_annotation) {
  QueuePage out;
  const std::string path = "$.\"" + policy_annotation + "\"";
  auto s = read([&](Database& db) -> Status {
    // A rowid range of the table itself, as cheap as the number of new rows (`+status` keeps
    // SQLite from walking runs_by_status, i.e. every queued run, instead).
    auto stmt = prepare_bound(db,
                              std::string(kQueueSelect) +
                                  "WHERE rowid > ?2 AND +status = 'queued' ORDER BY queued_at, id",
                              path, rowid);
    if (!stmt.ok()) return stmt.error();
    return read_queue_page(db, *stmt, out);
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::int64_t> RunStore::count_runs_in_state(RunState state) {
  std::int64_t n = 0;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db, "SELECT count(*) FROM runs WHERE status = ?", to_string(state));
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    n = *row ? stmt->column_int64(0) : 0;
    return {};
  });
  if (!s.ok()) return s.error();
  return n;
}

Result<std::vector<RunRecord>> RunStore::list_runs_in_state(RunState state) {
  std::vector<RunRecord> out;
  auto s = read([&](Database& db) -> Status {
    auto stmt = prepare_bound(db,
                              "SELECT " + std::string(detail::kRunColumns) +
                                  " FROM runs WHERE status = ? ORDER BY created_at, id",
                              to_string(state));
    if (!stmt.ok()) return stmt.error();
    return collect(*stmt, out, detail::read_run);
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace baton::store
