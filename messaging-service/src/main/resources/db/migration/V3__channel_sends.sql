-- Channel sends (issue 13, channels): a queued outbound message is retried until the provider takes it.
-- next_attempt_at defaults to a minute after the row is written, so a message whose first send never finished
-- (the replica died mid-send) is picked up by the retry worker; a send's outcome clears or moves it.
ALTER TABLE messages ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at timestamptz DEFAULT now() + interval '1 minute';
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status = 'queued' AND direction = 'outbound';
