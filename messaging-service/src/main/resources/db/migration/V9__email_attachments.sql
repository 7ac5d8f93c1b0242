-- Attachments' metadata, read by the sync from the provider (IMAP BODYSTRUCTURE, Gmail payload parts, Graph's
-- attachments list); the content stays with the provider and is fetched when downloaded.
CREATE TABLE email_attachments (
    id                      uuid        PRIMARY KEY,
    org_id                  text        NOT NULL,
    email_id                uuid        NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    provider_attachment_id  text        NOT NULL,   -- IMAP MIME section ("2", "1.2"), Gmail partId, Graph attachment id
    position                int         NOT NULL,   -- order in the message
    filename                text,
    content_type            text        NOT NULL,
    size_bytes              bigint,
    content_id              text,                   -- Content-ID without angle brackets (inline images)
    is_inline               boolean     NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    UNIQUE (email_id, provider_attachment_id)
);
CREATE INDEX email_attachments_email ON email_attachments (email_id, position);

-- Whether the email has attachments other than inline ones (what a mail client shows a paperclip for).
ALTER TABLE emails ADD COLUMN has_attachments boolean NOT NULL DEFAULT false;
