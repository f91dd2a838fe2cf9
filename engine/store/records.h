#pragma once
// Typed rows of the run store. JSON-valued fields hold JSON text as stored; result values and log
// data are raw bytes (std::string used as a byte buffer).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/state.h"

namespace baton::store {

using Bytes = std::string;                       // arbitrary bytes, NUL and non-UTF-8 included
using ResultMap = std::map<std::string, Bytes>;  // result name -> value bytes

/// What create_run needs; the store assigns id (if empty), state queued and timestamps.
struct NewRun {
  std::string id;                    // empty: generated "run-<ulid>"
  std::string kind = "PipelineRun";  // PipelineRun | TaskRun
  std::string name;
  std::string namespace_ = "default";
  std::string pipeline;            // pipeline name, or task name for a TaskRun
  std::string spec;                // the submitted run object, as text
  std::string params = "{}";       // JSON
  std::string labels = "{}";       // JSON
  std::string annotations = "{}";  // JSON
  std::optional<std::string> delivery_id;
  std::optional<std::string> parent_run_id;  // the run this one retries
  std::optional<std::string> concurrency_group;
  std::string trace_id;
  // Where the run came from (dashboard filters): the webhook payload's repository and branch,
  // or who started it through the API.
  std::optional<std::string> repository;
  std::optional<std::string> branch;
  std::optional<std::string> commit;
  std::string trigger_type = "cli";  // webhook | cli | api | retry | rerun
  std::optional<std::string> actor;
};

/// A run row.
struct RunRecord : NewRun {
  RunState state = RunState::kQueued;
  std::string reason;
  std::string message;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> queued_at;
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
};

/// Position after the last run of a page; runs are ordered by (created_at, id) descending.
struct RunCursor {
  std::int64_t created_at = 0;
  std::string id;
};

/// list_runs filter; empty fields match everything.
struct RunFilter {
  std::string pipeline;
  std::optional<RunState> state;
  std::string namespace_;
  std::string repository;
  std::string branch;
  std::string trigger_type;
  std::optional<std::int64_t> since;  // created_at >= since (ms)
  std::optional<std::int64_t> until;  // created_at < until (ms)
  std::optional<RunCursor> after;     // continue after this run
  int limit = 50;
};

/// One page of runs, newest first; `next` is set when more may follow.
struct RunPage {
  std::vector<RunRecord> runs;
  std::optional<RunCursor> next;
};

/// What start_task_run needs; the store assigns id (if empty) and timestamps.
struct NewTaskRun {
  std::string id;  // empty: generated "tr-<ulid>"
  std::string run_id;
  std::string pipeline_task;
  std::string name;  // the TaskRun name, e.g. "<run>-<task>"
  int attempt = 0;   // 0 for the first try, 1.. for retries
  std::optional<int> matrix_index;
  bool is_finally = false;
};

/// A task run attempt row, with its results.
struct TaskRunRecord : NewTaskRun {
  RunState state = RunState::kRunning;
  std::string reason;
  std::string message;
  std::string skipped_reason;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
  ResultMap results;
  std::optional<std::string> reused_from;  // retry failed: the attempt whose results it reuses
};

/// A step of a task run attempt.
struct StepRecord {
  std::string task_run_id;
  int index = 0;
  std::string name;
  std::string image;
  RunState state = RunState::kQueued;
  std::optional<int> exit_code;
  std::string reason;  // Tekton terminated.reason
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
};

/// The host process of a step or sidecar of an attempt (see exec::ProcessIdentity).
struct ProcessRecord {
  std::string task_run_id;
  int index = 0;  // step index; sidecar j of an attempt with n steps: n + j
  std::int64_t pid = 0;
  std::int64_t pgid = 0;
  std::int64_t start_time = 0;  // /proc/<pid>/stat field 22
  std::string boot_id;
};

/// One chunk of step output; seq is assigned by append_logs, per (task run, step).
struct LogChunk {
  int step_index = 0;
  std::string stream = "stdout";  // stdout | stderr
  std::int64_t time = 0;          // ms; 0 means "now" on append
  Bytes data;
  std::int64_t seq = 0;
};

/// A row of the append-only event log.
struct EventRecord {
  std::int64_t seq = 0;
  std::string run_id;
  std::int64_t time = 0;
  std::string type;     // run.created, run.status, task_run.started, …
  std::string payload;  // JSON
};

/// A W3C trace span.
struct SpanRecord {
  std::string trace_id;  // 32 hex
  std::string span_id;   // 16 hex
  std::string parent_span_id;
  std::optional<std::string> run_id;
  std::string name;
  std::string kind = "internal";
  std::int64_t start_ns = 0;
  std::optional<std::int64_t> end_ns;
  std::string attributes = "{}";      // JSON
  std::string status_code = "unset";  // unset | ok | error
  std::string status_message;
};

/// A webhook delivery as received; the store assigns id (if empty) and received_at.
struct NewDelivery {
  std::string id;  // empty: generated "dlv-<ulid>"
  std::string listener;
  std::string source;  // github | gitlab | generic
  std::string event_type;
  std::optional<std::string> dedupe_key;  // redeliveries carry the same key
  DeliveryResult result = DeliveryResult::kAccepted;
  std::string reason;
  std::string headers = "{}";  // JSON object
  Bytes body;
  std::string response = "{}";  // JSON answered to the sender
  std::string trace_parent;
};

/// A deliveries row.
struct DeliveryRecord : NewDelivery {
  std::int64_t received_at = 0;
  int duplicates = 0;
};

/// What record_delivery did: the stored delivery (the earlier one for a redelivery) and its runs.
struct DeliveryOutcome {
  DeliveryRecord delivery;
  std::vector<RunRecord> runs;
  bool duplicate = false;  // the key was seen before; nothing new was created
};

/// A queued run as the dispatcher's policy needs it (no spec: the queue is read often).
struct QueueEntry {
  std::string id;
  std::string group;           // concurrency group, "" if none
  std::string policy;          // the value of the annotation the caller named, "" if absent
  std::int64_t queued_at = 0;  // with id, the queue order
};

/// A read of the queue and the largest runs rowid of the same snapshot: a run inserted later
/// has a larger rowid (runs are never deleted), so it is what a read "inserted after" finds.
struct QueuePage {
  std::vector<QueueEntry> entries;
  std::int64_t max_rowid = 0;
};

/// A bearer token of the API; only the SHA-256 of the secret is stored.
struct TokenRecord {
  std::string id;  // "tok-<ulid>"
  std::string name;
  std::string role;  // viewer | operator | admin
  std::string hash;  // hex SHA-256 of the token
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used;
};

/// One action attempt of the API (allowed or refused).
struct AuditRecord {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t time = 0;
  std::string actor;
  std::string action;
  std::string target;
  std::string outcome;
  std::string detail = "{}";  // JSON
};

/// What recover_interrupted changed.
struct RecoveredIds {
  std::vector<std::string> runs;
  std::vector<std::string> task_runs;
  std::vector<std::string> steps;  // "<task_run_id>/<index>"
};

}  // namespace baton::store
