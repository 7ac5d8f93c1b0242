package dev.weft.webhook.dispatch;

import java.time.Instant;
import java.util.UUID;

/** A delivery this replica holds the lease of (claimed, or stored leased by fan-out), with everything its send needs. */
public record Deliverable(UUID id, String orgId, UUID endpointId, int attempts, String eventId, String eventType, String payload, String url,
                          String secret, String previousSecret, Instant previousSecretExpiresAt, String headers, Integer rateLimit) {
}
