package dev.weft.platform.error;

import java.util.Map;

/**
 * The one way service code reports a failure to a client: a code from DESIGN.md, a message safe
 * to show, and optional details (e.g. {@code field}, {@code constraint}).
 */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public ApiException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public ApiException(ErrorCode code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static ApiException notFound(String what) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ApiException invalid(String field, String constraint, String message) {
        return new ApiException(ErrorCode.INVALID_REQUEST, message, Map.of("field", field, "constraint", constraint));
    }
}
