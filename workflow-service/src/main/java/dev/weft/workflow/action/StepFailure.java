package dev.weft.workflow.action;

/**
 * A step attempt that failed: {@code code} as the API's error codes name it (UPSTREAM_ERROR, INVALID_REQUEST,
 * TRANSFORM_ERROR, TIMEOUT), and whether another attempt could succeed (a 5xx or an unreachable system can; a refused
 * request cannot).
 */
public class StepFailure extends RuntimeException {
    private final String code;
    private final boolean retryable;

    public StepFailure(String code, String message, boolean retryable) {
        super(message, null, false, false);
        this.code = code;
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    public static StepFailure permanent(String code, String message) {
        return new StepFailure(code, message, false);
    }

    public static StepFailure retryable(String code, String message) {
        return new StepFailure(code, message, true);
    }
}
