-- Tables every service has in its own schema (shipped by libs/platform; versions 0.x so each
-- service's own migrations start at 1).

CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      text        NOT NULL,
    topic         text        NOT NULL,
    aggregate_id  text        NOT NULL,
    type          text        NOT NULL,
    source        text        NOT NULL,
    subject       text,
    org_id        text,
    occurred_at   timestamptz NOT NULL,
    data          text        NOT NULL,  -- the JSON exactly as serialised (jsonb would reformat it)
    traceparent   text
);

-- Wakes the relay at commit time (NOTIFY is delivered only when the transaction commits, and
-- only once per transaction and channel).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('weft_outbox_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE processed_events (
    consumer      text        NOT NULL,
    event_id      text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE idempotency_keys (
    org_id         text        NOT NULL,
    idem_key       text        NOT NULL,
    request_hash   text        NOT NULL,
    status_code    integer,
    response_body  text,
    content_type   text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    completed_at   timestamptz,
    PRIMARY KEY (org_id, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
