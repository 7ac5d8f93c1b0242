-- Full-refresh runs (issue 12). A run asked for with {"full_refresh": true} reads the whole source from the start
-- instead of from the sync's cursor and, like a mirror, deletes the destination keys it did not see (the same
-- sync_run_keys, delete phase and checkpoints as V5). Mirror runs, which always are one, are queued with it set.
-- Runs from before this version keep false: which mode their sync had then is not recorded.
ALTER TABLE sync_runs ADD COLUMN full_refresh boolean NOT NULL DEFAULT false;
