package dev.weft.connections.connector;

import java.util.Map;
import java.util.Optional;

/**
 * What a connector gets for one call: the connection's id and org, its (validated) {@code config},
 * its decrypted credentials behind {@link ConnectionCredentials}, and the operator's settings for
 * the provider (e.g. a base-URL override that points a SaaS connector at a stub server).
 */
public record ConnectorContext(
        String connectionId,
        String orgId,
        String provider,
        Map<String, Object> config,
        ConnectionCredentials credentials,
        Map<String, String> providerSettings) {

    public Optional<String> configString(String name) {
        Object value = config.get(name);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
    }

    public boolean configFlag(String name, boolean fallback) {
        Object value = config.get(name);
        return value instanceof Boolean flag ? flag : value == null ? fallback : Boolean.parseBoolean(String.valueOf(value));
    }

    public Optional<String> setting(String name) {
        return Optional.ofNullable(providerSettings.get(name)).filter(s -> !s.isBlank());
    }
}
