package dev.weft.messaging.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/** Bodies of /v1/conversations/{id}/messages (seed 001 "Conversation history", seed 003 replies). */
public final class MessageDtos {
    private MessageDtos() {
    }

    /**
     * {@code body} is seed 003's name for {@code content} (the same text); {@code metadata.platform_message_id} repeats
     * {@code platform_message_id} where seed 001 shows it.
     */
    public record MessageView(String id, String orgId, String conversationId, String contactId, String channel, String direction, String type,
                              String content, String body, JsonNode template, JsonNode metadata, String authorType, String agentId,
                              boolean internal, String status, String platformMessageId, Error error, Instant createdAt, Instant updatedAt) {
    }

    public record Error(String code, String message) {
    }

    /** For the OpenAPI document: an agent's reply or an internal note. {@code body} and {@code content} are one field. */
    public record ReplyRequest(String content, String body, String type, JsonNode template, Boolean internal, String authorType, String agentId,
                               JsonNode metadata) {
    }

    /** Newest first; {@code next_before} (also {@code pagination.next_cursor}) continues with the messages just older than the page. */
    public record MessagePage(List<MessageView> data, @JsonInclude(JsonInclude.Include.ALWAYS) String nextBefore, Pagination pagination) {
    }

    public record Pagination(@JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor, boolean hasMore) {
    }
}
