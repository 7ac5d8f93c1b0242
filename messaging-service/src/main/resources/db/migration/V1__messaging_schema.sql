-- messaging-service owns the "messaging" schema; its tables arrive with the messaging issue's migrations.
COMMENT ON SCHEMA messaging IS 'Weft messaging-service: Contacts, conversations and messages on every channel, email, calendar and documents.';
