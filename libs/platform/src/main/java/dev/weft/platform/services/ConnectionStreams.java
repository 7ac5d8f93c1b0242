package dev.weft.platform.services;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes sure connections-service captures an object's changes (its {@code record.*} events), for the services that
 * follow them: a realtime sync, a workflow's record trigger. Calls the internal streams endpoint as the current org.
 */
@ApplicationScoped
public class ConnectionStreams {
    private final ServiceClient services;

    public ConnectionStreams(ServiceClient services) {
        this.services = services;
    }

    /** Changes from now on (no snapshot of what the object holds). */
    public record CreateStream(String object, Boolean snapshot) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamView(String id, String object, String status, String statusReason) {
    }

    /**
     * Creates the object's stream, or finds the one already there (connections-service's 409 DUPLICATE names it).
     * Returns the stream's id. Other answers are thrown as they came: a {@link ServiceCallException} (400: the object
     * cannot stream, 404: no such connection) or {@link ServiceClient.Unavailable}.
     */
    public String ensure(String connectionId, String object) {
        try {
            StreamView stream = services.post(ServiceClient.Service.CONNECTIONS, "/internal/v1/connections/" + connectionId + "/streams",
                    new CreateStream(object, false), StreamView.class);
            return stream.id();
        } catch (ServiceCallException e) {
            if (e.status() == 409 && e.details().get("stream_id") != null) {
                return String.valueOf(e.details().get("stream_id"));
            }
            throw e;
        }
    }

    /** The stream as connections-service shows it: its status and, when failed or retrying, why. */
    public StreamView get(String connectionId, String streamId) {
        return services.get(ServiceClient.Service.CONNECTIONS, "/internal/v1/connections/" + connectionId + "/streams/" + streamId, StreamView.class);
    }
}
