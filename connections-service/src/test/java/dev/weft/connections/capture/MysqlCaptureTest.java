package dev.weft.connections.capture;

import dev.weft.connections.support.EventCatalog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.Databases;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Assumptions;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change capture from a real MariaDB's binlog (a second mariadbd from the machine's binaries, with the binlog on in ROW
 * format, stands in for a customer's database), through the API, onto the real weft.records.events topic. Skipped when
 * the binaries are missing, unless WEFT_TEST_MARIADB_REQUIRED=true.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class MysqlCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATABASE = "cdc_test";
    private static int port;

    @BeforeAll
    static void sourceDatabase() throws SQLException {
        OptionalInt binlog = WeftTestInfra.binlogMariaDbPort();
        Assumptions.assumeTrue(binlog.isPresent(), "no mariadbd binaries to run a MariaDB with the binlog on");
        port = binlog.getAsInt();
        execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
    }

    @Test
    void inserts_updates_and_deletes_arrive_once_in_order_with_previous_values_and_changed_fields() throws Exception {
        String org = Api.newOrg();
        String table = table("leads");
        String connection = connection(org, "root", null);
        String stream = createStream(org, connection, table);
        awaitStatus(org, connection, stream, "streaming");
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            execute("INSERT INTO " + DATABASE + "." + table + " (id, email, status, score) VALUES (1, 'ada@example.com', 'new', 12.50)",
                    "UPDATE " + DATABASE + "." + table + " SET status = 'qualified', score = 40 WHERE id = 1",
                    "INSERT INTO " + DATABASE + "." + table + " (id, email, status) VALUES (2, 'grace@example.com', 'new')",
                    "DELETE FROM " + DATABASE + "." + table + " WHERE id = 1");
            List<ConsumerRecord<String, byte[]>> events = records.await(r -> stream.equals(data(r).path("stream_id").asText()), 4,
                    Duration.ofSeconds(30));
            // In order per record (each record's changes share a partition); records among themselves may interleave.
            List<ConsumerRecord<String, byte[]>> first = events.stream().filter(r -> data(r).path("key").path("id").asInt() == 1).toList();
            assertEquals(List.of("record.created", "record.updated", "record.deleted"), first.stream().map(r -> header(r, "ce_type")).toList());
            assertEquals(List.of("record.created"), events.stream().filter(r -> data(r).path("key").path("id").asInt() == 2)
                    .map(r -> header(r, "ce_type")).toList());
            JsonNode created = data(first.get(0));
            assertEquals("ada@example.com", created.path("record").path("email").asText());
            assertEquals(0, created.path("record").path("score").decimalValue().compareTo(new java.math.BigDecimal("12.50")), "exact decimals");
            JsonNode updated = data(first.get(1));
            assertEquals(connection, updated.path("connection_id").asText());
            assertEquals(table, updated.path("object").asText());
            assertEquals(1, updated.path("key").path("id").asInt());
            assertEquals("qualified", updated.path("record").path("status").asText());
            // The binlog's full row image: the previous row, whole, on every update, without any table setting.
            assertEquals("new", updated.path("previous").path("status").asText());
            assertEquals("ada@example.com", updated.path("previous").path("email").asText());
            assertEquals(Set.of("status", "score"), new HashSet<>(JSON.convertValue(updated.path("changed_fields"), List.class)));
            assertEquals("log", updated.path("source").path("kind").asText());
            String position = updated.path("source").path("position").textValue();
            assertNotNull(position);
            assertTrue(position.matches("binlog\\.\\d+:\\d+"), "a binlog file:position, was " + position);
            JsonNode deleted = data(first.get(2));
            assertEquals("ada@example.com", deleted.path("record").path("email").asText(), "the deleted row, whole");
            assertEquals(first.get(0).key(), first.get(1).key());
            assertEquals(first.get(0).key(), first.get(2).key());
            assertEquals(4, records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(2)).size(), "each once");
            // What is published is what the public event catalog (GET /v1/event-types) describes.
            for (ConsumerRecord<String, byte[]> event : events) {
                assertEquals(Set.of(), EventCatalog.violations(header(event, "ce_type"), data(event)), "data of " + header(event, "ce_type"));
            }
        }
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                .body("status", equalTo("streaming")).body("events_published", equalTo(4)).body("kind", equalTo("log"))
                .body("position", startsWith("binlog."));
        // The table's definition is kept in connections-service's own schema, for whoever resumes the stream.
        UUID id = TypeId.parse("strm", stream).orElseThrow();
        assertTrue(serviceCount("SELECT count(*) FROM connections.stream_schema_history WHERE stream_id = '" + id + "'") > 0,
                "schema history stored with the stream");
    }

    @Test
    void a_snapshot_publishes_the_rows_already_there_then_streams_on() throws Exception {
        String org = Api.newOrg();
        String table = table("snapshot");
        execute("INSERT INTO " + DATABASE + "." + table + " (id, email, status) VALUES (1, 'a@example.com', 'new'), (2, 'b@example.com', 'new'),"
                + " (3, 'c@example.com', 'won')");
        String connection = connection(org, "root", null);
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            String stream = Api.as(org).body(Map.of("object", table, "snapshot", true)).when().post("/v1/connections/" + connection + "/streams")
                    .then().statusCode(201).extract().path("id");
            awaitStatus(org, connection, stream, "streaming");
            execute("UPDATE " + DATABASE + "." + table + " SET status = 'won' WHERE id = 1");
            List<ConsumerRecord<String, byte[]>> events = records.await(r -> stream.equals(data(r).path("stream_id").asText()), 4,
                    Duration.ofSeconds(30));
            assertEquals(List.of("record.created", "record.updated"), events.stream().filter(r -> data(r).path("key").path("id").asInt() == 1)
                    .map(r -> header(r, "ce_type")).toList());
            assertEquals(Set.of(1, 2, 3), new HashSet<>(events.stream().filter(r -> "record.created".equals(header(r, "ce_type")))
                    .map(r -> data(r).path("key").path("id").asInt()).toList()));
            assertEquals(4, records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(2)).size(), "each once");
        }
    }

    @Test
    void a_stream_taken_over_after_its_replica_lost_it_resumes_with_nothing_lost_or_repeated() throws Exception {
        String org = Api.newOrg();
        String table = table("takeover");
        String connection = connection(org, "root", null);
        String stream = createStream(org, connection, table);
        awaitStatus(org, connection, stream, "streaming");
        UUID id = TypeId.parse("strm", stream).orElseThrow();
        int rows = 3000;
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Connection db = source(); PreparedStatement insert = db.prepareStatement(
                        "INSERT INTO " + DATABASE + "." + table + " (id, email, status) VALUES (?, ?, 'new')")) {
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
            // Wait until the stream is under way, then its replica loses it, as if it had been killed: its lease is gone
            // and another takes it over from the position committed with the last batch.
            Instant deadline = Instant.now().plusSeconds(30);
            while (published(org, connection, stream) == 0 && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertEquals(1, serviceUpdate("UPDATE connections.streams SET leased_by = 'replica-gone', leased_until = now() - interval '1 second'"
                    + " WHERE id = '" + id + "'"));
            long atTakeover = published(org, connection, stream);
            writer.join();
            records.await(r -> stream.equals(data(r).path("stream_id").asText()), rows, Duration.ofSeconds(90));
            List<ConsumerRecord<String, byte[]>> all = records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(3));
            Set<Integer> keys = new HashSet<>();
            Map<Integer, Integer> times = new HashMap<>();
            all.forEach(r -> {
                int key = data(r).path("key").path("id").asInt();
                keys.add(key);
                times.merge(key, 1, Integer::sum);
            });
            assertEquals(rows, keys.size(), "every row's change arrived");
            assertEquals(rows, all.size(), "and none twice: " + times.entrySet().stream().filter(e -> e.getValue() > 1).limit(5).toList());
            assertTrue(atTakeover < rows, "the takeover happened mid-stream (" + atTakeover + " of " + rows + " published before it)");
        }
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                .body("status", equalTo("streaming")).body("events_published", equalTo(rows));
    }

    @Test
    void deleting_the_stream_removes_it_with_its_position_and_schema_history() throws Exception {
        String org = Api.newOrg();
        String table = table("deleted");
        String connection = connection(org, "root", null);
        String stream = createStream(org, connection, table);
        awaitStatus(org, connection, stream, "streaming");
        UUID id = TypeId.parse("strm", stream).orElseThrow();
        assertTrue(serviceCount("SELECT count(*) FROM connections.stream_schema_history WHERE stream_id = '" + id + "'") > 0);
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(404);
        assertEquals(0, serviceCount("SELECT count(*) FROM connections.stream_schema_history WHERE stream_id = '" + id + "'"));
        assertEquals(0, serviceCount("SELECT count(*) FROM connections.stream_offsets WHERE stream_id = '" + id + "'"));
        // Nothing runs it any more: a change after the deletion is published by no one.
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            execute("INSERT INTO " + DATABASE + "." + table + " (id, email, status) VALUES (9, 'late@example.com', 'new')");
            assertEquals(0, records.drain(r -> stream.equals(data(r).path("stream_id").asText()), Duration.ofSeconds(3)).size());
        }
    }

    @Test
    void a_server_without_the_binlog_fails_the_stream_with_a_reason() throws Exception {
        // The machine's MariaDB on 3306 runs with log_bin OFF.
        Databases.assumeMariaDb();
        try (Connection db = Databases.mariadbConnection("jdbc:mariadb://127.0.0.1:3306/"); Statement statement = db.createStatement()) {
            try (ResultSet logBin = statement.executeQuery("SHOW GLOBAL VARIABLES LIKE 'log_bin'")) {
                logBin.next();
                Assumptions.assumeFalse("ON".equalsIgnoreCase(logBin.getString(2)), "this test needs a server without the binlog");
            }
            statement.execute("CREATE DATABASE IF NOT EXISTS cdc_nobinlog");
            statement.execute("CREATE TABLE IF NOT EXISTS cdc_nobinlog.things (id bigint PRIMARY KEY, name varchar(100))");
        }
        String org = Api.newOrg();
        String connection = Api.as(org).body(Map.of("provider", "mysql", "name", "no binlog",
                        "config", Map.of("host", "127.0.0.1", "port", 3306, "database", "cdc_nobinlog"),
                        "credentials", Map.of("username", "root")))
                .when().post("/v1/connections").then().statusCode(201).extract().path("id");
        String stream = createStream(org, connection, "things");
        awaitStatus(org, connection, stream, "failed");
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then()
                .body("status_reason", allOf(containsString("log_bin OFF"), containsString("binlog_format=ROW")));
    }

    @Test
    void a_user_without_replication_grants_fails_the_stream_with_the_grants_to_give() throws Exception {
        String table = table("grants");
        String user = "weft_ro_" + Long.toString(System.nanoTime(), 36);
        execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'Read-only-1'",
                // An application's user: it reads and writes the tables, nothing server-wide. (Write grants also let MariaDB
                // show it the tables' primary keys in information_schema.table_constraints, which SELECT alone does not.)
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + DATABASE + ".* TO '" + user + "'@'%'");
        String org = Api.newOrg();
        String connection = connection(org, user, "Read-only-1");
        String stream = createStream(org, connection, table);
        awaitStatus(org, connection, stream, "failed");
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then()
                .body("status_reason", allOf(containsString("REPLICATION SLAVE"), containsString("REPLICATION CLIENT"), containsString("GRANT")));
    }

    @Test
    void a_table_dropped_while_the_stream_was_paused_fails_it_on_resume_with_a_reason() throws Exception {
        String org = Api.newOrg();
        String table = table("dropped");
        String connection = connection(org, "root", null);
        String stream = createStream(org, connection, table);
        awaitStatus(org, connection, stream, "streaming");
        Api.as(org).when().post("/v1/connections/" + connection + "/streams/" + stream + "/pause").then().statusCode(200);
        awaitStatus(org, connection, stream, "paused");
        execute("DROP TABLE " + DATABASE + "." + table);
        Api.as(org).when().post("/v1/connections/" + connection + "/streams/" + stream + "/resume").then().statusCode(200);
        awaitStatus(org, connection, stream, "failed");
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then()
                .body("status_reason", containsString(table));
    }

    @Test
    void a_binlog_without_whole_rows_fails_the_stream_with_the_setting_to_change() throws Exception {
        String org = Api.newOrg();
        String statementsTable = table("statements");
        String connection = connection(org, "root", null);
        // Only new sessions see a global change; the streams of the other tests read on, unaffected. Restored at once.
        try {
            execute("SET GLOBAL binlog_format = 'STATEMENT'");
            String statements = createStream(org, connection, statementsTable);
            awaitStatus(org, connection, statements, "failed");
            Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + statements).then()
                    .body("status_reason", allOf(containsString("binlog_format=STATEMENT"), containsString("SET GLOBAL binlog_format = 'ROW'")));
            execute("SET GLOBAL binlog_format = 'ROW'", "SET GLOBAL binlog_row_image = 'MINIMAL'");
            // A connection of its own: the first one's catalog, read a moment ago, does not know the new table yet.
            String other = connection(org, "root", null);
            String minimal = createStream(org, other, table("minimal"));
            awaitStatus(org, other, minimal, "failed");
            Api.as(org).when().get("/v1/connections/" + other + "/streams/" + minimal).then()
                    .body("status_reason", allOf(containsString("binlog_row_image=MINIMAL"), containsString("FULL")));
        } finally {
            execute("SET GLOBAL binlog_format = 'ROW'", "SET GLOBAL binlog_row_image = 'FULL'");
        }
    }

    // Helpers.

    private static Connection source() throws SQLException {
        return Databases.mariadbConnection("jdbc:mariadb://127.0.0.1:" + port + "/");
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection db = source(); Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long serviceCount(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static int serviceUpdate(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             Statement statement = db.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    /** A fresh table in the source database. */
    private static String table(String prefix) {
        String table = prefix + "_" + Long.toString(System.nanoTime(), 36);
        try {
            execute("CREATE TABLE " + DATABASE + "." + table + " (id bigint PRIMARY KEY, email varchar(200) NOT NULL, status varchar(50),"
                    + " score decimal(10,2), updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return table;
    }

    private static String connection(String org, String username, String password) {
        Map<String, String> credentials = password == null ? Map.of("username", username) : Map.of("username", username, "password", password);
        return Api.as(org).body(Map.of("provider", "mysql", "name", "Customer MariaDB",
                        "config", Map.of("host", "127.0.0.1", "port", port, "database", DATABASE),
                        "credentials", credentials))
                .when().post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    private static String createStream(String org, String connection, String object) {
        return Api.as(org).body(Map.of("object", object)).when().post("/v1/connections/" + connection + "/streams").then()
                .log().ifValidationFails().statusCode(201)
                .body("status", equalTo("starting")).body("kind", equalTo("log")).extract().path("id");
    }

    private static long published(String org, String connection, String stream) {
        return ((Number) Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                .extract().path("events_published")).longValue();
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

    private static JsonNode data(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
