-- A record trigger asks connections-service for its object's change stream (created on demand).
-- stream_id: the stream found or created; stream_error: why there is none (shown on the trigger);
-- stream_pending: connections-service could not be reached or failed, so the ensure is tried again.
ALTER TABLE triggers ADD COLUMN stream_id text;
ALTER TABLE triggers ADD COLUMN stream_error text;
ALTER TABLE triggers ADD COLUMN stream_pending boolean NOT NULL DEFAULT false;
CREATE INDEX triggers_stream_pending ON triggers (updated_at) WHERE stream_pending;
