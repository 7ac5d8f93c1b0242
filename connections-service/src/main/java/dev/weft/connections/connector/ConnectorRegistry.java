package dev.weft.connections.connector;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every built-in connector, found through CDI (one class per provider folder), plus the
 * extension connectors customers register at run time ({@link ExtensionConnectors}).
 */
@ApplicationScoped
public class ConnectorRegistry {
    private final Map<String, Connector> builtIn = new TreeMap<>();
    private final Instance<ExtensionConnectors> extensions;

    public ConnectorRegistry(@jakarta.enterprise.inject.Any Instance<Connector> connectors, Instance<ExtensionConnectors> extensions) {
        for (Connector connector : connectors) {
            Connector previous = builtIn.put(connector.provider(), connector);
            if (previous != null) {
                throw new IllegalStateException("two connectors for provider " + connector.provider());
            }
        }
        this.extensions = extensions;
    }

    public Collection<Connector> builtIn() {
        return builtIn.values();
    }

    public Optional<Connector> find(String provider) {
        Connector connector = builtIn.get(provider);
        if (connector != null) {
            return Optional.of(connector);
        }
        return extensions.isResolvable() ? extensions.get().connectorFor(provider) : Optional.empty();
    }

    public Connector require(String provider) {
        return find(provider).orElseThrow(() -> ApiException.invalid("provider", "known_provider", "unknown provider " + provider));
    }

    /**
     * Extension connectors, keyed by their provider id in the current org; the extension package
     * implements it, so connections reach extensions without depending on that package.
     */
    public interface ExtensionConnectors {
        /** Whether {@code provider} is an extension's id (they have an id space of their own) rather than a built-in provider. */
        boolean handles(String provider);

        Optional<Connector> connectorFor(String provider);

        /** Checks a connection's config against the extension's schema; returns the auth type of extension connections. */
        String validateConnection(String provider, ObjectNode config, ObjectNode credentials);
    }
}
