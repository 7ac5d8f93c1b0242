package dev.weft.connections.connection;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's settings per provider: {@code weft.connections.providers.<provider>.<key>} in
 * configuration, or {@code WEFT_CONNECTIONS_PROVIDERS_<PROVIDER>_<KEY>} in the environment (a
 * Kubernetes Secret), e.g. {@code client-id}, {@code client-secret}, {@code base-url},
 * {@code token-url}. Connectors get their provider's map; OAuth flows read client credentials.
 */
@ApplicationScoped
public class ProviderSettings {
    private static final String PREFIX = "weft.connections.providers.";
    private static final String ENV_PREFIX = "WEFT_CONNECTIONS_PROVIDERS_";

    private final Map<String, Map<String, String>> byProvider = new HashMap<>();

    public ProviderSettings(Config config) {
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                String rest = name.substring(PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    config.getOptionalValue(name, String.class).ifPresent(value ->
                            byProvider.computeIfAbsent(rest.substring(0, dot), p -> new HashMap<>()).put(rest.substring(dot + 1), value));
                }
            }
        }
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX)) {
                String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
                int underscore = rest.indexOf('_');
                if (underscore > 0) {
                    byProvider.computeIfAbsent(rest.substring(0, underscore), p -> new HashMap<>())
                            .putIfAbsent(rest.substring(underscore + 1).replace('_', '-'), value);
                }
            }
        });
    }

    public Map<String, String> of(String provider) {
        return Map.copyOf(byProvider.getOrDefault(provider, Map.of()));
    }

    public Optional<String> get(String provider, String key) {
        return Optional.ofNullable(byProvider.getOrDefault(provider, Map.of()).get(key)).filter(v -> !v.isBlank());
    }
}
