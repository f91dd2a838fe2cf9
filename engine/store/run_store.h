#pragma once
// RunStore: all run state of Baton in one SQLite file. Every mutating method is one transaction
// that also appends an `events` row, so an SSE client resuming from an event seq misses nothing
// and a restarted engine can rebuild its scheduler from the store alone.
//
// Thread-safety: all methods may be called from any thread. Writes go through one connection
// guarded by a mutex (SQLite allows one writer anyway); reads use a second connection with its
// own mutex, so a reader never waits for a writer's transaction (WAL). Other processes may open
// the same file: BEGIN IMMEDIATE plus busy_timeout serialize their writes.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/common/result.h"
#include "engine/store/records.h"
#include "engine/store/sqlite.h"
#include "engine/store/wal_checkpointer.h"

namespace baton::store {

/// How a RunStore is opened.
struct RunStoreOptions {
  DatabaseOptions database;
  std::function<std::int64_t()> clock_ms;  // empty: system clock; tests inject a fixed clock
};

/// The SQLite run store.
class RunStore {
 public:
  /// Opens or creates the store at `path` and applies pending migrations.
  static Result<std::unique_ptr<RunStore>> open(const std::string& path,
                                                RunStoreOptions options = {});

  /// While it lives (until commit()), every write of the thread that made it joins one
  /// transaction (each write still atomic on its own, through a savepoint) instead of committing
  /// alone; other threads' writes wait for the commit. Nothing is durable before commit(): the
  /// owner must not act on a write (start a process, answer a client) until then, nor wait for
  /// another thread's write meanwhile (that write waits for this batch). One per thread at a
  /// time; the writer lock is taken by the first write, so an unused batch costs nothing.
  class Batch {
   public:
    /// A batch of `store`'s writes; a null `store` makes a batch that does nothing.
    explicit Batch(RunStore* store);
    /// Commits what is still open (errors dropped: call commit() to see them).
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    /// Commits the writes made so far and releases the writer; later writes open a new one.
    Status commit();

   private:
    friend class RunStore;
    RunStore* store_;
    std::unique_lock<std::mutex> lock_;  // the writer lock, taken by the first write
    std::optional<Transaction> tx_;
    Batch* outer_ = nullptr;  // this thread's batch of another store, restored on destruction
  };

  // ---- runs ----
  /// Inserts a queued run (event run.created).
  Result<RunRecord> create_run(const NewRun& run);
  /// Moves a non-terminal run to `state` (event run.status); not_found / conflict otherwise.
  Status update_run_status(const std::string& id, RunState state, std::string_view reason,
                           std::string_view message);
  /// One run; code not_found if absent.
  Result<RunRecord> get_run(const std::string& id);
  /// Runs newest first, filtered, one page after the cursor.
  Result<RunPage> list_runs(const RunFilter& filter);
  /// Sets (replaces by name) pipeline-level results (event run.results).
  Status set_run_results(const std::string& run_id, const ResultMap& results);
  /// Pipeline-level results, bytes exactly as set.
  Result<ResultMap> get_run_results(const std::string& run_id);

  /// Queued runs, oldest first (the dispatcher's queue), at most `limit`.
  Result<std::vector<RunRecord>> list_queued_runs(int limit = 1000);
  /// The oldest `limit` queued runs (after `after` in queue order when given), light: id,
  /// group, queued_at and the value of annotation `policy_annotation`.
  Result<QueuePage> list_queue(int limit, const std::string& policy_annotation,
                               const QueueEntry* after = nullptr);
  /// The queued runs whose rowid is above `rowid` (inserted since a QueuePage's max_rowid),
  /// in queue order: the dispatcher reads only these when runs were added to a queue it knows.
  Result<QueuePage> list_queue_inserted_after(std::int64_t rowid,
                                              const std::string& policy_annotation);
  /// How many runs are in `state`.
  Result<std::int64_t> count_runs_in_state(RunState state);
  /// Every run in `state` (no paging; for running runs at start-up and the dispatcher).
  Result<std::vector<RunRecord>> list_runs_in_state(RunState state);

