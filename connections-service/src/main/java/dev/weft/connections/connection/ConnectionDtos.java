package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of /v1/connections. Credentials go in, never out. */
public final class ConnectionDtos {
    private ConnectionDtos() {
    }

    public record CreateConnection(
            @NotBlank @Size(max = 100) String provider,
            @NotBlank @Size(max = 200) String name,
            JsonNode config,
            @NotNull JsonNode credentials) {
    }

    /**
     * A partial update: {@code name} and {@code config} replace what is stored when present;
     * {@code credentials} are merged field by field (a null value removes a field), so a password
     * can be rotated without resending the rest. The provider cannot change.
     */
    public record UpdateConnection(
            @Size(max = 100) String provider,
            @Size(min = 1, max = 200) String name,
            JsonNode config,
            JsonNode credentials) {
    }

    public record ConnectionView(
            String id,
            String provider,
            String name,
            JsonNode config,
            String authType,
            /** Names of the credential fields that are set; their values are never returned. */
            List<String> credentialsSet,
            String status,
            String statusMessage,
            Instant lastCheckedAt,
            Instant tokenExpiresAt,
            Instant createdAt,
            Instant updatedAt) {
    }

    /** {@code GET /v1/connections/{id}/status}. */
    public record StatusView(
            String id,
            String provider,
            String status,
            String message,
            Instant lastCheckedAt,
            Instant nextCheckAt,
            int consecutiveFailures,
            Instant tokenExpiresAt,
            boolean refreshable,
            /** The last manual sync asked for (POST .../sync), null when none. */
            SyncRequests.SyncRequestView lastSyncRequest) {
    }
}
