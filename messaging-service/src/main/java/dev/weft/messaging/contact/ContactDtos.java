package dev.weft.messaging.contact;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/** Bodies of /v1/contacts (seed 001 "Contacts API"). Requests are read by {@link ContactInput}, camelCase or snake_case. */
public final class ContactDtos {
    private ContactDtos() {
    }

    /** For the OpenAPI document only: what POST and PATCH accept (each field also in camelCase). */
    public record ContactRequest(String firstName, String lastName, String email, String phone, String externalId, String channel,
                                 List<String> tags, JsonNode properties, String entityType, Object entityId) {
    }

    /** {@code activity} only on GET /v1/contacts/{id}. */
    public record ContactView(String id, String orgId, String firstName, String lastName, String email, String phone, String externalId,
                              String channel, List<String> channels, List<String> tags, JsonNode properties, String entityType,
                              Object entityId, Activity activity, Instant createdAt, Instant updatedAt) {
    }

    /** The contact's latest inbound and outbound messages, and how many of its conversations are not resolved or closed. */
    public record Activity(Instant lastInboundAt, Instant lastOutboundAt, long openConversations) {
    }

    public record MergeRequest(String contactId) {
    }
}
