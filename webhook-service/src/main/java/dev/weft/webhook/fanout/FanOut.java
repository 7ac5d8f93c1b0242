package dev.weft.webhook.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.id.TypeId;
import dev.weft.webhook.eventtype.EventTypeCatalog;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Turns an event into deliveries: the webhook body is built once ({@code id, type, created_at,
 * org_id, data}) and stored as the message, then one pending delivery is written for every
 * endpoint of the org (active or paused) whose subscriptions match. An event already stored (a
 * redelivery from Kafka, a duplicate on the topic) is skipped: messages are unique by event id.
 */
@ApplicationScoped
public class FanOut {
    private static final String INSERT_MESSAGE = """
            INSERT INTO messages (id, org_id, event_id, type, aggregate_id, payload, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""";
    private static final String INSERT_DELIVERY = """
            INSERT INTO deliveries (id, org_id, endpoint_id, message_id, event_type, aggregate_id, status, next_attempt_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)""";

    private final ObjectMapper json;

    public FanOut(ObjectMapper json) {
        this.json = json;
    }

    /** An event as it arrived: CloudEvents attributes and the JSON data. */
    public record Event(String eventId, String type, String orgId, String aggregateId, Instant time, String data) {
    }

    /** Stores the events and their deliveries on {@code db} (the caller commits); returns how many deliveries were created. */
    public int accept(Connection db, List<Event> events) throws SQLException {
        int deliveries = 0;
        try (PreparedStatement message = db.prepareStatement(INSERT_MESSAGE);
             PreparedStatement endpoints = db.prepareStatement("SELECT id, events FROM endpoints WHERE org_id = ? AND status <> 'disabled'");
             PreparedStatement delivery = db.prepareStatement(INSERT_DELIVERY)) {
            for (Event event : events) {
                if (event.orgId() == null || event.type() == null) {
                    continue;
                }
                String body;
                try {
                    body = payload(event);
                } catch (IllegalArgumentException unreadable) {
                    // A poison event must not stop every later one: it is logged and passed over.
                    io.quarkus.logging.Log.warnf("event=webhook_event_unreadable event_id=%s type=%s", event.eventId(), event.type());
                    continue;
                }
                UUID messageId = TypeId.uuidV7();
                Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
                message.setObject(1, messageId);
                message.setString(2, event.orgId());
                message.setString(3, event.eventId());
                message.setString(4, event.type());
                message.setString(5, event.aggregateId());
                message.setString(6, body);
                message.setTimestamp(7, now);
                if (message.executeUpdate() == 0) {
                    continue;
                }
                endpoints.setString(1, event.orgId());
                try (ResultSet rows = endpoints.executeQuery()) {
                    while (rows.next()) {
                        if (EventTypeCatalog.matches(Arrays.asList(rows.getString(2).split(",")), event.type())) {
                            addDelivery(delivery, rows.getObject(1, UUID.class), messageId, event, now);
                            deliveries++;
                        }
                    }
                }
            }
            delivery.executeBatch();
        }
        return deliveries;
    }

    /** One message for one endpoint only (a test event): returns the delivery id. */
    public UUID acceptFor(Connection db, Event event, UUID endpointId) throws SQLException {
        UUID messageId = TypeId.uuidV7();
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        try (PreparedStatement message = db.prepareStatement(INSERT_MESSAGE);
             PreparedStatement delivery = db.prepareStatement(INSERT_DELIVERY)) {
            message.setObject(1, messageId);
            message.setString(2, event.orgId());
            message.setString(3, event.eventId());
            message.setString(4, event.type());
            message.setString(5, event.aggregateId());
            message.setString(6, payload(event));
            message.setTimestamp(7, now);
            message.executeUpdate();
            UUID deliveryId = addDelivery(delivery, endpointId, messageId, event, now);
            delivery.executeBatch();
            return deliveryId;
        }
    }

    /** New deliveries of stored messages to one endpoint (a replay); returns how many. */
    public int redeliver(Connection db, UUID endpointId, String orgId, List<UUID> messageIds, List<String> types, List<String> aggregates)
            throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        try (PreparedStatement delivery = db.prepareStatement(INSERT_DELIVERY)) {
            for (int i = 0; i < messageIds.size(); i++) {
                addDelivery(delivery, endpointId, messageIds.get(i), new Event(null, types.get(i), orgId, aggregates.get(i), null, null), now);
            }
            delivery.executeBatch();
        }
        return messageIds.size();
    }

    private static UUID addDelivery(PreparedStatement delivery, UUID endpointId, UUID messageId, Event event, Timestamp now) throws SQLException {
        UUID id = TypeId.uuidV7();
        delivery.setObject(1, id);
        delivery.setString(2, event.orgId());
        delivery.setObject(3, endpointId);
        delivery.setObject(4, messageId);
        delivery.setString(5, event.type());
        delivery.setString(6, event.aggregateId());
        delivery.setTimestamp(7, now);
        delivery.setTimestamp(8, now);
        delivery.setTimestamp(9, now);
        delivery.addBatch();
        return id;
    }

    private String payload(Event event) {
        ObjectNode body = json.createObjectNode();
        body.put("id", event.eventId());
        body.put("type", event.type());
        body.put("created_at", (event.time() == null ? Instant.now() : event.time()).toString());
        body.put("org_id", event.orgId());
        try {
            JsonNode data = event.data() == null || event.data().isBlank() ? json.createObjectNode() : json.readTree(event.data());
            body.set("data", data);
            return json.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("event " + event.eventId() + " has no JSON data", e);
        }
    }
}
