package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One kind of workflow step (condition, transform, write, http, notify, delay): a CDI bean per type, found by
 * {@link Actions}; adding one touches no other file but the docs.
 */
public interface Action {

    /** The {@code type} of the action in a workflow's {@code actions}. */
    String type();

    /**
     * Refuses a configuration this action cannot run, with a 400 naming the field (under {@code at}, e.g.
     * {@code actions[1]}). {@code config} is the action's fields and its {@code config} object merged.
     */
    void check(ObjectNode config, String at);

    /** Whether the step signs what it sends with the workflow's secret (only then is the secret decrypted for it). */
    default boolean signs() {
        return false;
    }

    /** Runs one attempt of the step. Throws {@link StepFailure} for a failure the step's retry policy decides on. */
    StepResult run(StepInput input);
}
