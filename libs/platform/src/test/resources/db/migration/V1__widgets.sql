CREATE TABLE widgets (
    id          uuid PRIMARY KEY,
    org_id      text        NOT NULL,
    name        text        NOT NULL,
    size        integer     NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX widgets_keyset ON widgets (org_id, created_at DESC, id DESC);
