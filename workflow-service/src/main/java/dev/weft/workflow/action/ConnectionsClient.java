package dev.weft.workflow.action;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.services.ServiceClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * connections-service's internal write endpoint, called as the execution's org: the one way a workflow writes to a
 * connected system (credentials never leave connections-service). Failures become step failures: an unreachable
 * service or a 5xx/429 can be retried; a refused request (4xx) or a refused record cannot.
 */
@ApplicationScoped
public class ConnectionsClient {
    private final ServiceClient services;

    public ConnectionsClient(ServiceClient services) {
        this.services = services;
    }

    /** Null values are sent: a null field is written as NULL, not left out. */
    public record WriteRequest(String object, @JsonInclude(content = JsonInclude.Include.ALWAYS) List<Map<String, Object>> records, String mode,
                               List<String> key) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordResult(int index, boolean success, String id, String error) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record WriteResponse(String object, String mode, List<RecordResult> results) {
    }

    public WriteResponse write(String connectionId, WriteRequest request) {
        WriteResponse response;
        try {
            response = services.post(ServiceClient.Service.CONNECTIONS, "/internal/v1/connections/" + connectionId + "/write", request,
                    WriteResponse.class);
        } catch (ServiceClient.Unavailable e) {
            throw StepFailure.retryable("UPSTREAM_ERROR", e.getMessage());
        } catch (ServiceCallException e) {
            String message = "connections-service answered " + e.status() + (e.code() == null ? "" : " " + e.code()) + ": " + e.reason();
            throw new StepFailure(e.status() == 404 ? "NOT_FOUND" : e.status() / 100 == 4 ? "INVALID_REQUEST" : "UPSTREAM_ERROR", message,
                    e.status() / 100 == 5 || e.status() == 429 || e.status() == 408);
        }
        if (response != null && response.results() != null) {
            for (RecordResult result : response.results()) {
                if (!result.success()) {
                    throw StepFailure.permanent("UPSTREAM_ERROR", "the record was refused: " + result.error());
                }
            }
        }
        return response;
    }
}
