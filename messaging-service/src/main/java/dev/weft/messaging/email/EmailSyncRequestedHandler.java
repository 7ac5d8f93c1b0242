package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.EventHandler;
import dev.weft.platform.events.IncomingEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code connection.sync_requested} (connections-service, {@code POST /v1/integrations/connections/{id}/sync}) of type
 * email or all, for a mail connection: the mailbox is made due, and the sync worker runs it (no vendor IO here, inside
 * the consumer's transaction). Runs as the event's org; once per event.
 */
@ApplicationScoped
public class EmailSyncRequestedHandler implements EventHandler {
    private final EmailSync sync;
    private final ObjectMapper json;

    public EmailSyncRequestedHandler(EmailSync sync, ObjectMapper json) {
        this.sync = sync;
        this.json = json;
    }

    @Override
    public String name() {
        return "email-sync-requested";
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
        String type = data.path("type").asText("all");
        String provider = data.path("provider").asText("");
        String connectionId = data.path("connection_id").asText(null);
        if (!("email".equals(type) || "all".equals(type)) || !EmailSync.PROVIDERS.contains(provider)) {
            return;
        }
        if (connectionId == null || connectionId.isBlank()) {
            throw new IllegalArgumentException("connection.sync_requested without data.connection_id");
        }
        sync.request(connectionId, provider);
    }
}
