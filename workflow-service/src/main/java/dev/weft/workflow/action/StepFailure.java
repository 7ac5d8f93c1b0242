package dev.weft.workflow.action;

import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.services.ServiceClient;

import java.util.function.Supplier;

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

    /**
     * A call to another Weft service ({@link ServiceClient}), its failures as step failures: unreachable, a 5xx, 429 or
     * 408 can be retried, as can a 409 saying the same {@code Idempotency-Key} is still running (an earlier attempt that
     * timed out); any other 4xx cannot, and keeps the callee's code (NOT_FOUND, INVALID_REQUEST...) and message.
     */
    public static <T> T calling(Supplier<T> call) {
        try {
            return call.get();
        } catch (ServiceClient.Unavailable e) {
            throw retryable("UPSTREAM_ERROR", e.getMessage());
        } catch (ServiceCallException e) {
            throw of(e);
        }
    }

    static StepFailure of(ServiceCallException e) {
        int status = e.status();
        String message = e.service() + " answered " + status + (e.code() == null ? "" : " " + e.code()) + ": " + e.reason();
        boolean clientError = status / 100 == 4;
        String code = !clientError ? "UPSTREAM_ERROR" : e.code() != null ? e.code() : status == 404 ? "NOT_FOUND" : "INVALID_REQUEST";
        boolean inProgress = status == 409 && "in_progress".equals(e.details().get("constraint"));
        return new StepFailure(code, message, !clientError || status == 429 || status == 408 || inProgress);
    }
}
