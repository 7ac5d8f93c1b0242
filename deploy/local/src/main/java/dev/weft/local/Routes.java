package dev.weft.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The path-prefix table that decides which service owns a request. It is loaded from
 * {@code routes.properties}, the single source of truth that the Kubernetes ingress
 * (deploy/k8s/base/ingress.yaml) must mirror; a unit test keeps the two equal.
 *
 * <p>Matching follows the ingress's {@code pathType: Prefix}: a prefix matches whole path
 * segments only, so {@code /v1/syncs} owns {@code /v1/syncs} and {@code /v1/syncs/abc} but not
 * {@code /v1/syncsX}.
 */
public final class Routes {
    public static final String RESOURCE = "routes.properties";

    public record Route(String prefix, WeftService service) {
        boolean matches(String path) {
            return path.equals(prefix) || path.startsWith(prefix) && path.charAt(prefix.length()) == '/';
        }
    }

    private final List<Route> routes;

    Routes(List<Route> routes) {
        // Longest prefix first, so a more specific rule would win, as it does in the ingress.
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        this.routes = List.copyOf(sorted);
    }

    public static Routes load() {
        try (InputStream in = Routes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the launcher jar; rebuild it with ./mvnw -pl deploy/local install");
            }
            Properties properties = new Properties();
            properties.load(in);
            return parse(properties);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }

    static Routes parse(Properties properties) {
        List<Route> routes = new ArrayList<>();
        for (String key : properties.stringPropertyNames()) {
            WeftService service = WeftService.fromId(key.trim());
            for (String prefix : properties.getProperty(key).split(",")) {
                String trimmed = prefix.trim();
                if (!trimmed.startsWith("/") || trimmed.endsWith("/")) {
                    throw new IllegalStateException(RESOURCE + ": prefix '" + trimmed + "' of " + key
                            + " must start with '/' and not end with one");
                }
                routes.add(new Route(trimmed, service));
            }
        }
        return new Routes(routes);
    }

    public List<Route> all() {
        return routes;
    }

    /** The service owning this raw request path (no query string), if any. */
    public Optional<WeftService> match(String path) {
        for (Route route : routes) {
            if (route.matches(path)) {
                return Optional.of(route.service());
            }
        }
        return Optional.empty();
    }
}
