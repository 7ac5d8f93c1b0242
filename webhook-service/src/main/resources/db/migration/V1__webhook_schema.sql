-- webhook-service owns the "webhook" schema; its tables arrive with the webhook issue's migrations.
COMMENT ON SCHEMA webhook IS 'Weft webhook-service: Webhook endpoints, event types, signed deliveries, retries and replay.';
