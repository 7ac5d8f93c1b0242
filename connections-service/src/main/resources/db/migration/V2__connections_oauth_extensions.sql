-- Connections: provider config in the clear, credentials sealed (envelope encryption: a per-row
-- data key wrapped by the deployment keyring, see EnvelopeCipher), only their field names visible.
CREATE TABLE connections (
    id                   uuid        PRIMARY KEY,
    org_id               text        NOT NULL,
    provider             text        NOT NULL,
    name                 text        NOT NULL,
    config               text        NOT NULL,           -- JSON object, validated against the provider's schema
    auth_type            text        NOT NULL,
    credential_fields    text        NOT NULL,           -- comma-separated names of the fields set, never values
    credentials_key      text        NOT NULL,           -- the data key, wrapped by the keyring (key id inside)
    credentials          text        NOT NULL,           -- the credentials JSON, sealed with the data key
    token_expires_at     timestamptz,                    -- OAuth access token expiry, for proactive refresh
    oauth_subject        text,                           -- who authorized it (the principal's credential id)
    status               text        NOT NULL DEFAULT 'pending',
    status_message       text,
    last_checked_at      timestamptz,
    next_check_at        timestamptz NOT NULL DEFAULT now(),
    consecutive_failures integer     NOT NULL DEFAULT 0,
    created_by           text,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX connections_org_page ON connections (org_id, created_at DESC, id DESC);
CREATE INDEX connections_due_check ON connections (next_check_at);
CREATE INDEX connections_due_refresh ON connections (token_expires_at) WHERE token_expires_at IS NOT NULL;

-- OAuth authorization requests in flight: the state is a random token of which only the hash is
-- kept; it is bound to the org and principal that started the flow and can be used once.
CREATE TABLE oauth_states (
    state_hash     text        PRIMARY KEY,
    org_id         text        NOT NULL,
    principal_id   text        NOT NULL,
    provider       text        NOT NULL,
    connection_id  uuid,                                 -- reconnecting an existing connection
    name           text,
    redirect_uri   text        NOT NULL,
    return_to      text,
    code_verifier  text        NOT NULL,                 -- PKCE verifier, encrypted
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Extensions: custom connectors a customer runs as an HTTP service.
CREATE TABLE extensions (
    id             uuid        PRIMARY KEY,
    org_id         text        NOT NULL,
    provider       text        NOT NULL,                 -- ext_<key>, the provider id connections use
    name           text        NOT NULL,
    description    text,
    base_url       text        NOT NULL,
    secret         text        NOT NULL,                 -- signing secret, encrypted
    config_schema  text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (org_id, provider)
);
CREATE INDEX extensions_org_page ON extensions (org_id, created_at DESC, id DESC);
