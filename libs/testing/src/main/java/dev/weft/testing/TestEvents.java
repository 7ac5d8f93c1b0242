package dev.weft.testing;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;

/** Publishes domain events the way the services' outbox relays do: CloudEvents in Kafka binary mode on a real topic. */
public final class TestEvents {
    private static KafkaProducer<String, byte[]> producer;

    private TestEvents() {
    }

    private static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers());
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Publishes and returns the event id. */
    public static String publish(String topic, String type, String orgId, String aggregateId, String dataJson) {
        return publish(topic, "evt_" + java.util.UUID.randomUUID().toString().replace("-", ""), type, orgId, aggregateId, dataJson);
    }

    public static String publish(String topic, String eventId, String type, String orgId, String aggregateId, String dataJson) {
        try {
            producer().send(record(topic, eventId, type, orgId, aggregateId, dataJson)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return eventId;
    }

    /** An event of a batch, published with {@link #publishAll}. */
    public record Event(String topic, String eventId, String type, String orgId, String aggregateId, String dataJson) {
    }

    /** Publishes without waiting for each acknowledgement, then waits for all of them. */
    public static void publishAll(List<Event> events) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (Event event : events) {
            acks.add(producer().send(record(event.topic(), event.eventId(), event.type(), event.orgId(), event.aggregateId(), event.dataJson())));
        }
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProducerRecord<String, byte[]> record(String topic, String eventId, String type, String orgId, String aggregateId, String dataJson) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, aggregateId, dataJson.getBytes(StandardCharsets.UTF_8));
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", eventId);
        header(record, "ce_type", type);
        header(record, "ce_source", "/weft/test");
        header(record, "ce_time", Instant.now().toString());
        header(record, "ce_subject", aggregateId);
        header(record, "ce_orgid", orgId);
        header(record, "content-type", "application/json");
        return record;
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
