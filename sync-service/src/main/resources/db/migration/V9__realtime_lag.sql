-- How far behind its source a realtime sync was at its last change: from the change's commit at the source (or, where
-- the source does not say, its capture) to its application at the destination.
ALTER TABLE sync_realtime ADD COLUMN last_lag_ms bigint;
