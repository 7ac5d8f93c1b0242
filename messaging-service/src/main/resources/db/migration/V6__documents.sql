-- Documents (issue 14): a file linked to an org and optionally a CRM entity, uploaded by the client straight to the
-- store (filesystem or S3) through a presigned URL, then confirmed. Only a confirmed document is 'uploaded'.
CREATE TABLE documents (
    id                uuid        PRIMARY KEY,
    org_id            text        NOT NULL,
    file_name         text        NOT NULL,
    content_type      text        NOT NULL,
    declared_size     bigint,                 -- size_bytes the client declared at upload; confirm requires the stored size to equal it
    declared_sha256   text,                   -- hex SHA-256 the client declared; confirm requires the stored bytes to hash to it
    size_bytes        bigint,                 -- the stored object's size, known once confirmed
    sha256            text,                   -- the stored object's hex SHA-256, known once confirmed (when the store can tell)
    status            text        NOT NULL,   -- pending | uploaded
    archived          boolean     NOT NULL DEFAULT false,
    archived_at       timestamptz,
    entity_type       text,
    entity_id         text,
    store             text        NOT NULL,   -- filesystem | s3: where object_key lives
    object_key        text        NOT NULL,
    upload_started_at timestamptz,            -- set when the one upload a document allows begins (filesystem store): a reused URL is refused
    uploaded_at       timestamptz,
    created_by        text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK (status IN ('pending', 'uploaded'))
);
CREATE INDEX documents_page ON documents (org_id, created_at DESC, id DESC);
CREATE INDEX documents_entity ON documents (org_id, entity_type, entity_id, created_at DESC);
