package dev.weft.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * messaging-service's domain events on {@code weft.messaging.events}: the resource as the API shows it, plus the
 * fields the event type adds (changed_fields, previous_status, ...), written to the outbox in the caller's transaction,
 * so each change publishes exactly one event of each type it concerns. Types and schemas: webhook-service's event-types.json.
 */
@ApplicationScoped
public class MessagingEvents {
    private final Outbox outbox;
    private final ObjectMapper json;

    public MessagingEvents(Outbox outbox, ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    /** Publishes {@code type} for the resource {@code aggregateId} (the Kafka key: one resource's events stay in order). */
    public void publish(String type, String aggregateId, Object view, Map<String, ?> extra) {
        ObjectNode data = json.valueToTree(view);
        data.remove("activity");
        extra.forEach((name, value) -> {
            if (value != null) {
                data.set(name, json.valueToTree(value));
            }
        });
        outbox.publish(DomainEvent.of(Topics.MESSAGING, type, aggregateId, data));
    }

    public void publish(String type, String aggregateId, Object view) {
        publish(type, aggregateId, view, Map.of());
    }
}
