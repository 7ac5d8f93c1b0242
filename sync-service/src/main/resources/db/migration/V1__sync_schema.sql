-- sync-service owns the "sync" schema; its tables arrive with the sync issue's migrations.
COMMENT ON SCHEMA sync IS 'Weft sync-service: Syncs, schedules, mappings, transforms and runs.';
