package dev.weft.connections.connection;

import java.util.Locale;

/** A connection's health: {@code pending} until its first check, then one of seed 000's four states. */
public enum ConnectionStatus {
    PENDING, HEALTHY, DEGRADED, FAILING, AUTH_EXPIRED;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ConnectionStatus of(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }
}
