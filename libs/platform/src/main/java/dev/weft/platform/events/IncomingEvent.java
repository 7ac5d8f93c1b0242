package dev.weft.platform.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A domain event as a consumer sees it: the CloudEvent (Kafka binary mode, {@code ce_*} headers)
 * decoded from one record, with where it came from. {@code data} is the JSON as published.
 */
public record IncomingEvent(String id, String type, String source, String subject, String orgId, Instant time,
                            String key, String data, String traceparent, String topic, int partition, long offset) {

    /** The CloudEvents extension carrying the tenant ({@code ce_orgid}). */
    public static final String ORG_EXTENSION = "orgid";

    /**
     * Decodes a record with the CloudEvents SDK. A record that is not a CloudEvent, or lacks the
     * id, type or org every Weft event carries, is refused: it can only be dead-lettered.
     */
    public static IncomingEvent decode(ConsumerRecord<String, byte[]> record) {
        CloudEvent event;
        try {
            event = KafkaMessageFactory.createReader(record.headers(), record.value()).toEvent();
        } catch (RuntimeException e) {
            throw new UndecodableEvent("not a binary-mode CloudEvent: " + e.getMessage(), e);
        }
        Object org = event.getExtension(ORG_EXTENSION);
        if (org == null) {
            throw new UndecodableEvent("the event has no " + ORG_EXTENSION + " extension", null);
        }
        Header traceparent = record.headers().lastHeader(TraceHeaders.TRACEPARENT);
        return new IncomingEvent(event.getId(), event.getType(), event.getSource().toString(), event.getSubject(), org.toString(),
                event.getTime() == null ? null : event.getTime().toInstant(), record.key(),
                event.getData() == null ? null : new String(event.getData().toBytes(), StandardCharsets.UTF_8),
                traceparent == null ? null : new String(traceparent.value(), StandardCharsets.UTF_8),
                record.topic(), record.partition(), record.offset());
    }

    /** Where the event sits on its topic, for logs and dead letters. */
    public String position() {
        return topic + "/" + partition + "@" + offset;
    }

    /** A record that cannot be read as a Weft event. */
    public static final class UndecodableEvent extends RuntimeException {
        UndecodableEvent(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
