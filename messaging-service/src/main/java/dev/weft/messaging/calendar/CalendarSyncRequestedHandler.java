package dev.weft.messaging.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.EventHandler;
import dev.weft.platform.events.IncomingEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code connection.sync_requested} (connections-service) of type calendar or all, for a Google or Microsoft
 * connection: marks its calendar account due, so the sync worker's next round syncs it. No vendor IO here, inside the
 * Kafka handler's transaction; once per event (processed_events).
 */
@ApplicationScoped
public class CalendarSyncRequestedHandler implements EventHandler {
    private final ObjectMapper json;

    public CalendarSyncRequestedHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String name() {
        return "calendar-sync-requested";
    }

    @Override
    public java.util.Set<String> topics() {
        return java.util.Set.of(dev.weft.platform.events.Topics.CONNECTIONS);
    }

    @Override
    public boolean handles(IncomingEvent event) {
        return "connection.sync_requested".equals(event.type());
    }

    @Override
    public void handle(IncomingEvent event) throws Exception {
        JsonNode data = json.readTree(event.data());
        String type = data.path("type").asText("");
        String provider = data.path("provider").asText("");
        String connectionId = data.path("connection_id").asText(null);
        if (!(type.equals("calendar") || type.equals("all")) || !CalendarService.PROVIDERS.contains(provider)) {
            return;
        }
        if (connectionId == null || !connectionId.startsWith("conn_") || event.orgId() == null) {
            throw new IllegalArgumentException("connection.sync_requested without data.connection_id or org");
        }
        CalendarSync.markDue(event.orgId(), connectionId, provider);
    }
}
