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

    /**
     * Whether a step of this kind only computes from the execution's data, with no effect outside it (transform,
     * condition): running it again after a crash changes nothing, so the worker runs such steps in memory and records
     * them together with the next step it writes, instead of one transaction each.
     */
    default boolean sideEffectFree() {
        return false;
    }

    /** Runs one attempt of the step. Throws {@link StepFailure} for a failure the step's retry policy decides on. */
    StepResult run(StepInput input);
}
