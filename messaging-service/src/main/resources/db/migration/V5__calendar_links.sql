-- Calendar events (issue 14): kept in Weft, and two-way synced with a Google or Microsoft calendar when they
-- belong to a connection. One row per provider event (unique per connection); a deletion leaves a tombstone
-- (deleted_at) so a later sync page about the same event is recognised, not inserted again.
CREATE TABLE calendar_events (
    id                uuid        PRIMARY KEY,
    org_id            text        NOT NULL,
    connection_id     text,                               -- conn_...; null for an event kept only in Weft
    provider          text,                               -- google | microsoft
    provider_event_id text,
    etag              text,                               -- Google etag, Graph @odata.etag (changeKey): If-Match on writes
    title             text        NOT NULL,
    description       text,
    location          text,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    all_day           boolean     NOT NULL DEFAULT false,
    status            text        NOT NULL DEFAULT 'confirmed',
    organizer         text,
    attendees         varchar[]   NOT NULL DEFAULT '{}',
    entity_type       text,
    entity_id         text,
    push_pending      text        CHECK (push_pending IN ('create', 'update', 'delete')),  -- a local change not yet written to the provider
    push_error        text,
    conflict_at       timestamptz,                        -- the provider won over a local change (docs/engagement.md)
    conflict_local    text,                               -- that local change, as JSON
    deleted_at        timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX calendar_events_provider_id ON calendar_events (connection_id, provider_event_id) WHERE provider_event_id IS NOT NULL;
CREATE INDEX calendar_events_range ON calendar_events (org_id, starts_at, id) WHERE deleted_at IS NULL;
CREATE INDEX calendar_events_entity ON calendar_events (org_id, entity_type, entity_id) WHERE deleted_at IS NULL;
CREATE INDEX calendar_events_pending ON calendar_events (connection_id) WHERE push_pending IS NOT NULL;

-- A calendar connection's sync position and schedule. Claimed once across replicas (DueWork): periodic when
-- next_sync_at passes, at once when asked (API, connection.sync_requested); leased_until guards a running sync.
CREATE TABLE calendar_accounts (
    id                 uuid        PRIMARY KEY,
    org_id             text        NOT NULL,
    connection_id      text        NOT NULL UNIQUE,
    provider           text        NOT NULL,
    sync_token         text,                              -- Google nextSyncToken, Graph deltaLink
    next_sync_at       timestamptz NOT NULL,
    leased_until       timestamptz,
    last_sync_at       timestamptz,
    last_error         text,
    full_resyncs       integer     NOT NULL DEFAULT 0,
    last_full_resync_at timestamptz,
    last_full_resync_reason text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX calendar_accounts_due ON calendar_accounts (next_sync_at);

-- Entity links on contacts and conversations: one CRM entity each (EntityRef), queryable per entity.
ALTER TABLE contacts ADD COLUMN entity_type text, ADD COLUMN entity_id text;
ALTER TABLE conversations ADD COLUMN entity_type text, ADD COLUMN entity_id text;
CREATE INDEX contacts_entity ON contacts (org_id, entity_type, entity_id) WHERE entity_type IS NOT NULL;
CREATE INDEX conversations_entity ON conversations (org_id, entity_type, entity_id) WHERE entity_type IS NOT NULL;
