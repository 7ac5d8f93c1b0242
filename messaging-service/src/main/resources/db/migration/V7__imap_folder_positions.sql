-- IMAP syncs INBOX, the Sent folder and the archive folder, each with its own position (a UIDVALIDITY and UID mean
-- something only within their folder). The position moves from mail_accounts' one INBOX position to a row per
-- account and folder; an account's INBOX position is kept, so the next sync carries on from it.
CREATE TABLE mail_folder_positions (
    id              uuid        PRIMARY KEY,
    org_id          text        NOT NULL,
    account_id      uuid        NOT NULL REFERENCES mail_accounts (id) ON DELETE CASCADE,
    folder          text        NOT NULL,   -- inbox | sent | archive
    path            text        NOT NULL,   -- the server's name for it (INBOX, "Sent Items", "[Gmail]/Sent Mail"...)
    uid_validity    bigint      NOT NULL,
    last_uid        bigint      NOT NULL,
    highest_modseq  bigint,                 -- when the server offers CONDSTORE
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (account_id, folder)
);

INSERT INTO mail_folder_positions (id, org_id, account_id, folder, path, uid_validity, last_uid, highest_modseq, created_at, updated_at)
SELECT gen_random_uuid(), org_id, id, 'inbox', 'INBOX', imap_uid_validity, imap_last_uid, imap_highest_modseq, now(), now()
FROM mail_accounts
WHERE provider = 'imap' AND imap_uid_validity IS NOT NULL AND imap_last_uid IS NOT NULL;

ALTER TABLE mail_accounts DROP COLUMN imap_uid_validity, DROP COLUMN imap_last_uid, DROP COLUMN imap_highest_modseq;
