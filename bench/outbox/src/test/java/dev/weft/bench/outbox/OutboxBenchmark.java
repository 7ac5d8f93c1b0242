package dev.weft.bench.outbox;

import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventSerializer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Events/s from commit to Kafka through the outbox relay, for 100k events written in
 * transactions of 1,000, beside a raw Kafka producer sending the same CloudEvents in the same
 * run (the limit). Writes its figures to target/bench-outbox.md.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class OutboxBenchmark {
    private static final int EVENTS = Integer.getInteger("bench.events", 100_000);
    private static final int PER_TRANSACTION = 1_000;

    record Payload(String id, String name, int size, String description) {
    }

    @Inject
    Outbox outbox;

    @Test
    void outbox_relay_throughput() throws Exception {
        Payload sample = new Payload(TypeId.generate("wdg"), "widget", 3, "x".repeat(200));
        double raw = rawProducer(sample);

        String topic = "bench.outbox." + UUID.randomUUID();
        RequestPrincipal principal = new RequestPrincipal(TypeId.generate("org"), Set.of("admin"), "bench", RequestPrincipal.CredentialType.OPERATOR);
        createTopic(topic);
        AtomicLong arrived = new AtomicLong();
        Thread counter = Thread.ofPlatform().start(() -> count(topic, arrived));
        Thread.sleep(2_000);

        long start = System.nanoTime();
        for (int written = 0; written < EVENTS; written += PER_TRANSACTION) {
            int from = written;
            TenantContext.runAs(principal, () -> QuarkusTransaction.requiringNew().run(() -> {
                for (int i = from; i < from + PER_TRANSACTION; i++) {
                    outbox.publish(DomainEvent.of(topic, "widget.created", "wdg_" + (i % 997), sample));
                }
            }));
        }
        long committed = System.nanoTime();
        while (arrived.get() < EVENTS && System.nanoTime() - start < Duration.ofMinutes(5).toNanos()) {
            Thread.sleep(5);
        }
        long done = System.nanoTime();
        counter.interrupt();
        assertEquals(EVENTS, arrived.get(), "every committed event arrived");

        double writeRate = EVENTS / seconds(committed - start);
        double endToEnd = EVENTS / seconds(done - start);
        double drain = drainBacklog(sample);
        String report = String.format("""
                | measure | events/s |
                |---|---|
                | outbox writes committed (transactions of %,d) | %,.0f |
                | outbox, first commit to last event on Kafka (writer and relay together) | %,.0f |
                | relay alone: a backlog of %,d committed rows drained to Kafka | %,.0f |
                | raw KafkaProducer, same CloudEvents (limit) | %,.0f |
                | ratio relay alone / raw producer | %.2f |

                %,d events of %d bytes of JSON data; relay batch 500; Kafka in-process KRaft, PostgreSQL %s.
                """, PER_TRANSACTION, writeRate, endToEnd, EVENTS, drain, raw, drain / raw, EVENTS,
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(sample).length,
                System.getenv("WEFT_TEST_PG_URL") == null ? "embedded" : "local server");
        System.out.println(report);
        write(report);
    }

    /** Commits a whole backlog in one statement, then times the relay publishing all of it. */
    private double drainBacklog(Payload sample) throws Exception {
        String topic = "bench.backlog." + UUID.randomUUID();
        createTopic(topic);
        AtomicLong arrived = new AtomicLong();
        Thread counter = Thread.ofPlatform().start(() -> count(topic, arrived));
        Thread.sleep(2_000);
        String data = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(sample);
        try (var connection = java.sql.DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             var insert = connection.prepareStatement("""
                     INSERT INTO bench_outbox.outbox (event_id, topic, aggregate_id, type, source, subject, org_id, occurred_at, data)
                     SELECT 'evt_' || g, ?, 'wdg_' || (g % 997), 'widget.created', '/weft/bench', 'wdg_' || g, 'org_bench', now(), ?
                     FROM generate_series(1, ?) AS g""")) {
            insert.setString(1, topic);
            insert.setString(2, data);
            insert.setInt(3, EVENTS);
            long start = System.nanoTime();
            insert.executeUpdate();
            while (arrived.get() < EVENTS && System.nanoTime() - start < Duration.ofMinutes(5).toNanos()) {
                Thread.sleep(5);
            }
            long done = System.nanoTime();
            counter.interrupt();
            assertEquals(EVENTS, arrived.get(), "the whole backlog arrived");
            return EVENTS / seconds(done - start);
        }
    }

    private double rawProducer(Payload sample) throws Exception {
        byte[] data = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(sample);
        Map<String, Object> settings = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"); // as the relay by default (weft.platform.outbox.compression)
        String topic = "bench.raw." + UUID.randomUUID();
        createTopic(topic);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(settings, new StringSerializer(), new CloudEventSerializer())) {
            producer.send(new ProducerRecord<>(topic, "warmup", event(data, 0))).get();
            long start = System.nanoTime();
            List<Future<RecordMetadata>> acks = new ArrayList<>(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "wdg_" + (i % 997), event(data, i))));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            return EVENTS / seconds(System.nanoTime() - start);
        }
    }

    private static CloudEvent event(byte[] data, int i) {
        return CloudEventBuilder.v1().withId(TypeId.generate("evt")).withType("widget.created")
                .withSource(URI.create("/weft/bench")).withTime(OffsetDateTime.now()).withSubject("wdg_" + i)
                .withExtension("orgid", "org_bench").withDataContentType("application/json").withData(data).build();
    }

    private static void count(String topic, AtomicLong arrived) {
        Map<String, Object> settings = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!Thread.currentThread().isInterrupted()) {
                arrived.addAndGet(consumer.poll(Duration.ofMillis(50)).count());
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // benchmark finished
        }
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void write(String report) throws IOException {
        Path target = Path.of("target", "bench-outbox.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, report, StandardCharsets.UTF_8);
    }
}
