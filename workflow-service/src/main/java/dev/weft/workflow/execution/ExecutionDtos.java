package dev.weft.workflow.execution;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

public final class ExecutionDtos {
    private ExecutionDtos() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepView(int index, String type, String status, Object input, Object output, List<String> warnings, Object error, int attempts,
                           Instant startedAt, Instant finishedAt, Long durationMs) {
    }

    /**
     * An execution: the workflow version it ran, what triggered it, its status ({@code queued}, {@code running},
     * {@code waiting} (a delay), {@code succeeded}, {@code failed}, {@code cancelled}), and each step.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExecutionView(String id, String workflowId, int workflowVersion, String triggerId, String triggerType, String eventId, String status,
                                Object input, int currentStep, Instant resumeAt, Object error, List<StepView> steps, Instant startedAt,
                                Instant finishedAt, Instant createdAt) {
    }
}
