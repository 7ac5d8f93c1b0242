package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Behaviour every SQL connector must show against a real server. A subclass names the server, the
 * connector and the DDL for the tables; this class creates them in a schema (database) of its own,
 * seeds them and drops everything afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class JdbcConnectorContract {
    protected final String schema = "weft_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    /** A second schema (database, on MySQL) the credentials also see, holding contacts and an orders of its own. */
    protected final String otherSchema = schema + "_raw";
    protected JdbcConnector connector;

    protected abstract JdbcConnector newConnector();

    /** A connection as an administrator, outside the connector, for set-up and checks. */
    protected abstract Connection admin() throws SQLException;

    protected abstract Map<String, Object> config();

    /** {@link #config()} with another default schema (PostgreSQL's {@code schema}, MySQL's {@code database}). */
    protected abstract Map<String, Object> configWithDefaultSchema(String defaultSchema);

    protected abstract Map<String, String> credentials();

    /** Credentials the server refuses, and the secret that must never show in the message. */
    protected abstract Map<String, String> refusedCredentials();

    /**
     * Creates the schema and tables: orders, big_orders (view), lines, changes, people, tickets, bulk;
     * and {@link #otherSchema} with contacts (id integer primary key, email varchar(200) not null,
     * name varchar(100)) and orders (id integer primary key, name varchar(100)).
     */
    protected abstract List<String> createStatements();

    protected abstract List<String> dropStatements();

    /** A table as the SQL of the tests names it: in its schema (a database, on MySQL). */
    protected String qualified(String table) {
        return schema + "." + table;
    }

    protected abstract String provider();

    protected ConnectorContext context() {
        return context(config(), credentials());
    }

    protected ConnectorContext context(Map<String, Object> config, Map<String, String> credentials) {
        return dev.weft.connections.connector.MapCredentials.context(provider(), config,
                dev.weft.connections.connector.MapCredentials.of(credentials), Map.of());
    }

    @BeforeAll
    void createTables() throws SQLException {
        connector = newConnector();
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            for (String sql : createStatements()) {
                statement.execute(sql);
            }
            try (PreparedStatement insert = admin.prepareStatement("INSERT INTO " + qualified("orders")
                    + " (name, amount, active, created, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                Object[][] orders = {
                        {"x", "50.00"}, {"x", "150.00"}, {"x", "250.00"}, {"y", "500.00"},
                        {null, "10.00"}, {"alpha", "120.00"}, {"albert", "130.00"}, {"O'Brien", "99.00"}};
                for (int i = 0; i < orders.length; i++) {
                    insert.setString(1, (String) orders[i][0]);
                    insert.setBigDecimal(2, new BigDecimal((String) orders[i][1]));
                    insert.setBoolean(3, i % 2 == 0);
                    insert.setObject(4, LocalDate.of(2024, 1, i + 1));
                    insert.setObject(5, LocalDateTime.of(2024, 1, i + 1, 10, 0));
                    insert.executeUpdate();
                }
            }
            statement.execute("INSERT INTO " + otherSchema + ".orders (id, name) VALUES (1, 'elsewhere')");
            try (PreparedStatement insert = admin.prepareStatement("INSERT INTO " + qualified("lines") + " (order_id, line, sku) VALUES (?, ?, ?)")) {
                for (int order = 5; order >= 1; order--) {
                    for (int line = 7; line >= 1; line--) {
                        insert.setInt(1, order);
                        insert.setInt(2, line);
                        insert.setString(3, "sku-" + order + "-" + line);
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            try (PreparedStatement insert = admin.prepareStatement("INSERT INTO " + qualified("changes") + " (id, label, modified_at) VALUES (?, ?, ?)")) {
                for (int id = 1; id <= 25; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, "change " + id);
                    // pairs of rows share a timestamp so batches split ties; 21..23 have none yet
                    insert.setObject(3, id >= 21 && id <= 23 ? null : LocalDateTime.of(2024, 2, 1, 0, 0).plusMinutes((26 - id) / 2));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    @AfterAll
    void dropTables() throws SQLException {
        connector.release("conn_test");
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            for (String sql : dropStatements()) {
                statement.execute(sql);
            }
        }
    }

    // ---------------------------------------------------------------- check

    @Test
    void check_succeeds_with_valid_credentials() {
        CheckResult result = connector.check(context());
        assertEquals(CheckResult.Outcome.OK, result.outcome(), result.message());
    }

    @Test
    void check_fails_with_refused_credentials_without_revealing_the_password() {
        Map<String, String> refused = refusedCredentials();
        CheckResult result = connector.check(context(config(), refused));
        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertFalse(result.message().isBlank());
        assertFalse(result.message().contains(refused.get("password")), result.message());
    }

    @Test
    void check_fails_when_the_server_is_unreachable() {
        Map<String, Object> config = new LinkedHashMap<>(config());
        config.put("port", 1);
        CheckResult result = connector.check(context(config, credentials()));
        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertFalse(result.message().isBlank());
    }

    @Test
    void pooled_calls_report_refused_credentials_and_unreachable_servers_by_kind() {
        Map<String, String> refused = refusedCredentials();
        long started = System.nanoTime();
        ConnectorException auth = assertThrows(ConnectorException.class, () -> connector.describe(context(config(), refused)));
        assertEquals(ConnectorException.Kind.AUTH, auth.kind(), auth.getMessage());
        assertFalse(auth.getMessage().contains(refused.get("password")));

        Map<String, Object> closedPort = new LinkedHashMap<>(config());
        closedPort.put("port", 1);
        ConnectorException unreachable = assertThrows(ConnectorException.class, () -> connector.describe(context(closedPort, credentials())));
        assertEquals(ConnectorException.Kind.UNREACHABLE, unreachable.kind(), unreachable.getMessage());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < 5_000, "failing fast, not after the pool's acquisition timeout: " + millis + " ms");
        connector.release("conn_test");
    }

    // ---------------------------------------------------------------- describe

    @Test
    void describe_lists_tables_and_views_with_mapped_types_keys_and_cursor_field() {
        List<ObjectSchema> objects = connector.describe(context());
        // other schemas' objects are listed too, qualified: the bare names are the default schema's
        assertEquals(Set.of("orders", "big_orders", "lines", "changes", "people", "tickets", "bulk"),
                Set.copyOf(objects.stream().map(ObjectSchema::name).filter(name -> !name.contains(".")).toList()));
        ObjectSchema orders = objects.stream().filter(o -> o.name().equals("orders")).findFirst().orElseThrow();
        assertEquals(List.of("id"), orders.primaryKey());
        assertEquals("updated_at", orders.cursorField());
        assertEquals(Set.of(WriteMode.values()), orders.writeModes());
        assertEquals("integer", type(orders, "id"));
        assertEquals("string", type(orders, "name"));
        assertEquals("number", type(orders, "amount"));
        assertEquals("boolean", type(orders, "active"));
        assertEquals("date", type(orders, "created"));
        assertEquals("datetime", type(orders, "updated_at"));
        assertEquals("object", type(orders, "payload"));
        assertTrue(orders.field("name").orElseThrow().nullable());
        assertFalse(orders.field("amount").orElseThrow().nullable());
        assertTrue(Set.of("numeric", "decimal").contains(orders.field("amount").orElseThrow().nativeType()));

        ObjectSchema lines = objects.stream().filter(o -> o.name().equals("lines")).findFirst().orElseThrow();
        assertEquals(List.of("order_id", "line"), lines.primaryKey());
        assertNull(lines.cursorField());
        ObjectSchema changes = objects.stream().filter(o -> o.name().equals("changes")).findFirst().orElseThrow();
        assertEquals("modified_at", changes.cursorField());
        ObjectSchema view = objects.stream().filter(o -> o.name().equals("big_orders")).findFirst().orElseThrow();
        assertTrue(view.writeModes().isEmpty());
        assertEquals(List.of("id", "name", "amount"), view.fieldNames());
    }

    @Test
    void describe_names_other_schemas_tables_schema_qualified_and_the_default_schemas_bare() {
        List<String> names = connector.describe(context()).stream().map(ObjectSchema::name).toList();
        assertTrue(names.containsAll(List.of("orders", otherSchema + ".contacts", otherSchema + ".orders")), String.valueOf(names));
        assertFalse(names.contains(schema + ".orders"), "the default schema's tables keep their bare names");
        int lastBare = -1;
        int firstQualified = names.size();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).contains(".")) {
                firstQualified = Math.min(firstQualified, i);
            } else {
                lastBare = i;
            }
        }
        assertTrue(lastBare < firstQualified, "the default schema's objects come first: " + names);
        assertTrue(names.stream().noneMatch(n -> n.startsWith("information_schema.") || n.startsWith("pg_catalog.")
                || n.startsWith("mysql.") || n.startsWith("performance_schema.") || n.startsWith("sys.")), "no system schema is listed");
        ObjectSchema contacts = connector.describe(context()).stream().filter(o -> o.name().equals(otherSchema + ".contacts")).findFirst().orElseThrow();
        assertEquals(List.of("id", "email", "name"), contacts.fieldNames());
        assertEquals(List.of("id"), contacts.primaryKey());
        assertEquals(Set.of(WriteMode.values()), contacts.writeModes());

        // with the other schema as the default, the names swap
        List<String> swapped = connector.describe(context(configWithDefaultSchema(otherSchema), credentials())).stream().map(ObjectSchema::name).toList();
        assertTrue(swapped.containsAll(List.of("contacts", "orders", schema + ".orders", schema + ".lines")), String.valueOf(swapped));
        assertFalse(swapped.contains(otherSchema + ".contacts"));
        connector.release("conn_test");
    }

    @Test
    void the_default_schemas_tables_answer_to_bare_and_qualified_names_in_any_case() {
        assertEquals(List.of(1L), ids("orders", "id = 1"));
        assertEquals(List.of(1L), ids(schema + ".orders", "id = 1"));
        assertEquals(List.of(1L), ids(schema.toUpperCase() + ".ORDERS", "id = 1"));
        assertEquals(List.of(6L, 7L), ids(schema + ".orders", "name LIKE 'al%'"));
        RecordPage lines = connector.read(context(), new ReadSpec(schema + ".lines", List.of("sku"), null, 30, null));
        assertEquals(30, lines.records().size());
        // the other schema's orders is another table: one row
        assertEquals(List.of(1L), ids(otherSchema + ".orders", null));
        assertEquals("elsewhere", query(otherSchema + ".orders", null, List.of("name"), 10, null).records().getFirst().get("name"));
    }

    @Test
    void another_schemas_table_is_queried_read_and_written_by_its_qualified_name() throws SQLException {
        String contacts = otherSchema + ".contacts";
        WriteResult inserted = connector.write(context(), new WriteSpec(contacts, WriteMode.INSERT, List.of(),
                List.of(record("id", 1, "email", "ada@example.com", "name", "Ada"), record("id", 2, "email", "alan@example.com", "name", "Alan")), null));
        assertEquals(2, inserted.succeeded(), String.valueOf(inserted.results()));
        WriteResult upserted = connector.write(context(), new WriteSpec(contacts, WriteMode.UPSERT, List.of("id"),
                List.of(record("id", 2, "email", "alan@example.com", "name", "Alan T."), record("id", 3, "email", "grace@example.com")), null));
        assertEquals(2, upserted.succeeded(), String.valueOf(upserted.results()));
        WriteResult deleted = connector.write(context(), new WriteSpec(contacts.toUpperCase(), WriteMode.DELETE, List.of(),
                List.of(record("id", 1)), null));
        assertEquals(1, deleted.succeeded(), String.valueOf(deleted.results()));

        assertEquals(List.of(2L, 3L), ids(contacts, "email LIKE '%@example.com'"));
        assertEquals("Alan T.", query(contacts, "id = 2", List.of("name"), 1, null).records().getFirst().get("name"));
        RecordPage read = connector.read(context(), new ReadSpec(contacts, List.of("id", "email"), null, 10, null));
        assertEquals(List.of(2L, 3L), read.records().stream().map(r -> r.get("id")).toList());
        try (Connection admin = admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + otherSchema + ".contacts")) {
            rows.next();
            assertEquals(2, rows.getLong(1), "the rows landed in the other schema's table");
        }
        ConnectorException unknownField = assertThrows(ConnectorException.class, () -> query(contacts, "phone = '1'", List.of(), 10, null));
        assertEquals(ConnectorException.Kind.INVALID, unknownField.kind());
    }

    @Test
    void unknown_schemas_and_tables_and_names_carrying_sql_are_refused_and_run_nothing() throws SQLException {
        for (String name : List.of("no_such_schema.orders", otherSchema + ".no_such_table", "no_such_table", otherSchema + ".",
                "." + "orders", schema + ".orders; DROP TABLE " + otherSchema + ".contacts",
                otherSchema + ".contacts; DROP TABLE " + otherSchema + ".contacts; --",
                otherSchema + "\".\"contacts", otherSchema + "`.`contacts", schema + ".orders\"; DROP TABLE " + otherSchema + ".orders; --")) {
            ConnectorException refused = assertThrows(ConnectorException.class, () -> query(name, null, List.of(), 10, null), name);
            assertEquals(ConnectorException.Kind.INVALID, refused.kind(), name);
            assertEquals("object", refused.details().get("field"), name);
            assertTrue(refused.getMessage().contains(name), refused.getMessage());
            assertThrows(ConnectorException.class, () -> connector.write(context(), new WriteSpec(name, WriteMode.INSERT, List.of(),
                    List.of(record("id", 9)), null)), name);
        }
        try (Connection admin = admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT (SELECT count(*) FROM " + otherSchema + ".orders), (SELECT count(*) FROM "
                     + qualified("orders") + ")")) {
            rows.next();
            assertEquals(1, rows.getLong(1));
            assertEquals(8, rows.getLong(2));
        }
    }

    private static String type(ObjectSchema schema, String field) {
        return schema.field(field).map(FieldSchema::type).orElseThrow();
    }

    // ---------------------------------------------------------------- query

    @Test
    void query_filters_by_string_equality_and_numeric_comparison() {
        RecordPage page = query("orders", "name = 'x' AND amount > 100", List.of("id", "name", "amount"), 50, null);
        assertEquals(List.of(2L, 3L), field(page, "id"));
        assertEquals(List.of("id", "name", "amount"), List.copyOf(page.records().getFirst().keySet()));
        assertEquals(0, new BigDecimal("150").compareTo((BigDecimal) page.records().getFirst().get("amount")));
        assertFalse(page.hasMore());
        assertNull(page.nextCursor());
    }

    @Test
    void query_supports_in_like_is_null_and_not() {
        assertEquals(List.of(4L, 6L), ids("orders", "name IN ('y', 'alpha')"));
        // (FilterParser refuses "name NOT IN (...) AND ..." in that order; the reverse parses)
        assertEquals(List.of(6L, 7L, 8L), ids("orders", "name IS NOT NULL AND name NOT IN ('x', 'y')"));
        assertEquals(List.of(6L, 7L), ids("orders", "name LIKE 'al%'"));
        assertEquals(List.of(5L), ids("orders", "name IS NULL"));
        assertEquals(List.of(4L, 6L, 7L, 8L), ids("orders", "NOT (name = 'x') AND name IS NOT NULL"));
        assertEquals(List.of(1L, 2L, 3L, 4L), ids("orders", "name = 'x' OR amount BETWEEN 495 AND 505"));
        assertEquals(List.of(8L), ids("orders", "name = 'O''Brien'"));
    }

    @Test
    void query_converts_literals_to_the_column_types() {
        // a date string against a timestamp column, a string against an integer key, a number against a boolean-ish text
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L), ids("orders", "updated_at >= '2024-01-03'"));
        assertEquals(List.of(1L), ids("orders", "updated_at < '2024-01-02T10:00:00Z'"));
        assertEquals(List.of(3L), ids("orders", "id = '3'"));
        assertEquals(List.of(2L), ids("orders", "created = '2024-01-02'"));
        assertEquals(List.of(3L, 7L), ids("orders", "active = true AND amount >= 120.5"));
        assertEquals(List.of(1L, 4L), ids("orders", "amount LIKE '5%'"));
        RecordPage first = query("orders", "id = 1", List.of(), 10, null);
        assertEquals("2024-01-01T10:00:00Z", first.records().getFirst().get("updated_at"));
        assertEquals("2024-01-01", first.records().getFirst().get("created"));
        assertEquals(true, first.records().getFirst().get("active"));
        ConnectorException badValue = assertThrows(ConnectorException.class, () -> ids("orders", "amount > 'lots'"));
        assertEquals(ConnectorException.Kind.INVALID, badValue.kind());
    }

    @Test
    void query_pages_by_composite_key_without_duplicates_or_gaps() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RecordPage page = query("lines", null, List.of("sku"), 4, cursor);
            page.records().forEach(r -> seen.add((String) r.get("sku")));
            page.records().forEach(r -> assertEquals(Set.of("sku"), r.keySet()));
            cursor = page.nextCursor();
            assertEquals(!page.hasMore(), cursor == null);
            pages++;
        } while (cursor != null && pages < 20);
        List<String> expected = new ArrayList<>();
        for (int order = 1; order <= 5; order++) {
            for (int line = 1; line <= 7; line++) {
                expected.add("sku-" + order + "-" + line);
            }
        }
        assertEquals(expected, seen);
        assertEquals(9, pages);
    }

    @Test
    void query_pages_a_filtered_result_and_refuses_a_foreign_cursor() {
        RecordPage first = query("orders", "amount > 60", List.of("id"), 3, null);
        assertEquals(List.of(2L, 3L, 4L), first.records().stream().map(r -> r.get("id")).toList());
        assertTrue(first.hasMore());
        RecordPage second = query("orders", "amount > 60", List.of("id"), 3, first.nextCursor());
        assertEquals(List.of(6L, 7L, 8L), second.records().stream().map(r -> r.get("id")).toList());
        assertFalse(second.hasMore());
        ConnectorException foreign = assertThrows(ConnectorException.class, () -> query("orders", null, List.of(), 3, "not-a-cursor"));
        assertEquals(ConnectorException.Kind.INVALID, foreign.kind());
        assertEquals("cursor", foreign.details().get("field"));
    }

    @Test
    void hostile_filter_values_and_names_are_never_sql() throws SQLException {
        String hostile = "name = 'x''; DROP TABLE " + qualified("orders") + "; --'";
        assertEquals(List.of(), ids("orders", hostile));
        assertEquals(List.of(), ids("orders", "name LIKE '%'' OR ''1''=''1'"));
        assertThrows(ConnectorException.class, () -> query("orders\"; DROP TABLE orders; --", null, List.of(), 10, null));
        assertThrows(ConnectorException.class, () -> query("orders", null, List.of("name`; DROP TABLE orders; --"), 10, null));
        try (Connection admin = admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + qualified("orders"))) {
            rows.next();
            assertEquals(8, rows.getLong(1));
        }
    }

    private static List<Object> field(RecordPage page, String field) {
        return page.records().stream().map(r -> r.get(field)).toList();
    }

    private List<Object> ids(String object, String filter) {
        return query(object, filter, List.of("id"), 100, null).records().stream().map(r -> r.get("id")).toList();
    }

    protected RecordPage query(String object, String filter, List<String> fields, int limit, String cursor) {
        return connector.query(context(), new QuerySpec(object, fields, FilterParser.parse(filter), limit, cursor, null));
    }

    // ---------------------------------------------------------------- incremental read

    @Test
    void read_follows_the_cursor_field_across_batches_and_keeps_the_high_water_mark() throws SQLException {
        List<Object> seen = new ArrayList<>();
        String cursor = null;
        RecordPage page;
        int batches = 0;
        do {
            page = connector.read(context(), new ReadSpec("changes", List.of("id", "modified_at"), cursor, 4, null));
            page.records().forEach(r -> seen.add(r.get("id")));
            assertNotNull(page.nextCursor());
            cursor = page.nextCursor();
            batches++;
        } while (page.hasMore() && batches < 20);
        // rows without a timestamp first (by key), then oldest change first, ties ordered by key
        List<Long> expected = new ArrayList<>(List.of(21L, 22L, 23L));
        java.util.stream.LongStream.rangeClosed(1, 25).filter(id -> id < 21 || id > 23).boxed()
                .sorted(java.util.Comparator.comparingLong((Long id) -> (26 - id) / 2).thenComparingLong(id -> id))
                .forEach(expected::add);
        assertEquals(expected, seen);
        assertEquals(7, batches);

        RecordPage empty = connector.read(context(), new ReadSpec("changes", List.of(), cursor, 4, null));
        assertTrue(empty.records().isEmpty());
        assertFalse(empty.hasMore());
        assertEquals(cursor, empty.nextCursor());

        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            statement.executeUpdate("UPDATE " + qualified("changes") + " SET modified_at = '2030-01-01 00:00:00' WHERE id = 7");
        }
        RecordPage changed = connector.read(context(), new ReadSpec("changes", List.of(), cursor, 4, null));
        assertEquals(List.of(7L), changed.records().stream().map(r -> r.get("id")).toList());
        assertEquals("2030-01-01T00:00:00Z", changed.records().getFirst().get("modified_at"));
        assertNotEquals(cursor, changed.nextCursor());
    }

    @Test
    void read_without_a_cursor_field_follows_the_primary_key() {
        RecordPage first = connector.read(context(), new ReadSpec("lines", List.of("sku"), null, 30, null));
        assertEquals(30, first.records().size());
        assertTrue(first.hasMore());
        RecordPage rest = connector.read(context(), new ReadSpec("lines", List.of("sku"), first.nextCursor(), 30, null));
        assertEquals(5, rest.records().size());
        assertEquals("sku-5-7", rest.records().getLast().get("sku"));
        RecordPage none = connector.read(context(), new ReadSpec("lines", List.of("sku"), rest.nextCursor(), 30, null));
        assertTrue(none.records().isEmpty());
        assertEquals(rest.nextCursor(), none.nextCursor());
    }

    // ---------------------------------------------------------------- write

    @Test
    void write_inserts_updates_upserts_and_deletes_with_a_result_per_record() throws SQLException {
        WriteResult inserted = write("people", WriteMode.INSERT, List.of(
                record("id", 1, "email", "a@example.com", "age", 30, "born", "1994-05-01", "profile", Map.of("tier", "gold"),
                        "seen_at", "2024-03-01T12:00:00+02:00"),
                record("id", 2, "email", "b@example.com"),
                record("id", 3, "email", "c@example.com", "age", "41")));
        assertTrue(inserted.results().stream().map(WriteResult.RecordResult::success).toList().stream().allMatch(v -> v.equals(true)), String.valueOf(inserted.results()));
        assertEquals(List.of("1", "2", "3"), inserted.results().stream().map(WriteResult.RecordResult::id).toList());

        WriteResult updated = write("people", WriteMode.UPDATE, List.of(record("id", 2, "age", 22), record("id", 99, "age", 1)));
        assertTrue(updated.results().get(0).success());
        assertFalse(updated.results().get(1).success());
        assertTrue(updated.results().get(1).error().contains("99"), updated.results().get(1).error());

        WriteResult upserted = write("people", WriteMode.UPSERT, List.of(
                record("id", 3, "email", "c2@example.com", "age", 42), record("id", 4, "email", "d@example.com", "age", 18)));
        assertEquals(List.of("3", "4"), upserted.results().stream().map(WriteResult.RecordResult::id).toList());
        assertEquals(2, upserted.succeeded());

        WriteResult deleted = write("people", WriteMode.DELETE, List.of(record("id", 1), record("id", 42)));
        assertEquals(WriteResult.RecordResult.ok(0, "1"), deleted.results().get(0));
        assertFalse(deleted.results().get(1).success());

        Map<Object, Map<String, Object>> people = new LinkedHashMap<>();
        connector.read(context(), new ReadSpec("people", List.of(), null, 100, null)).records()
                .stream().filter(r -> ((Long) r.get("id")) < 100).forEach(r -> people.put(r.get("id"), r));
        assertEquals(List.of(2L, 3L, 4L), List.copyOf(people.keySet()));
        assertEquals(22L, people.get(2L).get("age"));
        assertEquals("c2@example.com", people.get(3L).get("email"));
        assertEquals(42L, people.get(3L).get("age"));
        assertEquals(18L, people.get(4L).get("age"));

        write("people", WriteMode.INSERT, List.of(record("id", 50, "email", "typed@example.com", "born", "1994-05-01",
                "profile", Map.of("tier", "gold", "tags", List.of("a", "b")), "seen_at", "2024-03-01T12:00:00+02:00")));
        Map<String, Object> typed = query("people", "id = 50", List.of(), 1, null).records().getFirst();
        assertEquals("1994-05-01", typed.get("born"));
        assertEquals("2024-03-01T10:00:00Z", typed.get("seen_at"));
        assertEquals(Map.of("tier", "gold", "tags", List.of("a", "b")), typed.get("profile"));
    }

    @Test
    void write_batch_with_a_bad_record_keeps_the_good_ones_and_reports_the_database_error() throws SQLException {
        WriteResult result = write("people", WriteMode.INSERT, List.of(
                record("id", 101, "email", "e101@example.com", "age", 1),
                record("id", 102, "email", "e101@example.com"),
                record("id", 103, "email", "e103@example.com", "age", "not a number"),
                record("id", 104, "email", "e104@example.com", "age", 4)));
        assertEquals(List.of(true, false, false, true), result.results().stream().map(WriteResult.RecordResult::success).toList());
        assertTrue(result.results().get(1).error().toLowerCase().contains("duplicate"), result.results().get(1).error());
        assertTrue(result.results().get(2).error().contains("age"), result.results().get(2).error());
        assertEquals("104", result.results().get(3).id());
        try (Connection admin = admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM " + qualified("people") + " WHERE id > 100 AND id < 200 ORDER BY id")) {
            List<Long> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
            assertEquals(List.of(101L, 104L), List.copyOf(ids));
        }
    }

    @Test
    void write_insert_returns_generated_keys() {
        WriteResult result = write("tickets", WriteMode.INSERT, List.of(record("title", "one"), record("title", "two"), record("title", "three")));
        assertEquals(3, result.succeeded());
        List<Long> ids = result.results().stream().map(r -> Long.parseLong(r.id())).toList();
        assertEquals(ids.stream().sorted().distinct().toList(), ids);
        Map<String, Object> second = query("tickets", "id = " + ids.get(1), List.of(), 1, null).records().getFirst();
        assertEquals("two", second.get("title"));
    }

    @Test
    void bulk_write_of_ten_thousand_records_reads_back_completely() throws SQLException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 1; i <= 10_000; i++) {
            records.add(record("id", i, "name", "row " + i, "amount", new BigDecimal(i).movePointLeft(2),
                    "updated_at", "2024-06-01T00:00:00Z"));
        }
        long started = System.nanoTime();
        WriteResult result = write("bulk", WriteMode.INSERT, records);
        long writeMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(10_000, result.succeeded());
        assertEquals("10000", result.results().getLast().id());

        started = System.nanoTime();
        Set<Object> ids = new HashSet<>();
        String cursor = null;
        RecordPage page;
        do {
            page = connector.read(context(), new ReadSpec("bulk", List.of("id", "name"), cursor, 10_000, null));
            page.records().forEach(r -> ids.add(r.get("id")));
            cursor = page.nextCursor();
        } while (page.hasMore());
        long readMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(10_000, ids.size());
        try (Connection admin = admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*), sum(amount) FROM " + qualified("bulk"))) {
            rows.next();
            assertEquals(10_000, rows.getLong(1));
            assertEquals(0, new BigDecimal("500050.00").compareTo(rows.getBigDecimal(2)));
        }
        System.out.printf("provider=%s bulk_write_ms=%d bulk_read_ms=%d%n", provider(), writeMillis, readMillis);
        // No bound on the times: speed is bench/connectors' to show, and a loaded machine must not fail this test.
    }

    @Test
    void release_drops_the_pool_and_the_next_call_opens_a_new_one() {
        assertEquals(List.of(1L), ids("orders", "id = 1"));
        connector.release("conn_test");
        assertEquals(List.of(2L), ids("orders", "id = 2"));
    }

    protected WriteResult write(String object, WriteMode mode, List<Map<String, Object>> records) {
        return connector.write(context(), new WriteSpec(object, mode, List.of(), records, null));
    }

    protected static Map<String, Object> record(Object... keyValues) {
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            record.put((String) keyValues[i], value instanceof Integer n ? n.longValue() : value);
        }
        return record;
    }
}
