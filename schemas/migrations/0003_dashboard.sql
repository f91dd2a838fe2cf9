-- Baton run store, version 3: what the dashboard API needs. Runs say where they came from
-- (repository, branch, commit, trigger, actor) in columns so the runs list can filter on them
-- with an index; attempts copied from an earlier run by "retry failed" name their original;
-- bearer tokens (only a SHA-256 of each is kept) and the audit trail of every action attempt.

ALTER TABLE runs ADD COLUMN repository TEXT;            -- "owner/name" of the webhook payload
ALTER TABLE runs ADD COLUMN branch TEXT;                -- "main" (from refs/heads/main)
ALTER TABLE runs ADD COLUMN commit_sha TEXT;
ALTER TABLE runs ADD COLUMN trigger_type TEXT NOT NULL DEFAULT 'cli'
  CHECK (trigger_type IN ('webhook', 'cli', 'api', 'retry', 'rerun'));
ALTER TABLE runs ADD COLUMN actor TEXT;                 -- "token:<name>" for API-started runs
UPDATE runs SET trigger_type = 'webhook' WHERE delivery_id IS NOT NULL;
CREATE INDEX runs_by_repository ON runs (repository, created_at DESC, id DESC)
  WHERE repository IS NOT NULL;
CREATE INDEX runs_by_branch ON runs (branch, created_at DESC, id DESC) WHERE branch IS NOT NULL;
CREATE INDEX runs_by_trigger ON runs (trigger_type, created_at DESC, id DESC);

-- A "reused" attempt of a retry: its results were copied from this attempt of the original.
ALTER TABLE task_runs ADD COLUMN reused_from TEXT;

CREATE TABLE tokens (
  id         TEXT PRIMARY KEY,                 -- "tok-<ulid>"
  name       TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  hash       TEXT NOT NULL UNIQUE,             -- hex SHA-256 of the token; the token is never kept
  created_at INTEGER NOT NULL,
  last_used  INTEGER
);

-- Every action attempt, allowed or not.
CREATE TABLE audit (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  time    INTEGER NOT NULL,
  actor   TEXT NOT NULL,                       -- "token:<name>", "anonymous", "invalid-token"
  action  TEXT NOT NULL,                       -- cancel, retry, rerun, approve, redeliver, token.create…
  target  TEXT NOT NULL DEFAULT '',            -- run id, delivery id, token id
  outcome TEXT NOT NULL,                       -- "ok", "denied", or "error: <status>"
  detail  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_time ON audit (time DESC, id DESC);
