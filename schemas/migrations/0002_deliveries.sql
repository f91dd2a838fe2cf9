-- Baton run store, version 2: webhook deliveries, kept whatever became of them, so a sender's
-- redelivery is recognised and the dashboard can say why each event did or did not start a run.

CREATE TABLE deliveries (
  id            TEXT PRIMARY KEY,            -- "dlv-<ulid>": the event id answered to the sender
  listener      TEXT NOT NULL,               -- EventListener name
  source        TEXT NOT NULL DEFAULT '',    -- github | gitlab | generic
  event_type    TEXT NOT NULL DEFAULT '',    -- X-GitHub-Event / X-Gitlab-Event
  dedupe_key    TEXT,                        -- X-GitHub-Delivery, GitLab's idempotency key
  received_at   INTEGER NOT NULL,
  result        TEXT NOT NULL CHECK (result IN ('accepted', 'filtered', 'rejected')),
  reason        TEXT NOT NULL DEFAULT '',
  headers       TEXT NOT NULL DEFAULT '{}',  -- JSON object of the request headers
  body          BLOB NOT NULL DEFAULT x'',   -- raw body, exactly as received (empty if rejected)
  response      TEXT NOT NULL DEFAULT '{}',  -- JSON answered; a redelivery gets it again
  duplicates    INTEGER NOT NULL DEFAULT 0,  -- redeliveries recognised by dedupe_key
  trace_parent  TEXT NOT NULL DEFAULT ''     -- W3C traceparent of the request, if any
);
-- A key identifies one delivery per listener; redeliveries carry the same key.
CREATE UNIQUE INDEX deliveries_by_key ON deliveries (listener, dedupe_key)
  WHERE dedupe_key IS NOT NULL;
CREATE INDEX deliveries_by_time ON deliveries (received_at DESC, id DESC);

-- The dispatcher takes queued runs oldest first.
CREATE INDEX runs_queue ON runs (queued_at, id) WHERE status = 'queued';
