-- API keys (seed 001): only a SHA-256 of the key is kept, plus a short non-secret prefix for display.
-- Revocation keeps the row (revoked_at) so lists and audits still show the key.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    org_id        text        NOT NULL,
    name          text        NOT NULL,
    scopes        text        NOT NULL,
    mode          text        NOT NULL CHECK (mode IN ('live', 'test')),
    key_hash      text        NOT NULL UNIQUE,
    key_prefix    text        NOT NULL,
    created_by    text,
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX api_keys_keyset ON api_keys (org_id, created_at DESC, id DESC);

-- HMAC request-signing keys (seed 003): the secret is sealed by SecretCipher (the server must
-- recompute signatures, so it cannot be hashed), with the row id and org as associated data.
-- Not to be confused with signing_keys, the JWT signing keys of V2.
CREATE TABLE request_signing_keys (
    id            uuid PRIMARY KEY,
    org_id        text        NOT NULL,
    name          text        NOT NULL,
    scopes        text        NOT NULL,
    secret_enc    text        NOT NULL,
    created_by    text,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX request_signing_keys_keyset ON request_signing_keys (org_id, created_at DESC, id DESC);
