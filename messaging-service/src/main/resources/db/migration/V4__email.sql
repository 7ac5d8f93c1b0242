-- Email (issue 14): mailboxes synced from IMAP, Gmail and Microsoft Graph connections, their mail, threads, and the
-- addresses matched to CRM entities.

-- One per mail connection. The sync position is the provider's: IMAP UIDVALIDITY + the last UID seen (+ HIGHESTMODSEQ
-- when the server offers CONDSTORE), Gmail's historyId, Graph's delta link per folder (JSON object). A stale position
-- (UIDVALIDITY changed, historyId 404, delta link 410) is replaced by a full resync, recorded in last_full_resync_*.
-- next_sync_at: when the periodic sync is due (set to now() by a sync request); lease_until: a replica's claim.
CREATE TABLE mail_accounts (
    id                       uuid        PRIMARY KEY,
    org_id                   text        NOT NULL,
    connection_id            text        NOT NULL,
    provider                 text        NOT NULL,   -- imap | google | microsoft
    address                  text,
    imap_uid_validity        bigint,
    imap_last_uid            bigint,
    imap_highest_modseq      bigint,
    gmail_history_id         text,
    graph_delta_links        text,                   -- JSON {"inbox": "...", "sentitems": "...", "archive": "..."}
    status                   text        NOT NULL DEFAULT 'pending',  -- pending | ok | failing
    last_error               text,
    last_sync_at             timestamptz,
    last_full_resync_at      timestamptz,
    last_full_resync_reason  text,
    messages_synced          bigint      NOT NULL DEFAULT 0,
    next_sync_at             timestamptz NOT NULL DEFAULT now(),
    lease_until              timestamptz,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    UNIQUE (org_id, connection_id)
);
CREATE INDEX mail_accounts_due ON mail_accounts (next_sync_at);

-- A conversation of emails: Gmail's threadId, Graph's conversationId, or for IMAP the root Message-ID of the
-- References chain (a reply whose parent is stored joins the parent's thread).
CREATE TABLE email_threads (
    id                  uuid        PRIMARY KEY,
    org_id              text        NOT NULL,
    connection_id       text        NOT NULL,
    provider_thread_id  text        NOT NULL,
    subject             text,
    last_message_at     timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (org_id, connection_id, provider_thread_id)
);

-- An email, stored once per connection however often it is synced (provider_message_id is unique per connection:
-- the Gmail id, the Graph immutable id, or for IMAP the folder and Message-ID, which survive a UIDVALIDITY change).
CREATE TABLE emails (
    id                   uuid        PRIMARY KEY,
    org_id               text        NOT NULL,
    connection_id        text        NOT NULL,
    account_id           uuid        NOT NULL REFERENCES mail_accounts (id) ON DELETE CASCADE,
    provider_message_id  text        NOT NULL,
    imap_uid             bigint,
    message_id           text,                  -- RFC 5322 Message-ID, with its angle brackets
    in_reply_to          text,
    references_ids       text[]      NOT NULL DEFAULT '{}',
    thread_id            uuid        NOT NULL REFERENCES email_threads (id),
    folder               text        NOT NULL,  -- inbox | sent | archive
    direction            text        NOT NULL,  -- inbound | outbound
    is_read              boolean     NOT NULL DEFAULT false,
    is_starred           boolean     NOT NULL DEFAULT false,
    is_archived          boolean     NOT NULL DEFAULT false,
    from_address         text,
    from_name            text,
    to_list              text        NOT NULL DEFAULT '[]',  -- JSON [{"address","name"}]
    cc_list              text        NOT NULL DEFAULT '[]',
    bcc_list             text        NOT NULL DEFAULT '[]',
    addresses            text[]      NOT NULL DEFAULT '{}',  -- every address on it, lower-cased (entity matching)
    subject              text,
    body_text            text,
    snippet              text,
    received_at          timestamptz NOT NULL,
    search               tsvector    GENERATED ALWAYS AS (
                             setweight(to_tsvector('english', coalesce(subject, '')), 'A')
                             || setweight(to_tsvector('simple', coalesce(from_name, '') || ' ' || coalesce(from_address, '')), 'B')
                             || setweight(to_tsvector('english', coalesce(body_text, '')), 'C')) STORED,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (org_id, connection_id, provider_message_id)
);
CREATE INDEX emails_page ON emails (org_id, folder, received_at DESC, id DESC);
CREATE INDEX emails_thread ON emails (thread_id, received_at);
CREATE INDEX emails_message_id ON emails (org_id, connection_id, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX emails_addresses ON emails USING gin (addresses);
CREATE INDEX emails_search ON emails USING gin (search);

-- An address matched to a CRM entity: every email from or to it, before and after the match, links to the entity
-- (joined when read, so mail synced later links too).
CREATE TABLE email_matches (
    id           uuid        PRIMARY KEY,
    org_id       text        NOT NULL,
    address      text        NOT NULL,   -- lower-cased
    entity_type  text        NOT NULL,
    entity_id    text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (org_id, address, entity_type, entity_id)
);
CREATE INDEX email_matches_entity ON email_matches (org_id, entity_type, entity_id);
