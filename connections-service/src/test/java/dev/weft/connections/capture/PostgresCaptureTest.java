package dev.weft.connections.capture;

import dev.weft.connections.support.EventCatalog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.support.Api;
import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change capture from a real PostgreSQL's log (embedded binaries with wal_level=logical stand in for a customer's
 * database), through the API, onto the real weft.records.events topic.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class PostgresCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "cdc_test";
    private static int port;

    @BeforeAll
    static void sourceDatabase() throws SQLException {
        port = WeftTestInfra.sourcePostgresPort();
        try (Connection db = source(); Statement ddl = db.createStatement()) {
            ddl.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        }
    }

    @Test
    void inserts_updates_and_deletes_arrive_once_in_order_with_previous_values_and_changed_fields() throws Exception {
        Streaming streaming = streaming("leads", true);
        String org = streaming.org(), table = streaming.table(), connection = streaming.connection(), stream = streaming.stream();
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            execute("INSERT INTO " + SCHEMA + "." + table + " (id, email, status, score) VALUES (1, 'ada@example.com', 'new', 12.50)",
                    "UPDATE " + SCHEMA + "." + table + " SET status = 'qualified', score = 40 WHERE id = 1",
                    "INSERT INTO " + SCHEMA + "." + table + " (id, email, status) VALUES (2, 'grace@example.com', 'new')",
                    "DELETE FROM " + SCHEMA + "." + table + " WHERE id = 1");
            List<ConsumerRecord<String, byte[]>> events = records.await(r -> stream.equals(data(r).path("stream_id").asText()), 4,
                    Duration.ofSeconds(30));
            // In order per record (each record's changes share a partition); records among themselves may interleave.
            List<ConsumerRecord<String, byte[]>> first = events.stream().filter(r -> data(r).path("key").path("id").asInt() == 1).toList();
            assertEquals(List.of("record.created", "record.updated", "record.deleted"), first.stream().map(r -> header(r, "ce_type")).toList());
            assertEquals(List.of("record.created"), events.stream().filter(r -> data(r).path("key").path("id").asInt() == 2)
                    .map(r -> header(r, "ce_type")).toList());
            JsonNode updated = data(first.get(1));
            assertEquals(connection, updated.path("connection_id").asText());
            assertEquals(table, updated.path("object").asText());
            assertEquals(1, updated.path("key").path("id").asInt());
            assertEquals("qualified", updated.path("record").path("status").asText());
            assertEquals("new", updated.path("previous").path("status").asText());
            assertEquals(Set.of("status", "score"), new HashSet<>(JSON.convertValue(updated.path("changed_fields"), List.class)));
            assertEquals("log", updated.path("source").path("kind").asText());
            assertNotNull(updated.path("source").path("position").textValue());
            // The change's LSN as PostgreSQL itself writes it.
            for (ConsumerRecord<String, byte[]> event : events) {
                String position = data(event).path("source").path("position").textValue();
                assertEquals(position, lsnText(position), "position of " + header(event, "ce_type"));
            }
            JsonNode deleted = data(first.get(2));
            assertEquals("ada@example.com", deleted.path("record").path("email").asText(), "the deleted row, from the full replica identity");
            // One record's changes share a Kafka key, so they stay in order on one partition.
            assertEquals(first.get(0).key(), first.get(1).key());
            assertEquals(first.get(0).key(), first.get(2).key());
            assertEquals(connection + "/" + table + "/{\"id\":1}", first.get(0).key(), "connection/object/the key as canonical JSON");
            assertTrue(records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(2)).size() == 4, "each once");
            // What is published is what the public event catalog (GET /v1/event-types) describes.
            for (ConsumerRecord<String, byte[]> event : events) {
                assertEquals(Set.of(), EventCatalog.violations(header(event, "ce_type"), data(event)), "data of " + header(event, "ce_type"));
            }
        }
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                .body("status", equalTo("streaming")).body("events_published", equalTo(4)).body("kind", equalTo("log"));
    }

    @Test
    void a_filter_and_fields_narrow_what_is_published() throws Exception {
        String org = Api.newOrg();
        String table = table("filtered", false);
        String connection = connection(org, SCHEMA);
        String stream = Api.as(org).body(Map.of("object", table, "fields", List.of("status"), "filter", "status = 'new'"))
                .when().post("/v1/connections/" + connection + "/streams").then().statusCode(201).extract().path("id");
        awaitStatus(org, connection, stream, "streaming");
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            execute("INSERT INTO " + SCHEMA + "." + table + " (id, email, status) VALUES (1, 'a@example.com', 'new')",
                    "INSERT INTO " + SCHEMA + "." + table + " (id, email, status) VALUES (2, 'b@example.com', 'lost')",
                    "INSERT INTO " + SCHEMA + "." + table + " (id, email, status) VALUES (3, 'c@example.com', 'new')");
            List<ConsumerRecord<String, byte[]>> events = records.await(r -> stream.equals(data(r).path("stream_id").asText()), 2,
                    Duration.ofSeconds(30));
            // Different records: each in order on its own partition, not with each other.
            assertEquals(List.of(1, 3), events.stream().map(r -> data(r).path("key").path("id").asInt()).sorted().toList());
            assertEquals(Set.of("id", "status"), fieldNames(data(events.get(0)).path("record")), "the stream's fields and the key");
            assertEquals(2, records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(2)).size());
        }
    }

    @Test
    void bad_requests_are_refused_with_the_field_named() {
        String org = Api.newOrg();
        String table = table("validated", false);
        String connection = connection(org, SCHEMA);
        Api.as(org).body(Map.of("object", "no_such_table")).when().post("/v1/connections/" + connection + "/streams").then().statusCode(400)
                .body("error.details.field", equalTo("object"));
        Api.as(org).body(Map.of("object", table, "fields", List.of("nope"))).when().post("/v1/connections/" + connection + "/streams").then()
                .statusCode(400).body("error.details.field", equalTo("fields[0]"));
        Api.as(org).body(Map.of("object", table, "filter", "nope = 1")).when().post("/v1/connections/" + connection + "/streams").then()
                .statusCode(400).body("error.details.field", equalTo("filter"));
        Api.as(org).body(Map.of("object", table, "poll_interval", 10)).when().post("/v1/connections/" + connection + "/streams").then()
                .statusCode(400).body("error.details.field", equalTo("poll_interval"));
        String stream = createStream(org, connection, table);
        Api.as(org).body(Map.of("object", table)).when().post("/v1/connections/" + connection + "/streams").then().statusCode(409)
                .body("error.code", equalTo("DUPLICATE")).body("error.details.stream_id", equalTo(stream));
        // Another org sees neither the connection nor the stream.
        String other = Api.newOrg();
        Api.as(other).when().get("/v1/connections/" + connection + "/streams").then().statusCode(404);
        Api.as(other).body(Map.of("object", table)).when().post("/v1/connections/" + connection + "/streams").then().statusCode(404);
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/strm_01h455vb4pex5vsknk084sn02q").then().statusCode(404);
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/garbage").then().statusCode(404);
    }

    @Test
    void a_source_without_logical_wal_fails_the_stream_with_a_reason() throws Exception {
        // The services' own database server: the machine's runs with wal_level=replica.
        java.net.URI service = java.net.URI.create(WeftTestInfra.jdbcUrl().substring("jdbc:".length()));
        try (Connection db = DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             Statement statement = db.createStatement(); ResultSet level = statement.executeQuery("SHOW wal_level")) {
            level.next();
            org.junit.jupiter.api.Assumptions.assumeFalse("logical".equals(level.getString(1)), "this test needs a server without logical WAL");
            statement.execute("CREATE SCHEMA IF NOT EXISTS cdc_nowal");
            statement.execute("CREATE TABLE IF NOT EXISTS cdc_nowal.things (id bigint PRIMARY KEY, name text)");
        }
        String org = Api.newOrg();
        String connection = Api.as(org).body(Map.of("provider", "postgres", "name", "no wal",
                        "config", Map.of("host", service.getHost(), "port", service.getPort(), "database", service.getPath().substring(1),
                                "schema", "cdc_nowal", "ssl_mode", "disable"),
                        "credentials", Map.of("username", WeftTestInfra.username())))
                .when().post("/v1/connections").then().statusCode(201).extract().path("id");
        String stream = createStream(org, connection, "things");
        awaitStatus(org, connection, stream, "failed");
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then()
                .body("status_reason", containsString("wal_level=logical"));
    }

    @Test
    void deleting_the_stream_leaves_no_replication_slot_or_publication() throws Exception {
        Streaming streaming = streaming("deleted", false);
        String org = streaming.org(), table = streaming.table(), connection = streaming.connection(), stream = streaming.stream();
        String slot = "weft_" + dev.weft.platform.id.TypeId.parse("strm", stream).orElseThrow().toString().replace("-", "");
        assertEquals(1, count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
        assertEquals(0, count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
        assertEquals(0, count("SELECT count(*) FROM pg_publication WHERE pubname = '" + slot + "'"));
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(404);
    }

    @Test
    void a_stream_taken_over_after_its_replica_lost_it_resumes_with_nothing_lost_or_repeated() throws Exception {
        Streaming streaming = streaming("takeover", false);
        String org = streaming.org(), table = streaming.table(), connection = streaming.connection(), stream = streaming.stream();
        UUID id = streaming.id();
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            int rows = 3000;
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Connection db = source(); PreparedStatement insert = db.prepareStatement(
                        "INSERT INTO " + SCHEMA + "." + table + " (id, email, status) VALUES (?, ?, 'new')")) {
                    for (int i = 1; i <= rows; i++) {
                        insert.setInt(1, i);
                        insert.setString(2, "user" + i + "@example.com");
                        insert.executeUpdate();
                        if (i % 500 == 0) {
                            Thread.sleep(200);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Midway, the replica loses the stream, as if it had been killed: its lease is gone, another takes over.
            Thread.sleep(700);
            try (Connection db = java.sql.DriverManager.getConnection(dev.weft.testing.WeftTestInfra.jdbcUrl(),
                    dev.weft.testing.WeftTestInfra.username(), dev.weft.testing.WeftTestInfra.password());
                 PreparedStatement steal = db.prepareStatement("UPDATE connections.streams SET leased_by = 'replica-gone', leased_until = now() - interval '1 second' WHERE id = ?")) {
                steal.setObject(1, id);
                assertEquals(1, steal.executeUpdate());
            }
            writer.join();
            List<ConsumerRecord<String, byte[]>> events = records.await(r -> stream.equals(data(r).path("stream_id").asText()), rows,
                    Duration.ofSeconds(90));
            List<ConsumerRecord<String, byte[]>> all = records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(3));
            Set<Integer> keys = new HashSet<>();
            all.forEach(r -> keys.add(data(r).path("key").path("id").asInt()));
            assertEquals(rows, keys.size(), "every row's change arrived");
            assertEquals(rows, all.size(), "and none twice");
            assertTrue(events.size() >= rows);
        }
    }

    @Test
    void a_batch_offset_is_written_once_with_its_events_not_again_by_the_engine_flush() throws Exception {
        Streaming streaming = streaming("flushes", false);
        String org = streaming.org(), table = streaming.table(), connection = streaming.connection(), stream = streaming.stream();
        UUID id = streaming.id();
        // Which transactions write the stream's offsets, and which move its counters (a batch's commit does both).
        String[] setUp = {
                "CREATE TABLE IF NOT EXISTS connections.test_stream_writes (stream_id uuid, tbl text, txid bigint)",
                "CREATE OR REPLACE FUNCTION connections.test_log_offset_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO connections.test_stream_writes VALUES (NEW.stream_id, 'stream_offsets', txid_current()); RETURN NEW; END $$",
                "CREATE OR REPLACE FUNCTION connections.test_log_counter_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO connections.test_stream_writes VALUES (NEW.id, 'streams', txid_current()); RETURN NEW; END $$",
                "CREATE TRIGGER test_log_offsets AFTER INSERT OR UPDATE ON connections.stream_offsets FOR EACH ROW EXECUTE FUNCTION connections.test_log_offset_write()",
                "CREATE TRIGGER test_log_streams AFTER UPDATE ON connections.streams FOR EACH ROW EXECUTE FUNCTION connections.test_log_counter_write()"};
        try (Connection service = DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             Statement statement = service.createStatement()) {
            for (String sql : setUp) {
                statement.execute(sql);
            }
            try {
                int rows = 0;
                for (int batch = 1; batch <= 3; batch++) {
                    execute("INSERT INTO " + SCHEMA + "." + table + " (id, email, status) SELECT g, 'f' || g || '@example.com', 'new'"
                            + " FROM generate_series(" + (rows + 1) + ", " + (rows + 100) + ") AS g");
                    rows += 100;
                    Thread.sleep(300);
                }
                awaitPublished(org, connection, stream, rows);
                Thread.sleep(1000); // the engine's flush of the last batch
                try (PreparedStatement writes = service.prepareStatement("""
                        SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM connections.test_stream_writes s
                                                                  WHERE s.tbl = 'streams' AND s.stream_id = o.stream_id AND s.txid = o.txid)),
                               count(*)
                        FROM connections.test_stream_writes o WHERE o.tbl = 'stream_offsets' AND o.stream_id = ?""")) {
                    writes.setObject(1, id);
                    try (ResultSet counts = writes.executeQuery()) {
                        counts.next();
                        assertTrue(counts.getLong(2) > 0, "the batches stored their offsets");
                        assertEquals(0, counts.getLong(1), "no offset write outside a batch's own transaction");
                    }
                }
            } finally {
                statement.execute("DROP TRIGGER IF EXISTS test_log_offsets ON connections.stream_offsets");
                statement.execute("DROP TRIGGER IF EXISTS test_log_streams ON connections.streams");
            }
        }
    }

    @Test
    void a_100000_row_transaction_streams_whole_in_bounded_batches() throws Exception {
        Streaming streaming = streaming("bulk", false);
        String org = streaming.org(), table = streaming.table(), connection = streaming.connection(), stream = streaming.stream();
        int rows = 100_000;
        // One transaction: the engine hands it over in batches of at most 2,048 changes, never all of it at once.
        execute("INSERT INTO " + SCHEMA + "." + table + " (id, email, status) SELECT g, 'bulk' || g || '@example.com', 'new' FROM generate_series(1, "
                + rows + ") AS g");
        Instant deadline = Instant.now().plusSeconds(180);
        long published = 0;
        while (published < rows && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            published = ((Number) Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                    .extract().path("events_published")).longValue();
        }
        assertEquals(rows, published, "every row of the transaction was published, once");
        Thread.sleep(1000);
        assertEquals(rows, ((Number) Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then()
                .extract().path("events_published")).longValue(), "and no more");
    }

    // Helpers.

    private static Connection source() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection db = source(); Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** A position read as a pg_lsn, written back by PostgreSQL. */
    private static String lsnText(String position) throws SQLException {
        try (Connection db = source(); java.sql.PreparedStatement query = db.prepareStatement("SELECT ?::pg_lsn::text")) {
            query.setString(1, position);
            try (java.sql.ResultSet row = query.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection db = source(); Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** A fresh table; with the full replica identity, updates and deletes carry the whole previous row. */
    private static String table(String prefix, boolean fullIdentity) {
        String table = prefix + "_" + Long.toString(System.nanoTime(), 36);
        try {
            execute("CREATE TABLE " + SCHEMA + "." + table + " (id bigint PRIMARY KEY, email text NOT NULL, status text, score numeric(10,2),"
                    + " updated_at timestamptz NOT NULL DEFAULT now())");
            if (fullIdentity) {
                execute("ALTER TABLE " + SCHEMA + "." + table + " REPLICA IDENTITY FULL");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return table;
    }

    private static String connection(String org, String schema) {
        return Api.as(org).body(Map.of("provider", "postgres", "name", "Customer DB",
                        "config", Map.of("host", "127.0.0.1", "port", port, "database", "postgres", "schema", schema, "ssl_mode", "disable"),
                        "credentials", Map.of("username", "postgres")))
                .when().post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    /** A fresh table in a new org's connection, with a stream on it already streaming. */
    private record Streaming(String org, String table, String connection, String stream) {
        UUID id() {
            return dev.weft.platform.id.TypeId.parse("strm", stream).orElseThrow();
        }
    }

    private static Streaming streaming(String tablePrefix, boolean fullIdentity) throws InterruptedException {
        String org = Api.newOrg();
        String table = table(tablePrefix, fullIdentity);
        String connection = connection(org, SCHEMA);
        String stream = createStream(org, connection, table);
        awaitStatus(org, connection, stream, "streaming");
        return new Streaming(org, table, connection, stream);
    }

    private static String createStream(String org, String connection, String object) {
        return Api.as(org).body(Map.of("object", object)).when().post("/v1/connections/" + connection + "/streams").then().statusCode(201)
                .body("status", equalTo("starting")).body("kind", equalTo("log")).extract().path("id");
    }

    private static void awaitStatus(String org, String connection, String stream, String status) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        String current = null;
        while (Instant.now().isBefore(deadline)) {
            current = Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200).extract().path("status");
            if (status.equals(current)) {
                return;
            }
            Thread.sleep(250);
        }
        assertEquals(status, current, "stream status");
    }

    private static void awaitPublished(String org, String connection, String stream, long events) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        long published = 0;
        while (published < events && Instant.now().isBefore(deadline)) {
            Thread.sleep(1000); // not faster: the org's rate limit
            published = ((Number) Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                    .extract().path("events_published")).longValue();
        }
        assertEquals(events, published, "events published");
    }

    private static JsonNode data(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
