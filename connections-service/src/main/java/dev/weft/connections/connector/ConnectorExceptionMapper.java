package dev.weft.connections.connector;

import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.error.ErrorResponses;
import io.quarkus.logging.Log;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.HashMap;
import java.util.Map;

/**
 * A connector's failure in the one error shape: the client's mistake is a 400 naming the field;
 * anything the external system did (refused credentials, an error, no answer) is a 502
 * {@code UPSTREAM_ERROR} with the vendor's own message and status.
 */
public class ConnectorExceptionMapper {

    @ServerExceptionMapper
    public Response connector(ConnectorException e, HttpHeaders headers) {
        if (e.kind() == ConnectorException.Kind.INVALID) {
            return ErrorResponses.build(headers, ErrorCode.INVALID_REQUEST, e.getMessage(), e.details());
        }
        Map<String, Object> details = new HashMap<>(e.details());
        details.put("reason", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (e.upstreamStatus() > 0) {
            details.put("upstream_status", e.upstreamStatus());
        }
        Log.infof("event=upstream_error kind=%s upstream_status=%d message=\"%s\"", e.kind(), e.upstreamStatus(), e.getMessage());
        return ErrorResponses.build(headers, ErrorCode.UPSTREAM_ERROR, e.getMessage(), details);
    }
}
