-- Workflows, their immutable versions, triggers, executions and their steps (issue 15).
-- A workflow's definition (trigger and actions) is stored as the API shows it; every change writes a new row to
-- workflow_versions, and an execution runs the version it was started with (editing never changes a running one).
CREATE TABLE workflows (
    id              uuid        PRIMARY KEY,
    org_id          text        NOT NULL,
    name            text        NOT NULL,
    enabled         boolean     NOT NULL DEFAULT true,
    version         integer     NOT NULL,
    trigger_id      uuid,                  -- the workflow's own (inline) trigger, if any
    actions         text        NOT NULL,  -- JSON array, as given
    signing_secret  text        NOT NULL,  -- encrypted whsec_: signs the workflow's http and webhook requests
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX workflows_page ON workflows (org_id, created_at DESC, id DESC);

CREATE TABLE workflow_versions (
    workflow_id  uuid        NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    version      integer     NOT NULL,
    org_id       text        NOT NULL,
    definition   text        NOT NULL,  -- JSON {name, trigger, actions} exactly as that version was
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow_id, version)
);

-- A trigger fires one workflow. Inline triggers (a workflow's "trigger") and standalone ones (POST /v1/triggers) are
-- both rows here, so matching an event is one indexed look-up whichever way they were made.
CREATE TABLE triggers (
    id             uuid        PRIMARY KEY,
    org_id         text        NOT NULL,
    workflow_id    uuid        NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    inline         boolean     NOT NULL,
    type           text        NOT NULL,  -- record_created|record_updated|record_deleted|field_changed|schedule|api_call|event
    connection_id  text,
    object         text,
    event_type     text,                  -- record.created, message.created, ...: what a Kafka event must be to match
    definition     text        NOT NULL,  -- JSON, as given
    enabled        boolean     NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX triggers_page ON triggers (org_id, created_at DESC, id DESC);
CREATE INDEX triggers_match ON triggers (org_id, event_type) WHERE enabled;
CREATE INDEX triggers_workflow ON triggers (workflow_id);

-- One execution per (workflow, triggering event): a redelivered or duplicated event finds the row there.
-- The worker claims due executions (queued, running with a passed lease, or waiting out a delay) FOR UPDATE SKIP LOCKED
-- by moving due_at ahead by its lease; each step's completion and the next step's state commit together.
CREATE TABLE executions (
    id                uuid        PRIMARY KEY,
    org_id            text        NOT NULL,
    workflow_id       uuid        NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    workflow_version  integer     NOT NULL,
    trigger_id        uuid,
    trigger_type      text        NOT NULL,
    event_id          text        NOT NULL,  -- the triggering event's id (ce_id, invoke key, schedule due time)
    status            text        NOT NULL,  -- queued | running | waiting | succeeded | failed | cancelled
    input             text        NOT NULL,  -- JSON: what the trigger delivered
    context           text        NOT NULL,  -- JSON: the data the steps read and write
    current_step      integer     NOT NULL DEFAULT 0,
    step_count        integer     NOT NULL,
    due_at            timestamptz,           -- next time the worker acts on it (also the lease while it runs); NULL when finished
    lease_owner       text,
    error             text,                  -- JSON {code, message} when failed
    started_at        timestamptz,
    finished_at       timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (workflow_id, event_id)
);
CREATE INDEX executions_page ON executions (org_id, workflow_id, created_at DESC, id DESC);
CREATE INDEX executions_due ON executions (due_at) WHERE status IN ('queued', 'running', 'waiting');

CREATE TABLE execution_steps (
    execution_id  uuid        NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    step_index    integer     NOT NULL,
    org_id        text        NOT NULL,
    type          text        NOT NULL,
    status        text        NOT NULL,  -- pending | running | succeeded | failed | skipped | cancelled
    input         text,                  -- JSON
    output        text,                  -- JSON
    warnings      text,                  -- JSON array (e.g. template paths that were missing)
    error         text,                  -- JSON {code, message}
    attempts      integer     NOT NULL DEFAULT 0,
    started_at    timestamptz,
    finished_at   timestamptz,
    PRIMARY KEY (execution_id, step_index)
);
