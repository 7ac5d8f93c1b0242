package dev.weft.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Reads a real Kafka topic from its beginning so a test can await the events it caused.
 */
public final class TopicProbe implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicProbe(String topic) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls until {@code count} records seen so far match, or the timeout passes; returns the matches. */
    public List<ConsumerRecord<String, byte[]>> await(Predicate<ConsumerRecord<String, byte[]>> match, int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<ConsumerRecord<String, byte[]>> matches = matches(match);
        while (matches.size() < count && Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            matches = matches(match);
        }
        return matches;
    }

    /** Keeps polling for the given time and returns everything that matched (to prove an absence). */
    public List<ConsumerRecord<String, byte[]>> drain(Predicate<ConsumerRecord<String, byte[]>> match, Duration duration) {
        Instant deadline = Instant.now().plus(duration);
        while (Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        return matches(match);
    }

    private List<ConsumerRecord<String, byte[]>> matches(Predicate<ConsumerRecord<String, byte[]>> match) {
        return seen.stream().filter(match).toList();
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    public static Predicate<ConsumerRecord<String, byte[]>> withHeader(String name, String value) {
        return record -> value.equals(header(record, name));
    }

    public Map<TopicPartition, Long> endOffsets() {
        return consumer.endOffsets(consumer.assignment());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
