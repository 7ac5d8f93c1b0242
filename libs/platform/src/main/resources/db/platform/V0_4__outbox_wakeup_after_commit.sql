-- The relay is woken after commit by the writing replica (OutboxWakeup), no longer by a NOTIFY inside each writing
-- transaction: PostgreSQL serialises the commits of notifying transactions on one database-wide lock.
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();
