-- Webhook endpoints of an org. The signing secret is encrypted; during a rotation the previous one
-- signs too until previous_secret_expires_at.
CREATE TABLE endpoints (
    id                         uuid        PRIMARY KEY,
    org_id                     text        NOT NULL,
    url                        text        NOT NULL,
    description                text,
    events                     text        NOT NULL,     -- comma-separated types and wildcards (sync.*, *)
    status                     text        NOT NULL,     -- active | paused | disabled
    disabled_reason            text,
    rate_limit                 integer,                  -- deliveries per second, null = unlimited
    headers                    text,                     -- JSON object of custom headers
    ordered                    boolean     NOT NULL DEFAULT false,
    secret                     text        NOT NULL,
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    failing_since              timestamptz,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL
);
CREATE INDEX endpoints_org_page ON endpoints (org_id, created_at DESC, id DESC);

-- Every event this service consumed, once (its CloudEvents id), so deliveries can be retried and replayed.
CREATE TABLE messages (
    id            uuid        PRIMARY KEY,
    org_id        text        NOT NULL,
    event_id      text        NOT NULL UNIQUE,
    type          text        NOT NULL,
    aggregate_id  text,
    payload       text        NOT NULL,                  -- the webhook body exactly as signed
    created_at    timestamptz NOT NULL
);
CREATE INDEX messages_org_time ON messages (org_id, created_at);

-- One message to one endpoint. Due deliveries are claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE deliveries (
    id               uuid        PRIMARY KEY,
    org_id           text        NOT NULL,
    endpoint_id      uuid        NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    message_id       uuid        NOT NULL REFERENCES messages (id),
    event_type       text        NOT NULL,
    aggregate_id     text,
    status           text        NOT NULL,               -- pending | retrying | succeeded | failed
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    succeeded_at     timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX deliveries_endpoint_page ON deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX deliveries_ordered ON deliveries (endpoint_id, aggregate_id, created_at) WHERE status IN ('pending', 'retrying');

CREATE TABLE attempts (
    id                uuid        PRIMARY KEY,
    org_id            text        NOT NULL,
    delivery_id       uuid        NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    endpoint_id       uuid        NOT NULL,
    attempted_at      timestamptz NOT NULL,
    status_code       integer,
    latency_ms        integer     NOT NULL,
    succeeded         boolean     NOT NULL,
    response_excerpt  text,
    error             text,
    next_attempt_at   timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, attempted_at);
CREATE INDEX attempts_endpoint_time ON attempts (endpoint_id, attempted_at);
