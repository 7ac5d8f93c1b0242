-- connections-service owns the "connections" schema; its tables arrive with the connections issue's migrations.
COMMENT ON SCHEMA connections IS 'Weft connections-service: Connections, provider catalog, OAuth flows, connector runtime and the data API.';
