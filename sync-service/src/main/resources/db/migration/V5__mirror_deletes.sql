-- Mirror deletes (issue 12). A mirror run reads the whole source (phase 'copy'), recording the destination key
-- of every record it saw in sync_run_keys, in the same transaction as each checkpoint; then (phase 'delete') it
-- pages through the destination's keys and deletes the ones the run did not see, checkpointing delete_cursor
-- after each deleted batch. Keys live in the database, not the JVM: memory stays flat, and a run killed in
-- either phase resumes from its last checkpoint. The run's keys are dropped when it finishes.
ALTER TABLE sync_runs ADD COLUMN phase text NOT NULL DEFAULT 'copy';  -- copy | delete
ALTER TABLE sync_runs ADD COLUMN delete_cursor text;                 -- the destination read's cursor after the last deleted batch

CREATE TABLE sync_run_keys (
    run_id  uuid NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    key     text NOT NULL,  -- JSON array of the destination key's values, as strings
    PRIMARY KEY (run_id, key)
);
