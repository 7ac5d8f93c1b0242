-- Replay protection for WEFT-HMAC signed requests: a signature is accepted once. The row lives
-- until the request's timestamp leaves the accepted window (after that the timestamp check
-- refuses it anyway), then the cleanup deletes it. Shared by every replica of the service.
CREATE TABLE seen_signatures (
    key_id      text        NOT NULL,
    signature   text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (key_id, signature)
);
CREATE INDEX seen_signatures_expiry ON seen_signatures (expires_at);
