-- auth-service owns the "auth" schema; its tables arrive with the auth issue's migrations.
COMMENT ON SCHEMA auth IS 'Weft auth-service: Authentication: organizations, OAuth clients and tokens, API keys, signing keys, rate-limit plans.';
