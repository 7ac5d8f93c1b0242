package dev.weft.auth.token;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error of the OAuth endpoints, answered in RFC 6749 §5.2's shape
 * ({@code {"error":"invalid_client","error_description":"..."}}) instead of the API's error shape,
 * because OAuth client libraries parse exactly that.
 */
public class OAuthError extends RuntimeException {
    private final String error;
    private final int status;

    public OAuthError(String error, String description, int status) {
        super(description, null, false, false);
        this.error = error;
        this.status = status;
    }

    public static OAuthError invalidRequest(String description) {
        return new OAuthError("invalid_request", description, 400);
    }

    /** 401 with a Basic challenge: RFC 6749 requires it when the client tried the Authorization header, and HTTP requires it on any 401. */
    public static OAuthError invalidClient(String description) {
        return new OAuthError("invalid_client", description, 401);
    }

    public static OAuthError invalidGrant(String description) {
        return new OAuthError("invalid_grant", description, 400);
    }

    public static OAuthError invalidScope(String description) {
        return new OAuthError("invalid_scope", description, 400);
    }

    public static OAuthError unsupportedGrantType(String description) {
        return new OAuthError("unsupported_grant_type", description, 400);
    }

    public String error() {
        return error;
    }

    public static class Mapper {
        @ServerExceptionMapper
        public Response map(OAuthError e) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("error", e.error);
            body.put("error_description", e.getMessage());
            Response.ResponseBuilder response = Response.status(e.status).entity(body)
                    .type("application/json")
                    .header("Cache-Control", "no-store")
                    .header("Pragma", "no-cache");
            if (e.status == 401) {
                response.header("WWW-Authenticate", "Basic realm=\"weft\", charset=\"UTF-8\"");
            }
            return response.build();
        }
    }
}
