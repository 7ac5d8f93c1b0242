-- Change capture: a stream follows one object of one connection and turns its changes into record.* events.
CREATE TABLE streams (
    id                    uuid        PRIMARY KEY,
    org_id                text        NOT NULL,
    connection_id         uuid        NOT NULL REFERENCES connections (id),
    object                text        NOT NULL,  -- as the connector names it
    fields                text,                  -- JSON array of the fields events carry (null: all)
    filter                text,                  -- the data API's filter grammar (null: every change)
    kind                  text        NOT NULL,  -- log (the database's own log) or poll (modification time)
    status                text        NOT NULL,  -- starting, snapshotting, streaming, paused, failed
    status_reason         text,
    snapshot              boolean     NOT NULL DEFAULT false,
    poll_interval_seconds integer,
    position              text,                  -- where the source is, as its system says it (LSN, binlog file:pos, cursor)
    events_published      bigint      NOT NULL DEFAULT 0,
    last_event_at         timestamptz,
    lag_seconds           double precision,
    leased_by             text,                  -- the replica running it
    leased_until          timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE UNIQUE INDEX streams_one_per_object ON streams (connection_id, object);
CREATE INDEX streams_org_page ON streams (org_id, created_at DESC, id DESC);
CREATE INDEX streams_runnable ON streams (leased_until) WHERE status IN ('starting', 'snapshotting', 'streaming');

-- The source's own position (Debezium's offsets, a poller's cursor), written in the same transaction as the events it
-- produced, so a restart or a takeover resumes exactly where the last committed batch ended.
CREATE TABLE stream_offsets (
    stream_id  uuid NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
    name       text NOT NULL,
    value      text,
    PRIMARY KEY (stream_id, name)
);

-- Schema history of log sources that need one (MySQL/MariaDB's binlog carries no table definitions).
CREATE TABLE stream_schema_history (
    stream_id  uuid   NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
    seq        bigserial,
    record     text   NOT NULL,
    PRIMARY KEY (stream_id, seq)
);