  // ---- webhook deliveries ----
  /// Stores a delivery and the queued runs it creates in one transaction, synced to disk
  /// (synchronous=FULL) before returning, so a 2xx answered afterwards is never lost. A delivery
  /// whose (listener, dedupe_key) was seen before creates nothing: the earlier delivery and its
  /// runs come back with `duplicate` set and its duplicates count incremented.
  Result<DeliveryOutcome> record_delivery(const NewDelivery& delivery,
                                          const std::vector<NewRun>& runs);
  /// One delivery; code not_found if absent.
  Result<DeliveryRecord> get_delivery(const std::string& id);
  /// Deliveries newest first, at most `limit`, before the given (received_at, id) if set.
  Result<std::vector<DeliveryRecord>> list_deliveries(int limit,
                                                      const std::optional<RunCursor>& before = {});
  /// Runs created by a delivery, oldest first.
  Result<std::vector<RunRecord>> runs_of_delivery(const std::string& delivery_id);

  // ---- task runs and steps ----
  /// Inserts a running attempt (event task_run.started).
  Result<TaskRunRecord> start_task_run(const NewTaskRun& task_run);
  /// Inserts a skipped task with Tekton's skip reason (event task_run.skipped).
  Result<TaskRunRecord> skip_task_run(const NewTaskRun& task_run, std::string_view skipped_reason);
  /// Ends a non-terminal attempt in terminal `state` (event task_run.finished).
  Status finish_task_run(const std::string& id, RunState state, std::string_view reason,
                         std::string_view message);
  /// Sets (replaces by name) results of an attempt (event task_run.results).
  Status set_task_results(const std::string& task_run_id, const ResultMap& results);
  /// One attempt with its results.
  Result<TaskRunRecord> get_task_run(const std::string& id);
  /// All attempts of a run, in creation order, with results.
  Result<std::vector<TaskRunRecord>> list_task_runs(const std::string& run_id);
  /// Inserts or updates a step (event step.updated); fills started/finished from the clock.
  Status upsert_step(const StepRecord& step);
  /// Steps of an attempt by index.
  Result<std::vector<StepRecord>> list_steps(const std::string& task_run_id);
  /// Records (replaces) the process of a step or sidecar. No event: it is for crash recovery,
  /// not state anyone follows.
  Status record_process(const ProcessRecord& process);
  /// Recorded processes of the attempts of `run_id` that are not finished (queued or running):
  /// what a dead engine may have left running.
  Result<std::vector<ProcessRecord>> unfinished_processes(const std::string& run_id);

  // ---- logs ----
  /// Appends a batch in one transaction (event log.appended); returns the assigned seqs.
  Result<std::vector<std::int64_t>> append_logs(const std::string& task_run_id,
                                                std::span<const LogChunk> chunks);
  /// Chunks of one step with seq >= from_seq, in order, at most `limit`.
  Result<std::vector<LogChunk>> read_logs(const std::string& task_run_id, int step_index,
                                          std::int64_t from_seq, int limit = 1000);

  // ---- events and traces ----
  /// Events with seq > after_seq, of one run (or all runs if run_id is empty).
  Result<std::vector<EventRecord>> list_events(const std::string& run_id, std::int64_t after_seq,
                                               int limit = 1000);
  /// Inserts or replaces a span. No event: spans are telemetry about state, not state.
  Status add_span(const SpanRecord& span);
  /// Spans of a trace ordered by start.
  Result<std::vector<SpanRecord>> list_spans(const std::string& trace_id);

  // ---- retry failed ----
  /// Copies succeeded attempts of another run into `run_id` as reused attempts (state succeeded,
  /// reused_from = the original, results and steps copied; event task_run.reused each), so the
  /// retry's record shows them and prior_from_store treats them as done. One transaction.
  Result<std::vector<TaskRunRecord>> reuse_task_runs(const std::string& run_id,
                                                     const std::vector<std::string>& task_run_ids);
  /// Runs whose parent_run_id is `run_id`, oldest first (ids only).
  Result<std::vector<std::string>> child_runs(const std::string& run_id);

