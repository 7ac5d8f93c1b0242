package dev.weft.platform.services;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;

import java.util.Map;

/**
 * Another service answered a call with an error: its status and, when it sent the platform's error shape, its code,
 * message and details, so the caller can pass a 400 or 404 on (naming the field) or decide to retry.
 */
public class ServiceCallException extends RuntimeException {
    private final String service;
    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ServiceCallException(String service, int status, String code, String message, Map<String, Object> details) {
        super(service + " answered " + status + (code == null ? "" : " " + code) + ": " + message, null, false, false);
        this.service = service;
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public String service() {
        return service;
    }

    public int status() {
        return status;
    }

    /** The callee's error code ({@code INVALID_REQUEST}, {@code NOT_FOUND}, ...); null if its body was not the error shape. */
    public String code() {
        return code;
    }

    /** The callee's own message, without the "service answered" prefix. */
    public String reason() {
        String message = getMessage();
        return message.substring(message.indexOf(": ") + 2);
    }

    public Map<String, Object> details() {
        return details;
    }

    /** Worth trying again later: the callee is overloaded, restarting or its upstream failed. */
    public boolean retryable() {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** The same failure as this service's own API error (a 4xx passes through, anything else is a 502). */
    public ApiException asApiException() {
        if (status >= 400 && status < 500 && status != 401 && status != 403 && status != 429) {
            return new ApiException(ErrorCode.forStatus(status), reason(), details);
        }
        return new ApiException(ErrorCode.UPSTREAM_ERROR, service + " failed: " + reason());
    }
}
