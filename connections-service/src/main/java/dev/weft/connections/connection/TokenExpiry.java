package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** When a stored access token expires: {@code expires_at} as RFC 3339 or epoch seconds; absent means "unknown, assume valid". */
public final class TokenExpiry {
    /** A token this close to expiry is refreshed before use rather than risk a 401 mid-call. */
    private static final long MARGIN_SECONDS = 60;

    private TokenExpiry() {
    }

    public static boolean expiresSoon(JsonNode credentials) {
        JsonNode expiresAt = credentials.path("expires_at");
        if (expiresAt.isMissingNode() || expiresAt.isNull()) {
            return false;
        }
        Instant deadline = Instant.now().plusSeconds(MARGIN_SECONDS);
        if (expiresAt.canConvertToLong()) {
            return Instant.ofEpochSecond(expiresAt.asLong()).isBefore(deadline);
        }
        try {
            return Instant.parse(expiresAt.asText()).isBefore(deadline);
        } catch (DateTimeParseException e) {
            return true;
        }
    }
}
