package dev.weft.workflow.action;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.weft.platform.services.ServiceClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * connections-service's internal write endpoint, called as the execution's org: the one way a workflow writes to a
 * connected system (credentials never leave connections-service). Failures become step failures
 * ({@link StepFailure#calling}); a refused record cannot be retried.
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
        WriteResponse response = StepFailure.calling(() -> services.post(ServiceClient.Service.CONNECTIONS,
                "/internal/v1/connections/" + connectionId + "/write", request, WriteResponse.class));
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
