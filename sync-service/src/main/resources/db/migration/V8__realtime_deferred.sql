-- Changes that arrive while a run of their realtime sync is queued or running (its first copy, or a run started by
-- hand) wait here, and are applied in order once the run has ended. Applied at once, a change could be overwritten by
-- the run's older copy of the same record, read before the change and written after it: a deleted record brought back,
-- an update undone. Applied after the run, the latest change of every record touched during it wins.
CREATE TABLE sync_realtime_deferred (
    seq          bigserial   PRIMARY KEY,
    sync_id      uuid        NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
    org_id       text        NOT NULL,
    event_type   text        NOT NULL,  -- record.created | record.updated | record.deleted
    data         text        NOT NULL,  -- the change event's data as published (numbers kept exact)
    deferred_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_realtime_deferred_by_sync ON sync_realtime_deferred (sync_id, seq);
