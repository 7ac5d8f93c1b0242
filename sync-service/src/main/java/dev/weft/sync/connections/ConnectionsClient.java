package dev.weft.sync.connections;

import dev.weft.platform.services.ConnectionStreams;
import dev.weft.platform.services.ServiceClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The three calls a sync makes to connections-service, as the current org's system principal over its internal
 * endpoints: describe the objects, read the next batch after a cursor, write a batch.
 */
@ApplicationScoped
public class ConnectionsClient {
    private static final String BASE = "/internal/v1/connections/";

    private final ServiceClient services;
    private final ConnectionStreams streams;

    public ConnectionsClient(ServiceClient services, ConnectionStreams streams) {
        this.services = services;
        this.streams = streams;
    }

    public List<ConnectionsApi.ObjectSchema> objects(String connectionId) {
        ConnectionsApi.ObjectList list = services.get(ServiceClient.Service.CONNECTIONS, BASE + connectionId + "/objects", ConnectionsApi.ObjectList.class);
        return list == null || list.data() == null ? List.of() : list.data();
    }

    public ConnectionsApi.RecordsResponse read(String connectionId, ConnectionsApi.ReadRequest request) {
        return services.postBatch(ServiceClient.Service.CONNECTIONS, BASE + connectionId + "/read", request, ConnectionsApi.RecordsResponse.class);
    }

    /**
     * Makes sure connections-service captures the object's changes (record.* events): creates its stream, or finds the
     * one already there (409 DUPLICATE). Returns the stream's id.
     */
    public String ensureStream(String connectionId, String object) {
        return streams.ensure(connectionId, object);
    }

    /** The stream's status ({@code starting}, {@code snapshotting}, {@code streaming}, {@code paused}, {@code failed}) and why. */
    public dev.weft.platform.services.ConnectionStreams.StreamView stream(String connectionId, String streamId) {
        return streams.get(connectionId, streamId);
    }

    /**
     * How many records a read of the object by {@code cursorField} from {@code after} (a read's cursor; null: from the start)
     * will return, or null when its system cannot count them.
     */
    public Long count(String connectionId, String object, String cursorField, String after) {
        ConnectionsApi.CountResponse counted = services.post(ServiceClient.Service.CONNECTIONS, BASE + connectionId + "/count",
                new ConnectionsApi.CountRequest(object, null, after == null ? null : cursorField, null, after), ConnectionsApi.CountResponse.class);
        return counted == null ? null : counted.count();
    }

    /** Creates the destination object when missing (typed fields, key); answers it as described either way. */
    public ConnectionsApi.ObjectSchema ensureObject(String connectionId, ConnectionsApi.EnsureObject request) {
        return services.post(ServiceClient.Service.CONNECTIONS, BASE + connectionId + "/objects/ensure", request, ConnectionsApi.ObjectSchema.class);
    }

    public ConnectionsApi.WriteResponse write(String connectionId, ConnectionsApi.WriteRequest request) {
        return services.postBatch(ServiceClient.Service.CONNECTIONS, BASE + connectionId + "/write", request, ConnectionsApi.WriteResponse.class);
    }
}
