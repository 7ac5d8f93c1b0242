-- What the scheduler tests' jobs did, written inside each firing's transaction: a firing that did not
-- commit leaves no row, one that committed twice leaves two.
CREATE TABLE schedule_firings (
    schedule_id    uuid        NOT NULL,
    owner_id       text        NOT NULL,
    org_id         text        NOT NULL,  -- the schedule's org
    principal_org  text        NOT NULL,  -- the org the job ran as
    due_at         timestamptz NOT NULL,
    instance       text        NOT NULL
);
