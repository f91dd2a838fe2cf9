-- Baton run store, version 4: the host process of every step and sidecar a runner started, so
-- that an engine restarted after a crash (SIGKILL, power loss, a shutdown past its grace) kills
-- what the dead one left running before it re-runs or interrupts those attempts. Written right
-- after each spawn (runners/host/README.md, "Crash recovery"); rows of finished attempts are
-- never read again and go with their task run.
CREATE TABLE processes (
  task_run_id TEXT NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
  proc_index  INTEGER NOT NULL CHECK (proc_index >= 0),  -- step index; sidecars after the steps
  pid         INTEGER NOT NULL,
  pgid        INTEGER NOT NULL,
  start_time  INTEGER NOT NULL,   -- /proc/<pid>/stat field 22, clock ticks since boot
  boot_id     TEXT NOT NULL,      -- /proc/sys/kernel/random/boot_id
  PRIMARY KEY (task_run_id, proc_index)
);
