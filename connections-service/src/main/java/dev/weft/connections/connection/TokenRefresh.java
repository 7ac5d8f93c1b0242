package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.UUID;

/**
 * How a connection in use gets a fresh OAuth access token. {@code oauth/TokenRefresher} implements
 * it; {@link ConnectionRuntime} asks through it, so {@code connection/} depends on nothing in
 * {@code oauth/}.
 */
public interface TokenRefresh {
    /**
     * Credentials whose access token is not {@code staleToken} (when given) and not about to expire,
     * refreshed at the provider only if nobody else already has.
     */
    ObjectNode refresh(UUID connectionId, String staleToken);
}
