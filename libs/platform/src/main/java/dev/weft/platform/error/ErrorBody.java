package dev.weft.platform.error;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/** {@code {"error":{"code","message","details","request_id"}}}: the only error shape a client sees. */
public record ErrorBody(Error error) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Error(String code, String message, Map<String, Object> details, String request_id) {
    }

    public static ErrorBody of(ErrorCode code, String message, Map<String, Object> details, String requestId) {
        return new ErrorBody(new Error(code.name(), message, details, requestId));
    }
}
