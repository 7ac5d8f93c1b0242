package dev.weft.sync.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.EventHandler;
import dev.weft.platform.events.IncomingEvent;
import dev.weft.sync.sync.SyncService;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code connection.deleted} (connections-service): the syncs using that connection stop, disabled with the reason on
 * the sync, their schedules paused and queued runs cancelled. Runs as the event's org; once per event.
 */
@ApplicationScoped
public class ConnectionDeletedHandler implements EventHandler {
    private final SyncService syncs;
    private final ObjectMapper json;

    public ConnectionDeletedHandler(SyncService syncs, ObjectMapper json) {
        this.syncs = syncs;
        this.json = json;
    }

    @Override
    public String name() {
        return "sync-connection-deleted";
    }

    @Override
    public java.util.Set<String> topics() {
        return java.util.Set.of(dev.weft.platform.events.Topics.CONNECTIONS);
    }

    @Override
    public boolean handles(IncomingEvent event) {
        return "connection.deleted".equals(event.type());
    }

    @Override
    public void handle(IncomingEvent event) throws Exception {
        String connectionId = json.readTree(event.data()).path("id").asText(null);
        if (connectionId == null || connectionId.isBlank()) {
            throw new IllegalArgumentException("connection.deleted without data.id");
        }
        syncs.disableForConnection(connectionId, "connection " + connectionId + " was deleted");
    }
}
