package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * What a step attempt gets: where it runs, its configuration, the execution's data so far ({@code context}: the trigger's
 * record under its object name and as {@code record}, {@code trigger}, {@code payload}, {@code steps}), and the
 * workflow's signing secret for http and webhook requests.
 *
 * @param idempotencyKey stable across attempts and replicas of this step: sent with side-effecting requests
 */
public record StepInput(String executionId, int index, String workflowId, ObjectNode config, Map<String, Object> context,
                        String signingSecret, String idempotencyKey) {
}
