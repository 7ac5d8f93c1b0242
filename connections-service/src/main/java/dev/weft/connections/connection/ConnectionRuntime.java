package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connector.ConnectionCredentials;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.ConnectorRegistry;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.UUID;

/**
 * Lends a connection to its connector: the connector bean, and a context whose credentials are
 * decrypted for this call only and whose OAuth access token is refreshed through
 * {@link TokenRefresh} (once per connection, however many callers need it at the same moment).
 */
@ApplicationScoped
public class ConnectionRuntime {
    private final ConnectorRegistry registry;
    private final ConnectionService connections;
    private final ProviderSettings settings;
    private final TokenRefresh refresher;

    public ConnectionRuntime(ConnectorRegistry registry, ConnectionService connections, ProviderSettings settings, TokenRefresh refresher) {
        this.registry = registry;
        this.connections = connections;
        this.settings = settings;
        this.refresher = refresher;
    }

    public Connector connector(Connection connection) {
        return registry.find(connection.provider).orElseThrow(() ->
                ApiException.invalid("provider", "known_provider", "provider " + connection.provider + " is no longer available"));
    }

    public ConnectorContext context(Connection connection) {
        return new ConnectorContext(connection.connectionId(), connection.orgId, connection.provider, connections.config(connection),
                new StoredCredentials(connection.id, connections.openCredentials(connection), refresher), settings.of(connection.provider));
    }

    /** Credentials of one call: a snapshot that follows refreshes made through it. */
    static final class StoredCredentials implements ConnectionCredentials {
        private final UUID connectionId;
        private ObjectNode snapshot;
        private final TokenRefresh refresher;

        StoredCredentials(UUID connectionId, ObjectNode snapshot, TokenRefresh refresher) {
            this.connectionId = connectionId;
            this.snapshot = snapshot;
            this.refresher = refresher;
        }

        @Override
        public Optional<String> get(String field) {
            return Optional.ofNullable(snapshot.get(field)).filter(v -> !v.isNull()).map(v -> v.isTextual() ? v.asText() : v.toString());
        }

        @Override
        public synchronized java.util.Set<String> fieldNames() {
            java.util.Set<String> names = new java.util.TreeSet<>();
            snapshot.fieldNames().forEachRemaining(names::add);
            return names;
        }

        @Override
        public synchronized String accessToken() {
            String token = get("access_token").orElseThrow(() -> ConnectorException.auth("the connection has no access token; authorize it again"));
            if (get("refresh_token").isPresent() && TokenExpiry.expiresSoon(snapshot)) {
                snapshot = refresher.refresh(connectionId, token);
                return require();
            }
            return token;
        }

        @Override
        public synchronized String refreshAccessToken(String rejected) {
            if (get("refresh_token").isEmpty()) {
                throw ConnectorException.auth("the provider refused the access token and the connection has no refresh token", 401);
            }
            snapshot = refresher.refresh(connectionId, rejected);
            return require();
        }

        private String require() {
            return get("access_token").orElseThrow(() -> ConnectorException.auth("the token refresh returned no access token"));
        }
    }
}
