package dev.weft.platform.error;

import dev.weft.platform.http.RequestIds;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/** Builds the JSON error response for a code, with the request id in the body (HttpGuards sets the header). */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    public static Response build(HttpHeaders headers, ErrorCode code, String message, Map<String, Object> details) {
        return build(headers == null ? null : headers.getHeaderString(RequestIds.HEADER), code, message, details);
    }

    public static Response build(String requestId, ErrorCode code, String message, Map<String, Object> details) {
        return Response.status(code.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(code, message, details, requestId))
                .build();
    }
}
