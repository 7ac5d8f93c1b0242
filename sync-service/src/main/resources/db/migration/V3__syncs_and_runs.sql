-- Syncs and their runs (issue 12). V2 is transforms (TransformService); this file starts at V3.
-- A sync's JSON parts (source, destination, field_mappings, filters) are stored as the API shows them,
-- already validated against the connections' describe; the incremental cursor is the sync's own.
CREATE TABLE syncs (
    id                         uuid        PRIMARY KEY,
    org_id                     text        NOT NULL,
    name                       text        NOT NULL,
    source                     text        NOT NULL,  -- JSON {connection_id, object, fields, filter, cursor_field}
    destination                text        NOT NULL,  -- JSON {connection_id, table|object, key, mode}
    source_connection_id       text        NOT NULL,  -- copies, so connection.deleted finds the syncs it stops
    destination_connection_id  text        NOT NULL,
    schedule                   text,                  -- realtime | hourly | daily | cron; NULL: runs only by hand
    timezone                   text        NOT NULL DEFAULT 'UTC',
    field_mappings             text        NOT NULL DEFAULT '[]',
    filters                    text        NOT NULL DEFAULT '[]',
    transform_id               text,
    enabled                    boolean     NOT NULL DEFAULT true,
    disabled_reason            text,
    cursor                     text,                  -- the source's high-water mark after the last committed batch
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL
);
CREATE INDEX syncs_page ON syncs (org_id, created_at DESC, id DESC);
CREATE INDEX syncs_source_connection ON syncs (source_connection_id);
CREATE INDEX syncs_destination_connection ON syncs (destination_connection_id);

-- One row per run. A worker claims queued runs (and running ones whose lease ran out: their replica died)
-- FOR UPDATE SKIP LOCKED with a lease it renews at every checkpoint; each checkpoint writes the cursor and
-- the counts in one transaction, after the destination batch committed.
CREATE TABLE sync_runs (
    id                uuid        PRIMARY KEY,
    org_id            text        NOT NULL,
    sync_id           uuid        NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
    status            text        NOT NULL,  -- queued | running | succeeded | partially_succeeded | failed | cancelled
    trigger           text        NOT NULL,  -- manual | schedule
    records_read      bigint      NOT NULL DEFAULT 0,
    records_written   bigint      NOT NULL DEFAULT 0,
    records_created   bigint      NOT NULL DEFAULT 0,
    records_updated   bigint      NOT NULL DEFAULT 0,
    records_deleted   bigint      NOT NULL DEFAULT 0,
    records_skipped   bigint      NOT NULL DEFAULT 0,
    records_failed    bigint      NOT NULL DEFAULT 0,
    batches           integer     NOT NULL DEFAULT 0,
    cursor_start      text,                  -- the sync's cursor when the run began
    cursor            text,                  -- after the run's last committed batch
    errors            text        NOT NULL DEFAULT '[]',  -- JSON: the first 100 per-record errors {key, reason}
    error             text,                  -- why the run failed
    cancel_requested  boolean     NOT NULL DEFAULT false,
    lease_until       timestamptz,           -- the worker holding it renews this; a passed lease is taken over
    lease_owner       text,
    attempts          integer     NOT NULL DEFAULT 0,
    queued_at         timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
-- Never two runs of one sync at once: a second queued or running run is refused by the database itself.
CREATE UNIQUE INDEX sync_runs_one_active ON sync_runs (sync_id) WHERE status IN ('queued', 'running');
CREATE INDEX sync_runs_page ON sync_runs (org_id, sync_id, created_at DESC, id DESC);
CREATE INDEX sync_runs_due ON sync_runs (lease_until) WHERE status IN ('queued', 'running');
