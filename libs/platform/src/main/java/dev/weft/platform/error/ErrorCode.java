package dev.weft.platform.error;

/** The error codes of DESIGN.md, each with its HTTP status. */
public enum ErrorCode {
    INVALID_REQUEST(400),
    UNAUTHORIZED(401),
    INVALID_SIGNATURE(401),
    TIMESTAMP_OUT_OF_RANGE(401),
    FORBIDDEN(403),
    INSUFFICIENT_SCOPE(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    NOT_ACCEPTABLE(406),
    CONFLICT(409),
    DUPLICATE(409),
    INVALID_STATUS_TRANSITION(409),
    PAYLOAD_TOO_LARGE(413),
    URI_TOO_LONG(414),
    UNSUPPORTED_MEDIA_TYPE(415),
    /** A channel's customer-service window is closed: only a template may start the conversation again (messaging). */
    WINDOW_CLOSED(422),
    RATE_LIMITED(429),
    HEADERS_TOO_LARGE(431),
    INTERNAL_ERROR(500),
    UPSTREAM_ERROR(502),
    SERVICE_UNAVAILABLE(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The code a bare HTTP status maps to when nothing more specific is known. */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 429 -> RATE_LIMITED;
            case 431 -> HEADERS_TOO_LARGE;
            case 502 -> UPSTREAM_ERROR;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }
}
