package dev.weft.messaging;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.message.MessageDtos;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
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
        if (view instanceof MessageDtos.MessageView message) {
            // The hot path (every send and webhook): the view is written straight into the outbox row's JSON, without
            // first building it as a tree (valueToTree was most of the event's cost). A message view has no activity,
            // and its events' extra fields (changed_fields, previous_status) are none of its own, so the JSON is the same.
            outbox.publish(DomainEvent.of(Topics.MESSAGING, type, aggregateId, extra.isEmpty() ? message : new WithExtra(message, extra)));
            return;
        }
        ObjectNode data = json.valueToTree(view);
        data.remove("activity");
        extra.forEach((name, value) -> {
            if (value != null) {
                data.set(name, json.valueToTree(value));
            }
        });
        outbox.publish(DomainEvent.of(Topics.MESSAGING, type, aggregateId, data));
    }

    /** A message view and its event's extra fields (null ones left out), as one JSON object: the view's fields first. */
    static final class WithExtra {
        private final MessageDtos.MessageView view;
        private final Map<String, Object> extra = new LinkedHashMap<>();

        WithExtra(MessageDtos.MessageView view, Map<String, ?> extra) {
            this.view = view;
            extra.forEach((name, value) -> {
                if (value != null) {
                    this.extra.put(name, value);
                }
            });
        }

        @JsonUnwrapped
        public MessageDtos.MessageView getView() {
            return view;
        }

        @JsonAnyGetter
        public Map<String, Object> getExtra() {
            return extra;
        }
    }

    public void publish(String type, String aggregateId, Object view) {
        publish(type, aggregateId, view, Map.of());
    }
}
