package dev.weft.workflow.trigger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

public final class TriggerDtos {
    private TriggerDtos() {
    }

    /**
     * A trigger as the API shows it; {@code next_fire_at} for schedules, {@code invoke_path} for api_call triggers,
     * {@code stream_id} (or {@code stream_error}) for record triggers: the change stream they follow.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TriggerView(String id, String workflowId, String type, String connectionId, String object, String eventType, String field,
                              String filter, String cron, String timezone, boolean inline, boolean enabled, Instant nextFireAt,
                              String invokePath, String streamId, String streamError, Instant createdAt) {
    }

    /** An api_call invocation's answer: the execution it started (or had started, for a repeated event). */
    public record Invocation(String executionId, String workflowId, String status, boolean duplicate) {
    }

    /** Kept for OpenAPI: a standalone trigger is a trigger definition plus the workflow it starts. */
    public record TriggerRequest(String workflowId, String type, String connectionId, String object, String eventType, String field,
                                 String filter, String cron, String timezone, JsonNode config) {
    }
}
