COMMENT ON SCHEMA bench_outbox IS 'outbox benchmark';
