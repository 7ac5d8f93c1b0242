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

import java.sql.PreparedStatement;
import java.sql.SQLException;
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

    /**
     * Binds a message event's outbox row to {@link Outbox#ROW_PLACEHOLDERS} from parameter {@code first}, for a statement
     * that writes a change and its event at once (the event's row inserted from the change's {@code RETURNING}, so both
     * or neither are written); the JSON is {@link #publish}'s. Returns the next parameter's index. Once the statement
     * has run and written the row, call {@link #written()}.
     */
    public int bindMessageEvent(PreparedStatement statement, int first, String type, String aggregateId, MessageDtos.MessageView view,
                                Map<String, ?> extra) throws SQLException {
        return outbox.bindRow(statement, first, DomainEvent.of(Topics.MESSAGING, type, aggregateId, extra.isEmpty() ? view : new WithExtra(view, extra)));
    }

    /** An event bound with {@link #bindMessageEvent} was written: the relay is woken once it is committed. */
    public void written() {
        outbox.written();
    }

    public void publish(String type, String aggregateId, Object view) {
        publish(type, aggregateId, view, Map.of());
    }
}
