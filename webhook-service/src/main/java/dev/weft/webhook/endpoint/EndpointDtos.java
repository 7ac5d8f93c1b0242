package dev.weft.webhook.endpoint;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Bodies of /v1/webhooks (seeds 000, 001, 003). */
public final class EndpointDtos {
    private EndpointDtos() {
    }

    public record CreateEndpoint(
            @NotBlank @Size(max = 2000) String url,
            @NotEmpty @Size(max = 100) List<String> events,
            @Size(max = 500) String description,
            /** false creates the endpoint paused. */
            Boolean active,
            @Min(1) @Max(10_000) Integer rateLimit,
            @Size(max = 20) Map<String, String> headers,
            Boolean ordered,
            /** Optional (seed 001): your own signing secret, whsec_ + base64 of 24 to 64 bytes; Weft makes one when absent. */
            @Size(max = 200) String secret) {
    }

    /** Present fields replace what is stored; {@code active} pauses (false) or resumes (true). */
    public record UpdateEndpoint(
            @Size(min = 1, max = 2000) String url,
            @Size(min = 1, max = 100) List<String> events,
            @Size(max = 500) String description,
            Boolean active,
            /** 0 removes the limit. */
            @Min(0) @Max(10_000) Integer rateLimit,
            @Size(max = 20) Map<String, String> headers,
            Boolean ordered) {
    }

    public record RotateSecret(@Min(0) @Max(7 * 24 * 3600) Long overlapSeconds) {
    }

    public record EndpointView(
            String id,
            String url,
            String description,
            List<String> events,
            String status,
            /** Seeds 001 and 003: true while deliveries go out (status active). */
            boolean active,
            String disabledReason,
            Integer rateLimit,
            Map<String, String> headers,
            boolean ordered,
            /** Only in the answers of create and rotate-secret. */
            String secret,
            Instant previousSecretExpiresAt,
            Instant createdAt,
            Instant updatedAt) {
    }
}
