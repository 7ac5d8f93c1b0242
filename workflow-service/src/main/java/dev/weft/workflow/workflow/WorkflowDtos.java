package dev.weft.workflow.workflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.workflow.trigger.TriggerDtos;

import java.time.Instant;

public final class WorkflowDtos {
    private WorkflowDtos() {
    }

    /** Seed 000's body: a name, an inline {@code trigger} (optional: standalone triggers may start it), ordered {@code actions}. */
    public record WorkflowRequest(String name, JsonNode trigger, JsonNode actions, Boolean enabled) {
    }

    /** {@code signing_secret} (whsec_) is shown once, in the answer to the create: it signs the workflow's http and webhook requests. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WorkflowView(String id, String name, boolean enabled, int version, TriggerDtos.TriggerView trigger, JsonNode actions,
                               String signingSecret, Instant createdAt, Instant updatedAt) {
    }
}
