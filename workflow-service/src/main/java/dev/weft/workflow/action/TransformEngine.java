package dev.weft.workflow.action;

import java.util.Map;

/**
 * The transform runtime as workflow steps use it (JSONata and sandboxed JavaScript): one implementation for the whole
 * platform ({@code dev.weft.platform.transform}), shared with sync transforms, never a copy. This interface is where
 * it plugs in.
 */
public interface TransformEngine {

    /** Refuses code that does not compile (400 naming {@code field}), or a language this deployment cannot run. */
    void check(String language, String code, String field);

    /**
     * The record transformed; null when the transform returns nothing.
     *
     * @throws StepFailure TRANSFORM_ERROR (not retried: the same record fails the same way)
     */
    Map<String, Object> apply(String language, String code, Map<String, Object> record);

    /** A JSONata boolean expression as a transform returning {@code {"result": ...}} (the runtime returns records). */
    static String wrapBoolean(String expression) {
        return "{\"result\": (" + expression + ")}";
    }
}
