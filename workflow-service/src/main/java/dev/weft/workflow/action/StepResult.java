package dev.weft.workflow.action;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a step attempt ended well.
 *
 * @param output   stored on the step and shown in the API
 * @param record   the data flowing on to the next steps (the context's {@code record}); null keeps it as it was
 * @param warnings e.g. template paths that were missing and rendered empty
 * @param stop     the workflow stops here, successfully (a condition that does not hold)
 * @param resumeAt the execution waits until then before its next step (a delay)
 */
public record StepResult(Object output, Map<String, Object> record, List<String> warnings, boolean stop, Instant resumeAt) {

    public static StepResult of(Object output) {
        return new StepResult(output, null, List.of(), false, null);
    }

    public StepResult withWarnings(List<String> more) {
        if (more == null || more.isEmpty()) {
            return this;
        }
        List<String> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new StepResult(output, record, List.copyOf(all), stop, resumeAt);
    }
}
