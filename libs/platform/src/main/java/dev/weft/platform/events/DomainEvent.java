package dev.weft.platform.events;

/**
 * A state change someone could care about. {@code aggregateId} is the Kafka key, so all events
 * of one resource stay in order; {@code data} is serialised as JSON in the API's snake_case.
 */
public record DomainEvent(String topic, String type, String aggregateId, String subject, Object data) {

    public static DomainEvent of(String topic, String type, String aggregateId, Object data) {
        return new DomainEvent(topic, type, aggregateId, aggregateId, data);
    }
}
