package dev.weft.messaging.conversation;

import java.time.Instant;
import java.util.List;

/** Bodies of /v1/conversations (seed 003) and /v1/inboxes. */
public final class ConversationDtos {
    private ConversationDtos() {
    }

    /** {@code customer_id} is seed 003's name for {@code contact_id} (the same id). */
    public record ConversationView(String id, String orgId, String contactId, String customerId, String channel, String inbox, String subject,
                                   String status, String assigneeId, Instant snoozedUntil, Instant resolvedAt, Instant lastMessageAt,
                                   String entityType, Object entityId, Instant createdAt, Instant updatedAt) {
    }

    /** For the OpenAPI document: POST /v1/conversations. */
    public record CreateRequest(String contactId, String channel, String inbox, String subject, String assigneeId, String entityType, Object entityId) {
    }

    /** For the OpenAPI document: PATCH /v1/conversations/{id}. */
    public record UpdateRequest(String status, Instant snoozedUntil, String assigneeId, String subject, String entityType, Object entityId) {
    }

    public record InboxRequest(List<String> agentIds) {
    }

    public record InboxView(String name, List<String> agentIds, Instant createdAt, Instant updatedAt) {
    }
}
