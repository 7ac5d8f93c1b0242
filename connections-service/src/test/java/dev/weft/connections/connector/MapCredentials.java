package dev.weft.connections.connector;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Credentials for connector tests that run without the service: fields from a map, the access
 * token from {@code access_token}, and a refresh that asks {@code refresher} for a new one.
 */
public final class MapCredentials implements ConnectionCredentials {
    private final Map<String, String> fields;
    private final UnaryOperator<String> refresher;
    private final AtomicInteger refreshes = new AtomicInteger();

    public MapCredentials(Map<String, String> fields, UnaryOperator<String> refresher) {
        this.fields = new HashMap<>(fields);
        this.refresher = refresher;
    }

    public static MapCredentials of(Map<String, String> fields) {
        return new MapCredentials(fields, rejected -> {
            throw ConnectorException.grantExpired("no refresh in this test", 400);
        });
    }

    /** A context for {@code provider} with these config values, credentials and operator settings. */
    public static ConnectorContext context(String provider, Map<String, Object> config, ConnectionCredentials credentials,
                                           Map<String, String> settings) {
        return new ConnectorContext("conn_test", "org_test", provider, config, credentials, settings);
    }

    @Override
    public Optional<String> get(String field) {
        return Optional.ofNullable(fields.get(field));
    }

    @Override
    public synchronized java.util.Set<String> fieldNames() {
        return java.util.Set.copyOf(fields.keySet());
    }

    @Override
    public synchronized String accessToken() {
        String token = fields.get("access_token");
        if (token == null) {
            throw ConnectorException.auth("no access token");
        }
        return token;
    }

    @Override
    public synchronized String refreshAccessToken(String rejected) {
        if (!rejected.equals(fields.get("access_token"))) {
            return fields.get("access_token");
        }
        refreshes.incrementAndGet();
        String fresh = refresher.apply(rejected);
        fields.put("access_token", fresh);
        return fresh;
    }

    public int refreshes() {
        return refreshes.get();
    }
}
