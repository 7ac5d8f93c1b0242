package dev.weft.platform;

import dev.weft.platform.events.IncomingEvent;
import dev.weft.platform.events.OutboxRelay;
import dev.weft.platform.events.ProcessedEvents;
import dev.weft.platform.testapp.WidgetResource;
import dev.weft.testing.TopicProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.weft.testing.TopicProbe.header;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OutboxTest extends PlatformTestBase {
    private static TopicProbe probe;

    @Inject
    ProcessedEvents processedEvents;

    @Inject
    OutboxRelay relay;

    @Inject
    javax.sql.DataSource dataSource;

    @Inject
    dev.weft.platform.events.Outbox outbox;

    @BeforeAll
    static void subscribe() {
        probe = new TopicProbe(WidgetResource.TOPIC);
    }

    @AfterAll
    static void close() {
        if (probe != null) {
            probe.close();
        }
    }

    private static Predicate<ConsumerRecord<String, byte[]>> about(String widgetId) {
        return record -> widgetId.equals(record.key());
    }

    private static String data(ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    /**
     * The CloudEvents SDK reads the record as the event it is (the relay writes the binary-mode headers itself), with the
     * SDK's names, order and time format.
     */
    private static void assertReadableBySdk(ConsumerRecord<String, byte[]> record, String type, String subject, String org) {
        IncomingEvent event = IncomingEvent.decode(record);
        assertEquals(header(record, "ce_id"), event.id());
        assertEquals(type, event.type());
        assertEquals("/weft/platform-test", event.source());
        assertEquals(subject, event.subject());
        assertEquals(org, event.orgId());
        assertEquals(data(record), event.data());
        assertEquals("application/json", header(record, "content-type"));
        assertEquals(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.time().atOffset(ZoneOffset.UTC)), header(record, "ce_time"));
        List<String> names = new ArrayList<>();
        record.headers().forEach(h -> names.add(h.key()));
        names.remove("traceparent");
        List<String> expected = new ArrayList<>(List.of("ce_specversion", "ce_id", "ce_source", "ce_type", "content-type", "ce_subject", "ce_time", "ce_orgid"));
        if (subject == null) {
            expected.remove("ce_subject");
        }
        assertEquals(expected, names, "the headers the SDK's serializer writes, in its order");
    }

    @Test
    void a_committed_change_is_published_once_as_a_cloudevent() {
        String org = newOrg();
        String id = createWidget(org, "published");
        List<ConsumerRecord<String, byte[]>> events = probe.await(about(id), 1, Duration.ofSeconds(20));
        assertEquals(1, events.size());
        ConsumerRecord<String, byte[]> event = events.get(0);
        assertEquals("1.0", header(event, "ce_specversion"));
        assertEquals("widget.created", header(event, "ce_type"));
        assertEquals("/weft/platform-test", header(event, "ce_source"));
        assertEquals(id, header(event, "ce_subject"));
        assertEquals(org, header(event, "ce_orgid"));
        assertTrue(header(event, "ce_id").startsWith("evt_"));
        assertTrue(header(event, "ce_time").endsWith("Z"));
        assertTrue(data(event).contains("\"id\":\"" + id + "\""), data(event));
        assertTrue(data(event).contains("\"created_at\""), "snake_case data: " + data(event));
        assertReadableBySdk(event, "widget.created", id, org);
        assertEquals(1, probe.drain(about(id), Duration.ofSeconds(2)).size(), "published exactly once");
        assertTrue(relay.isLeader());
    }

    @Test
    void a_commit_on_another_replica_wakes_the_relay_by_notify_well_before_its_poll() throws Exception {
        // What another replica's OutboxWakeup does: commit a row, then NOTIFY on its own connection. The test profile's
        // poll interval is 60 s, so an event within the wait below came by the NOTIFY (and every other test's by the
        // in-memory wake-up).
        String key = "wdg_remote_" + System.nanoTime();
        try (java.sql.Connection connection = dataSource.getConnection()) {
            try (java.sql.PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO platform_test.outbox (event_id, topic, aggregate_id, type, source, occurred_at, data)
                    VALUES (?, ?, ?, 'widget.updated', '/weft/platform-test', now(), '{}')""")) {
                insert.setString(1, "evt_" + key);
                insert.setString(2, WidgetResource.TOPIC);
                insert.setString(3, key);
                insert.executeUpdate();
            }
            try (java.sql.Statement notify = connection.createStatement()) {
                notify.execute("SELECT pg_notify('weft_outbox_platform_test', '')");
            }
        }
        assertEquals(1, probe.await(about(key), 1, Duration.ofSeconds(15)).size());
    }

    @Test
    void a_send_that_fails_holds_back_its_aggregate_only_and_nothing_that_reached_kafka_goes_twice() throws Exception {
        // One batch: a1, b1, a2 (larger than Kafka takes: its send fails every time), b2, a3. a1, b1 and b2 reached Kafka
        // and must not be sent again while the relay retries; a2 and a3 wait, in order, for a2 to be dealt with.
        String a = "wdg_held_" + System.nanoTime();
        String b = "wdg_free_" + System.nanoTime();
        String tooLarge = "{\"blob\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        try (java.sql.Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (java.sql.PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO platform_test.outbox (event_id, topic, aggregate_id, type, source, occurred_at, data)
                    VALUES (?, ?, ?, 'widget.updated', '/weft/platform-test', now(), ?)""")) {
                String[][] rows = {{"a1", a, "{}"}, {"b1", b, "{}"}, {"a2", a, tooLarge}, {"b2", b, "{}"}, {"a3", a, "{}"}};
                for (String[] row : rows) {
                    insert.setString(1, "evt_" + row[0] + "_" + a);
                    insert.setString(2, WidgetResource.TOPIC);
                    insert.setString(3, row[1]);
                    insert.setString(4, row[2]);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
            try (java.sql.Statement notify = connection.createStatement()) {
                notify.execute("SELECT pg_notify('weft_outbox_platform_test', '')");
            }
            connection.commit();
        }
        try {
            assertEquals(2, probe.await(about(b), 2, Duration.ofSeconds(15)).size());
            // Long enough for the relay to fail on a2 and retry it several times (its backoff starts at 200 ms).
            probe.drain(about(b), Duration.ofSeconds(3));
            assertEquals(List.of("evt_b1_" + a, "evt_b2_" + a), probe.drain(about(b), Duration.ofMillis(200)).stream()
                    .map(r -> header(r, "ce_id")).toList(), "b's events once each, while a2 keeps failing");
            List<String> seenOfA = probe.drain(about(a), Duration.ofMillis(200)).stream().map(r -> header(r, "ce_id")).toList();
            assertEquals(1, seenOfA.stream().filter(("evt_a1_" + a)::equals).count(), "a1 once: it reached Kafka before a2 failed");
            assertEquals(0, seenOfA.stream().filter(("evt_a2_" + a)::equals).count(), "a2 never");
        } finally {
            // What an operator does with an event Kafka refuses: take it out; a3 follows.
            try (java.sql.Connection connection = dataSource.getConnection();
                 java.sql.Statement delete = connection.createStatement()) {
                delete.executeUpdate("DELETE FROM platform_test.outbox WHERE event_id = 'evt_a2_" + a + "'");
            }
        }
        assertTrue(probe.await(r -> ("evt_a3_" + a).equals(header(r, "ce_id")), 1, Duration.ofSeconds(30)).size() >= 1, "a3 follows once a2 is gone");
    }

    @Test
    void a_pack_with_an_event_kafka_refuses_keeps_only_what_is_held_and_its_aggregate_waits() throws Exception {
        // One pack: a1, b1, a2 (larger than Kafka takes), b2; then a pack of a3 and c1; then one of d1. a1, b1, b2, c1 and d1
        // reach Kafka once each; a2 and a3 wait, a3 never sent before a2 is dealt with.
        String suffix = "_" + System.nanoTime();
        String a = "wdg_pack_held" + suffix, b = "wdg_pack_free" + suffix, c = "wdg_pack_with" + suffix, d = "wdg_pack_after" + suffix;
        java.util.function.BiFunction<String, Object, dev.weft.platform.events.DomainEvent> event =
                (aggregate, data) -> new dev.weft.platform.events.DomainEvent(WidgetResource.TOPIC, "widget.noted", aggregate, null, data);
        List<String> first = QuarkusTransaction.requiringNew().call(() -> outbox.publishAll(List.of(event.apply(a, Map.of("seq", 1)),
                event.apply(b, Map.of("seq", 1)), event.apply(a, Map.of("blob", "x".repeat(2 * 1024 * 1024))), event.apply(b, Map.of("seq", 2)))));
        List<String> second = QuarkusTransaction.requiringNew().call(() -> outbox.publishAll(List.of(event.apply(a, Map.of("seq", 3)),
                event.apply(c, Map.of("seq", 1)))));
        List<String> third = QuarkusTransaction.requiringNew().call(() -> outbox.publishAll(List.of(event.apply(d, Map.of("seq", 1)))));
        try {
            assertEquals(third, probe.await(about(d), 1, Duration.ofSeconds(15)).stream().map(r -> header(r, "ce_id")).toList());
            // Long enough for the relay to fail on a2 and retry it several times (its backoff starts at 200 ms).
            probe.drain(about(b), Duration.ofSeconds(3));
            assertEquals(List.of(first.get(1), first.get(3)), probe.drain(about(b), Duration.ofMillis(200)).stream().map(r -> header(r, "ce_id")).toList(),
                    "b's events once each, while a2 keeps failing");
            assertEquals(List.of(first.get(0)), probe.drain(about(a), Duration.ofMillis(200)).stream().map(r -> header(r, "ce_id")).toList(),
                    "a1 once; a2 never; a3 waits behind it");
            assertEquals(List.of(second.get(1)), probe.drain(about(c), Duration.ofMillis(200)).stream().map(r -> header(r, "ce_id")).toList(),
                    "c1 once, not held up by a3 in its pack");
            try (java.sql.Connection connection = dataSource.getConnection();
                 java.sql.PreparedStatement held = connection.prepareStatement(
                         "SELECT pack_size FROM platform_test.outbox WHERE position(convert_to(?, 'UTF8') IN pack) > 0")) {
                held.setString(1, first.get(2));
                try (java.sql.ResultSet row = held.executeQuery()) {
                    assertTrue(row.next());
                    assertEquals(1, row.getInt(1), "the first pack now holds a2 only");
                }
                held.setString(1, second.get(0));
                try (java.sql.ResultSet row = held.executeQuery()) {
                    assertTrue(row.next());
                    assertEquals(1, row.getInt(1), "the second pack now holds a3 only");
                }
            }
        } finally {
            // What an operator does with an event Kafka refuses: take it out; a3 and c1 follow.
            try (java.sql.Connection connection = dataSource.getConnection();
                 java.sql.PreparedStatement delete = connection.prepareStatement(
                         "DELETE FROM platform_test.outbox WHERE position(convert_to(?, 'UTF8') IN pack) > 0")) {
                delete.setString(1, first.get(2));
                delete.executeUpdate();
            }
        }
        assertEquals(List.of(first.get(0), second.get(0)), probe.await(about(a), 2, Duration.ofSeconds(30)).stream().map(r -> header(r, "ce_id")).toList(),
                "a3 follows once a2 is gone");
        assertEquals(List.of(second.get(1)), probe.drain(about(c), Duration.ofMillis(500)).stream().map(r -> header(r, "ce_id")).toList(), "c1 still once");
    }

    @Test
    void a_rolled_back_transaction_publishes_nothing() {
        String org = newOrg();
        String name = "rolled-back-" + System.nanoTime();
        writer(org).body("{\"name\":\"" + name + "\",\"size\":3}").when().post("/v1/widgets/rolled-back").then().statusCode(500);
        String marker = createWidget(org, "after-rollback");
        probe.await(about(marker), 1, Duration.ofSeconds(20));
        assertTrue(probe.drain(record -> data(record).contains(name), Duration.ofSeconds(2)).isEmpty());
        writer(org).when().get("/v1/widgets").then().statusCode(200).body("data.size()", equalTo(1));
    }

    @Test
    void events_of_one_aggregate_arrive_in_commit_order() {
        String org = newOrg();
        String id = createWidget(org, "ordered");
        for (int i = 0; i < 5; i++) {
            writer(org).when().post("/v1/widgets/" + id + "/touch").then().statusCode(200);
        }
        List<ConsumerRecord<String, byte[]>> events = probe.await(about(id), 6, Duration.ofSeconds(20));
        assertEquals(6, events.size());
        assertEquals("widget.created", header(events.get(0), "ce_type"));
        for (int i = 1; i < 6; i++) {
            assertEquals("widget.updated", header(events.get(i), "ce_type"));
            assertTrue(data(events.get(i)).contains("\"size\":" + (3 + i)), data(events.get(i)));
        }
    }

    @Test
    void a_batch_is_published_in_order_with_its_data_intact() {
        String org = newOrg();
        String id = createWidget(org, "noted");
        probe.await(about(id), 1, Duration.ofSeconds(20));
        List<String> notes = List.of("plain", "quote \" back\\slash \\N tab\t newline\n cr\r", "zürich 東京 \uD83D\uDE80", "\\.", "");
        int count = 1200;
        List<String> ids = writer(org).body(notes).when().post("/v1/widgets/" + id + "/notes?count=" + count)
                .then().statusCode(200).extract().jsonPath().getList("$", String.class);
        assertEquals(count, ids.size());
        List<ConsumerRecord<String, byte[]>> events = probe.await(about(id).and(r -> "widget.noted".equals(header(r, "ce_type"))), count,
                Duration.ofSeconds(30));
        assertEquals(count, events.size());
        for (int i = 0; i < count; i++) {
            ConsumerRecord<String, byte[]> event = events.get(i);
            assertEquals(ids.get(i), header(event, "ce_id"), "event " + i + " in list order");
            assertEquals(org, header(event, "ce_orgid"));
            assertEquals(i % 2 == 0 ? id : null, header(event, "ce_subject"));
            assertTrue(header(event, "ce_time").endsWith("Z"));
            Map<String, Object> data = new io.restassured.path.json.JsonPath(data(event)).getMap("$");
            assertEquals(Map.of("widget_id", id, "seq", i, "note", notes.get(i % notes.size())), data, "event " + i);
            assertTrue(data(event).startsWith("{") && data(event).endsWith("}"), "nothing around an event's JSON: " + data(event));
            assertReadableBySdk(event, "widget.noted", i % 2 == 0 ? id : null, org);
        }
        assertEquals(count, probe.drain(about(id).and(r -> "widget.noted".equals(header(r, "ce_type"))), Duration.ofSeconds(2)).size(),
                "each published once");
    }

    @Test
    void packs_are_stored_lz4_compressed_where_the_server_has_lz4_and_uncompressed_elsewhere() throws Exception {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            boolean lz4;
            try {
                statement.execute("SET LOCAL default_toast_compression = lz4");
                lz4 = true;
            } catch (java.sql.SQLException e) {
                lz4 = false; // a server built without lz4 refuses the value
            }
            try (var column = statement.executeQuery(
                    "SELECT attstorage, attcompression FROM pg_attribute WHERE attrelid = 'outbox'::regclass AND attname = 'pack'")) {
                assertTrue(column.next());
                assertEquals(lz4 ? "x" : "e", column.getString(1), "extended (compressed) with lz4, external (uncompressed) without");
                assertEquals(lz4 ? "l" : "", column.getString(2));
            }
        }
    }

    @Test
    void a_rolled_back_batch_publishes_nothing() {
        String org = newOrg();
        String id = createWidget(org, "batch-rolled-back");
        writer(org).body(List.of("never")).when().post("/v1/widgets/" + id + "/notes?count=10&fail=true").then().statusCode(500);
        writer(org).when().post("/v1/widgets/" + id + "/touch").then().statusCode(200);
        List<ConsumerRecord<String, byte[]>> events = probe.await(about(id), 2, Duration.ofSeconds(20));
        assertEquals(List.of("widget.created", "widget.updated"), events.stream().map(e -> header(e, "ce_type")).toList());
        assertEquals(2, probe.drain(about(id), Duration.ofSeconds(2)).size(), "nothing of the rolled-back batch");
    }

    @Test
    void trace_context_crosses_from_http_to_kafka() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String id = writer(newOrg()).header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .body("{\"name\":\"traced\",\"size\":3}").when().post("/v1/widgets").then().statusCode(201).extract().path("id");
        ConsumerRecord<String, byte[]> event = probe.await(about(id), 1, Duration.ofSeconds(20)).get(0);
        String traceparent = header(event, "traceparent");
        assertTrue(traceparent != null && traceparent.contains(traceId), "traceparent=" + traceparent);
    }

    @Test
    void a_consumer_claims_each_event_once() {
        String eventId = "evt_" + System.nanoTime();
        assertTrue(QuarkusTransaction.requiringNew().call(() -> processedEvents.claim("test-consumer", eventId)));
        assertFalse(QuarkusTransaction.requiringNew().call(() -> processedEvents.claim("test-consumer", eventId)));
        assertTrue(QuarkusTransaction.requiringNew().call(() -> processedEvents.claim("other-consumer", eventId)));
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                processedEvents.claim("failing-consumer", eventId);
                throw new IllegalStateException("handler failed");
            });
        } catch (IllegalStateException expected) {
            // the claim rolls back with the handler's work
        }
        assertTrue(QuarkusTransaction.requiringNew().call(() -> processedEvents.claim("failing-consumer", eventId)));
    }
}
