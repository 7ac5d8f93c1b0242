-- Many events of one topic in one row (Outbox.publishAll, e.g. a captured batch of changes): the row's columns hold what
-- they share, `pack` the events themselves (OutboxPack), `pack_size` how many. A row per event cost PostgreSQL a tuple and
-- an index entry to insert, read back and delete for each. Stored out of line and uncompressed: the relay reads each
-- pack whole once, and compressing it would cost more CPU than the bytes it saves.
ALTER TABLE outbox
    ADD COLUMN pack bytea,
    ADD COLUMN pack_size integer,
    ALTER COLUMN event_id DROP NOT NULL,
    ALTER COLUMN aggregate_id DROP NOT NULL,
    ALTER COLUMN type DROP NOT NULL,
    ALTER COLUMN data DROP NOT NULL,
    ALTER COLUMN pack SET STORAGE EXTERNAL,
    ADD CONSTRAINT outbox_event_or_pack CHECK (
        (pack IS NULL AND event_id IS NOT NULL AND aggregate_id IS NOT NULL AND type IS NOT NULL AND data IS NOT NULL)
        OR (pack IS NOT NULL AND pack_size > 0));
