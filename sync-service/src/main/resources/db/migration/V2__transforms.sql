-- Custom transforms of an org (seed 000 "Custom Transforms"): JSONata or JavaScript code, compiled before it is stored.
CREATE TABLE transforms (
    id          uuid        PRIMARY KEY,
    org_id      text        NOT NULL,
    name        text        NOT NULL,
    type        text        NOT NULL CHECK (type IN ('jsonata', 'javascript')),
    code        text        NOT NULL,
    description text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX transforms_org_page ON transforms (org_id, created_at DESC, id DESC);
