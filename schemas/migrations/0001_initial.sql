-- Baton run store, version 1. Times are milliseconds since the Unix epoch (spans: nanoseconds,
-- as OpenTelemetry records them). JSON columns hold JSON text; result and log bytes are BLOBs so
-- any byte sequence (NUL, invalid UTF-8, trailing newline) survives exactly.

CREATE TABLE runs (
  id                TEXT PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('PipelineRun', 'TaskRun')),
  name              TEXT NOT NULL,
  namespace         TEXT NOT NULL DEFAULT 'default',
  pipeline          TEXT NOT NULL DEFAULT '',   -- pipeline name, or task name for a TaskRun
  spec              TEXT NOT NULL DEFAULT '',   -- the run object as submitted (YAML or JSON)
  params            TEXT NOT NULL DEFAULT '{}',
  status            TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                                    'cancelled', 'timeout', 'interrupted')),
  reason            TEXT NOT NULL DEFAULT '',   -- Tekton condition reason
  message           TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL,
  queued_at         INTEGER,
  started_at        INTEGER,
  finished_at       INTEGER,
  delivery_id       TEXT,
  parent_run_id     TEXT REFERENCES runs (id) ON DELETE SET NULL,
  concurrency_group TEXT,
  labels            TEXT NOT NULL DEFAULT '{}',
  annotations       TEXT NOT NULL DEFAULT '{}',
  trace_id          TEXT NOT NULL DEFAULT ''
);
-- The dashboard lists newest first, optionally by pipeline or status, paging on (created_at, id).
CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_pipeline ON runs (pipeline, created_at DESC, id DESC);
CREATE INDEX runs_by_status ON runs (status, created_at DESC, id DESC);
CREATE INDEX runs_by_group ON runs (concurrency_group, status) WHERE concurrency_group IS NOT NULL;
CREATE INDEX runs_by_delivery ON runs (delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

-- One row per attempt of a pipeline task (retries and matrix fan-out each get a row).
CREATE TABLE task_runs (
  id             TEXT PRIMARY KEY,
  run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  pipeline_task  TEXT NOT NULL,
  name           TEXT NOT NULL,
  attempt        INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  matrix_index   INTEGER,
  status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                                 'cancelled', 'timeout', 'interrupted', 'skipped')),
  reason         TEXT NOT NULL DEFAULT '',
  message        TEXT NOT NULL DEFAULT '',
  is_finally     INTEGER NOT NULL DEFAULT 0 CHECK (is_finally IN (0, 1)),
  skipped_reason TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  finished_at    INTEGER
);
CREATE UNIQUE INDEX task_runs_attempt
  ON task_runs (run_id, pipeline_task, IFNULL(matrix_index, -1), attempt);
CREATE INDEX task_runs_by_status ON task_runs (status);

CREATE TABLE task_results (
  task_run_id TEXT NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  value       BLOB NOT NULL,
  PRIMARY KEY (task_run_id, name)
);

CREATE TABLE steps (
  task_run_id TEXT NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
  step_index  INTEGER NOT NULL CHECK (step_index >= 0),
  name        TEXT NOT NULL,
  image       TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                               'cancelled', 'timeout', 'interrupted', 'skipped')),
  exit_code   INTEGER,
  reason      TEXT NOT NULL DEFAULT '',   -- Tekton terminated.reason: Completed, Error, ...
  started_at  INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (task_run_id, step_index)
);
CREATE INDEX steps_by_status ON steps (status);

CREATE TABLE run_results (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
);

-- Append-only log of state changes; seq is the SSE Last-Event-ID. AUTOINCREMENT so a seq is
-- never reused, even after the newest rows are deleted.
CREATE TABLE events (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  time    INTEGER NOT NULL,
  type    TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_run ON events (run_id, seq);

-- Log bytes, in the chunks the runner delivered; seq is per (task run, step).
CREATE TABLE log_chunks (
  id          INTEGER PRIMARY KEY,
  task_run_id TEXT NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
  step_index  INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  time        INTEGER NOT NULL,
  stream      TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr')),
  data        BLOB NOT NULL
);
CREATE UNIQUE INDEX log_chunks_by_step ON log_chunks (task_run_id, step_index, seq);

-- W3C trace spans.
CREATE TABLE spans (
  trace_id       TEXT NOT NULL,
  span_id        TEXT NOT NULL,
  parent_span_id TEXT NOT NULL DEFAULT '',
  run_id         TEXT REFERENCES runs (id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  kind           TEXT NOT NULL DEFAULT 'internal',
  start_ns       INTEGER NOT NULL,
  end_ns         INTEGER,
  attributes     TEXT NOT NULL DEFAULT '{}',
  status_code    TEXT NOT NULL DEFAULT 'unset' CHECK (status_code IN ('unset', 'ok', 'error')),
  status_message TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX spans_by_run ON spans (run_id) WHERE run_id IS NOT NULL;
