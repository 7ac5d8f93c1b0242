package dev.weft.messaging.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.testing.TopicProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The events one org's changes put on weft.messaging.events, read from the real topic, each checked against the public catalog. */
public final class Events implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TopicProbe probe = new TopicProbe("weft.messaging.events");
    private final String org;

    public Events(String org) {
        this.org = org;
    }

    /** Waits for {@code count} events of {@code type} about {@code subject}, then keeps reading a moment to see there are no more. */
    public List<JsonNode> exactly(String type, String subject, int count) {
        var match = TopicProbe.withHeader("ce_orgid", org).and(TopicProbe.withHeader("ce_type", type))
                .and(r -> subject == null || subject.equals(TopicProbe.header(r, "ce_subject")));
        probe.await(match, count, Duration.ofSeconds(20));
        List<ConsumerRecord<String, byte[]>> seen = probe.drain(match, Duration.ofMillis(1500));
        assertEquals(count, seen.size(), "events " + type + " about " + subject);
        return seen.stream().map(r -> data(type, r)).toList();
    }

    private static JsonNode data(String type, ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode data = JSON.readTree(record.value());
            Set<String> violations = violations(type, data);
            assertEquals(Set.of(), violations, type + " data matches the catalog's schema: " + data);
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** webhook-service's catalog of event types, the public description of every event's data. */
    public static Set<String> violations(String type, JsonNode data) throws IOException {
        JsonNode catalog = JSON.readTree(Files.readString(Path.of(System.getProperty("basedir", "."))
                .resolve("../webhook-service/src/main/resources/event-types.json")));
        for (JsonNode entry : catalog) {
            if (type.equals(entry.path("type").asText())) {
                Set<String> messages = new HashSet<>();
                com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012)
                        .getSchema(entry.path("schema")).validate(data).forEach(m -> messages.add(m.getMessage()));
                return messages;
            }
        }
        return Set.of("no catalog entry for " + type);
    }

    @Override
    public void close() {
        probe.close();
    }
}
