package dev.weft.webhook.dispatch;

import java.time.Instant;
import java.util.UUID;

/**
 * A delivery this replica holds the lease of (claimed, or stored leased by fan-out), with everything its send needs. The
 * body is the message's UTF-8 bytes, encoded once per message and shared by its deliveries: signed and sent as they are.
 */
public record Deliverable(UUID id, String orgId, UUID endpointId, int attempts, String eventId, String eventType, byte[] body, String url,
                          String secret, String previousSecret, Instant previousSecretExpiresAt, String headers, Integer rateLimit) {
}
