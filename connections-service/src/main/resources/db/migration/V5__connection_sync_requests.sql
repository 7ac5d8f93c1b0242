-- Manual syncs asked for through POST /v1/connections/{id}/sync (seed 002). connections-service only
-- records and announces them (connection.sync_requested); messaging-service runs the mail and calendar sync.
CREATE TABLE connection_sync_requests (
    id            uuid        PRIMARY KEY,
    org_id        text        NOT NULL,
    connection_id uuid        NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    provider      text        NOT NULL,
    type          text        NOT NULL CHECK (type IN ('email', 'calendar', 'all')),
    requested_by  text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX connection_sync_requests_latest ON connection_sync_requests (connection_id, created_at DESC);
