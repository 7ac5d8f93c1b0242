-- What a realtime sync's changes did (issue 12). Changes are applied one by one as they come, not in runs, so a
-- realtime sync keeps its own counts and its latest errors, written in the transaction that claims each change event
-- (the platform's processed-event claim): a redelivered event is not counted twice.
CREATE TABLE sync_realtime (
    sync_id         uuid        PRIMARY KEY REFERENCES syncs (id) ON DELETE CASCADE,
    org_id          text        NOT NULL,
    written         bigint      NOT NULL DEFAULT 0,  -- created or updated records written to the destination
    deleted         bigint      NOT NULL DEFAULT 0,  -- deletes applied
    skipped         bigint      NOT NULL DEFAULT 0,  -- filtered out, skipped by the transform, or a delete without the destination key
    failed          bigint      NOT NULL DEFAULT 0,  -- the transform failed, the destination refused, or the sync could not be planned
    last_change_at  timestamptz,
    last_error_at   timestamptz,
    errors          jsonb       NOT NULL DEFAULT '[]' -- the latest 100 errors, newest first: {key, reason, at}
);