  // ---- tokens and audit ----
  /// Inserts a token (id assigned if empty); conflict when the name is taken.
  Result<TokenRecord> create_token(TokenRecord token);
  /// The token with this hash, its last_used set to now; not_found if none.
  Result<TokenRecord> use_token(const std::string& hash);
  Result<std::vector<TokenRecord>> list_tokens();
  /// Deletes a token; not_found if absent.
  Status delete_token(const std::string& id);
  /// Appends an audit row (time from the clock when 0).
  Status add_audit(AuditRecord record);
  /// Audit rows newest first, with id < before (0: from the newest).
  Result<std::vector<AuditRecord>> list_audit(int limit, std::int64_t before = 0);

  // ---- change notification (live SSE followers) ----
  /// A counter bumped after every commit of this process's writes.
  std::uint64_t change_count() const;
  /// Wakes every wait_for_change (also called after each commit).
  void notify_change();
  /// The seq of the newest event (0 when there is none).
  Result<std::int64_t> latest_event_seq();
  /// Waits until change_count() differs from `seen` or `timeout` passes; returns the count.
  std::uint64_t wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout);

  // ---- recovery ----
  /// After a crash: marks running runs, non-terminal attempts and running steps (and waiting steps
  /// of those attempts) interrupted; queued runs stay queued. One transaction, with a run.status
  /// event per run and a task_run.finished event per attempt.
  Result<RecoveredIds> recover_interrupted(std::int64_t now_ms);
  /// The same for one running run whose engine process is known to be gone.
  Result<RecoveredIds> interrupt_run(const std::string& run_id, std::int64_t now_ms);
  /// The same for the attempts and steps of one run only; the run stays running, to be resumed
  /// (`baton serve` after a restart). Ids of the run are not in the result's `runs`.
  Result<RecoveredIds> interrupt_attempts(const std::string& run_id, std::int64_t now_ms);
  /// PRAGMA integrity_check rows ("ok" when healthy).
  Result<std::vector<std::string>> integrity_check();

 private:
  RunStore(std::unique_ptr<Database> writer, std::unique_ptr<Database> reader,
           std::function<std::int64_t()> clock, bool synchronous_full)
      : writer_(std::move(writer)),
        reader_(std::move(reader)),
        clock_(std::move(clock)),
        writer_synchronous_full_(synchronous_full) {}

  /// Runs `body` inside one write transaction under the writer lock; commits if it succeeds.
  Status write(const std::function<Status(Database&)>& body);
  struct PendingDelivery {
    const NewDelivery* delivery;
    const std::vector<NewRun>* runs;
    Result<DeliveryOutcome> out;
    bool done;
  };
  Status record_one(Database& db, const NewDelivery& delivery, const std::vector<NewRun>& runs,
                    DeliveryOutcome& out);
  void commit_group(const std::vector<PendingDelivery*>& batch);
  /// write() whose commit is synced to disk even when the store runs synchronous=NORMAL.
  Status write_durable(const std::function<Status(Database&)>& body);
  Result<RecoveredIds> recover(std::int64_t now_ms, const std::optional<std::string>& only,
                               bool interrupt_runs);
  /// Runs `body` on the reader connection inside one read snapshot.
  Status read(const std::function<Status(Database&)>& body);
  Result<TaskRunRecord> insert_task_run(const NewTaskRun& task_run, RunState state,
                                        std::string_view skipped_reason, const char* event);
  std::int64_t now() const { return clock_(); }

  Status write_in_batch(Batch& batch, const std::function<Status(Database&)>& body);

  std::mutex write_mu_;
  std::mutex read_mu_;
  std::unique_ptr<Database> writer_;
  std::unique_ptr<Database> reader_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // declared after writer_: stops first
  std::function<std::int64_t()> clock_;
  bool writer_synchronous_full_ = false;
  // Group commit of deliveries (record_delivery).
  std::mutex group_mu_;
  std::condition_variable group_cv_;
  std::vector<PendingDelivery*> group_queue_;
  bool group_leader_ = false;
  // Change notification: followers wait here instead of polling the store.
  mutable std::mutex change_mu_;
  std::condition_variable change_cv_;
  std::uint64_t changes_ = 0;
};

}  // namespace baton::store
