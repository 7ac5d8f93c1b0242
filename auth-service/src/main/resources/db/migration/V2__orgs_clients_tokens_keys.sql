-- Organizations are the tenants themselves, so they carry no org_id.
CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text        NOT NULL,
    plan        text        NOT NULL CHECK (plan IN ('developer', 'professional', 'enterprise')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX organizations_keyset ON organizations (created_at DESC, id DESC);

-- OAuth clients: only a SHA-256 of the secret is kept; scopes space-separated (RFC 6749 form).
CREATE TABLE oauth_clients (
    id                 uuid PRIMARY KEY,
    org_id             text        NOT NULL,
    name               text        NOT NULL,
    scopes             text        NOT NULL,
    secret_hash        text        NOT NULL,
    created_by         text,
    secret_rotated_at  timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX oauth_clients_keyset ON oauth_clients (org_id, created_at DESC, id DESC);

-- Rotating refresh tokens: one row per token, grouped in families; a reused (used_at set) token
-- revokes its whole family. Deleting the client deletes its tokens.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    org_id      text        NOT NULL,
    client_id   uuid        NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    family_id   uuid        NOT NULL,
    token_hash  text        NOT NULL UNIQUE,
    scope       text        NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_client ON refresh_tokens (client_id);

-- Revoked access tokens by jti, kept until the token would have expired anyway.
CREATE TABLE revoked_access_tokens (
    jti         text PRIMARY KEY,
    org_id      text        NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);

-- JWT signing keys: the private half sealed by SecretCipher with the row id as associated data.
-- Exactly one active key; retired keys stay published until publish_until (their last token's expiry).
CREATE TABLE signing_keys (
    id               uuid PRIMARY KEY,
    kid              text        NOT NULL UNIQUE,
    algorithm        text        NOT NULL,
    public_jwk       text        NOT NULL,
    private_jwk_enc  text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('active', 'retired')),
    created_at       timestamptz NOT NULL,
    retired_at       timestamptz,
    publish_until    timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (status) WHERE status = 'active';
