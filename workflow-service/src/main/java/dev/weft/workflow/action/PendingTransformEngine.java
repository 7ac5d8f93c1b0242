package dev.weft.workflow.action;

import dev.weft.platform.error.ApiException;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Stands in until the platform's transform runtime is wired in: transform code (and JSONata conditions) are refused at
 * creation with a 400 that says so, rather than accepted and failed at run time.
 */
@ApplicationScoped
@DefaultBean
public class PendingTransformEngine implements TransformEngine {

    @Override
    public void check(String language, String code, String field) {
        throw ApiException.invalid(field, "unsupported", field + ": " + language + " code is not available in this build yet");
    }

    @Override
    public Map<String, Object> apply(String language, String code, Map<String, Object> record) {
        throw StepFailure.permanent("TRANSFORM_ERROR", language + " code is not available in this build yet");
    }
}
