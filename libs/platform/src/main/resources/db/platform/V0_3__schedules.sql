-- Time-based work (sync schedules, workflow schedule triggers): one row per schedule, written in the
-- same transaction as the resource that owns it (Schedules), fired once per due time across all
-- replicas (SchedulePoller claims due rows FOR UPDATE SKIP LOCKED with a lease, then moves
-- next_fire_at on in the transaction of the firing). A lease table on the service's own schema, not
-- Quartz's JDBC store: see dev.weft.platform.schedule.Schedules.
CREATE TABLE schedules (
    id             uuid        PRIMARY KEY,
    org_id         text        NOT NULL,
    kind           text        NOT NULL,  -- which ScheduledJob fires it
    owner_id       text        NOT NULL,  -- the resource it belongs to, e.g. sync_...
    expression     text        NOT NULL,  -- hourly | daily | 5-field cron, as the caller gave it
    timezone       text        NOT NULL,  -- IANA zone the expression is read in
    enabled        boolean     NOT NULL DEFAULT true,
    next_fire_at   timestamptz,           -- the next due time, not fired yet; NULL: none
    leased_until   timestamptz,           -- claimed by a replica until then (it died if this passed)
    last_fired_at  timestamptz,           -- the due time handled last
    last_outcome   text,                  -- fired | skipped | failed
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, owner_id)
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE enabled;
