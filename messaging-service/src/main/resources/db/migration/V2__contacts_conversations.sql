-- Contacts, inboxes, conversations and messages (issue 13, the core the channel adapters build on; V3+ are theirs).

-- A contact is deduplicated by external_id, then email, then phone. The *_key columns hold what is compared:
-- email lower-cased, phone in E.164 with national variants folded (Brazil's mobile 9th digit), so that the
-- unique indexes refuse a second contact with the same key even when two requests race.
CREATE TABLE contacts (
    id                uuid        PRIMARY KEY,
    org_id            text        NOT NULL,
    first_name        text,
    last_name         text,
    email             text,
    email_key         text,
    phone             text,                   -- E.164 as given (+5511912345678 and +551112345678 both stay as written)
    phone_key         text,
    external_id       text,
    channel           text,                   -- the channel the contact was first seen on
    channels          varchar[]   NOT NULL DEFAULT '{}',  -- every channel it has a conversation on (the list's channel filter)
    tags              varchar[]   NOT NULL DEFAULT '{}',
    properties        text        NOT NULL DEFAULT '{}',  -- JSON object, keys as the client wrote them
    last_inbound_at   timestamptz,            -- the contact's latest message to us (the 24-hour windows start here)
    last_outbound_at  timestamptz,            -- our latest message to the contact (internal notes excluded)
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX contacts_external_id ON contacts (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX contacts_email ON contacts (org_id, email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts (org_id, phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX contacts_page ON contacts (org_id, created_at DESC, id DESC);
CREATE INDEX contacts_tags ON contacts USING gin (tags);
CREATE INDEX contacts_channels ON contacts USING gin (channels);

-- A contact's address on a channel: a WhatsApp number as the provider writes it, a Telegram chat id, an Instagram or
-- Messenger user id, an email address. ContactService.findOrCreate looks the sender of an inbound message up here.
CREATE TABLE contact_identities (
    id          uuid        PRIMARY KEY,
    org_id      text        NOT NULL,
    contact_id  uuid        NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel     text        NOT NULL,
    address     text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (org_id, channel, address)
);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

-- An inbox groups conversations (e.g. "support", "sales"); its agents take new conversations round-robin.
-- next_agent counts assignments made; the next agent is agent_ids[next_agent % n].
CREATE TABLE inboxes (
    id          uuid        PRIMARY KEY,
    org_id      text        NOT NULL,
    name        text        NOT NULL,
    agent_ids   text[]      NOT NULL DEFAULT '{}',
    next_agent  bigint      NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (org_id, name)
);

-- A conversation with one contact on one channel in one inbox. version is the ETag: it moves with every change.
CREATE TABLE conversations (
    id               uuid        PRIMARY KEY,
    org_id           text        NOT NULL,
    contact_id       uuid        NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel          text        NOT NULL,
    inbox            text        NOT NULL,
    subject          text,
    status           text        NOT NULL,   -- open | pending | snoozed | resolved | closed (docs/messaging.md has the transitions)
    assignee_id      text,
    snoozed_until    timestamptz,            -- for snoozed: when it wakes up by itself (NULL: on the next inbound message)
    resolved_at      timestamptz,
    last_message_at  timestamptz,
    version          bigint      NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX conversations_page ON conversations (org_id, created_at DESC, id DESC);
CREATE INDEX conversations_status ON conversations (org_id, status, created_at DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations (org_id, assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL;
CREATE INDEX conversations_contact ON conversations (contact_id, created_at DESC, id DESC);
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE status = 'snoozed' AND snoozed_until IS NOT NULL;

-- Messages, newest first per conversation on (created_at, id). created_at is taken while the conversation's row is
-- locked and never goes below the conversation's last_message_at, so a page read never misses a message that
-- commits later (docs/messaging.md, "History without gaps").
CREATE TABLE messages (
    id                   uuid        PRIMARY KEY,
    org_id               text        NOT NULL,
    conversation_id      uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    contact_id           uuid        NOT NULL,
    channel              text        NOT NULL,
    direction            text        NOT NULL,   -- inbound | outbound
    type                 text        NOT NULL,   -- text | template | image | ...
    content              text,
    template             text,                   -- JSON, for template messages
    metadata             text        NOT NULL DEFAULT '{}',  -- JSON object
    author_type          text        NOT NULL,   -- contact | agent | api | system
    agent_id             text,
    internal             boolean     NOT NULL DEFAULT false,
    status               text        NOT NULL,   -- received | queued | sent | delivered | read | failed | stored (internal notes)
    platform_message_id  text,
    error_code           text,
    error_message        text,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
-- A provider's message id is stored once per org and channel, however often the provider redelivers it.
CREATE UNIQUE INDEX messages_platform_id ON messages (org_id, channel, platform_message_id) WHERE platform_message_id IS NOT NULL;
CREATE INDEX messages_history ON messages (conversation_id, created_at DESC, id DESC);
CREATE INDEX messages_contact ON messages (contact_id);
