package dev.weft.connections.connector.postgres;

import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.ValueKind;
import dev.weft.platform.filter.FilterParser;
import dev.weft.connections.support.Databases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL INSERT batches of {@code JdbcWriter.BULK_MIN_ROWS} records or more go through COPY.
 * Each table's {@code via} column defaults to the first word of the statement that wrote the row
 * ({@code COPY} or {@code INSE}rt), so the tests see which path ran; every value must come out as
 * the INSERT path stores it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresBulkWriteTest {
    private static final Databases.Target TARGET = Databases.postgres();
    private static final String COLUMNS = "id bigint PRIMARY KEY, note text, label varchar(50), amount numeric(14,4), ratio double precision,"
            + " flag boolean, born date, seen timestamp, at timestamptz, doc jsonb, plain json, raw bytea, code uuid,"
            + " via text DEFAULT left(current_query(), 4)";
    private final String schema = "weft_bulk_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final PostgresConnector connector = new PostgresConnector();

    @BeforeAll
    void createTables() throws SQLException {
        execute("CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".copied (" + COLUMNS + ")",
                "CREATE TABLE " + schema + ".reference (" + COLUMNS + ")",
                "CREATE TABLE " + schema + ".keyed (id bigint PRIMARY KEY, name text NOT NULL UNIQUE, via text DEFAULT left(current_query(), 4))",
                "CREATE TABLE " + schema + ".pieces (id bigint PRIMARY KEY, name text NOT NULL UNIQUE, via text DEFAULT left(current_query(), 4))",
                "CREATE TABLE " + schema + ".tickets (id serial PRIMARY KEY, title text NOT NULL, via text DEFAULT left(current_query(), 4))",
                "CREATE TABLE " + schema + ".ruled (id bigint PRIMARY KEY, via text DEFAULT left(current_query(), 4))",
                "CREATE TABLE " + schema + ".ruled_log (id bigint)",
                "CREATE RULE log_insert AS ON INSERT TO " + schema + ".ruled DO ALSO INSERT INTO " + schema + ".ruled_log VALUES (NEW.id)",
                "CREATE TABLE " + schema + ".tagged (id bigint PRIMARY KEY, tags text[], via text DEFAULT left(current_query(), 4))");
    }

    @AfterAll
    void dropTables() throws SQLException {
        connector.release("conn_test");
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Test
    void insert_of_many_records_goes_through_copy_and_stores_every_value_as_insert_does() throws SQLException {
        List<Map<String, Object>> records = awkwardRecords(150);
        WriteResult copied = write("copied", WriteMode.INSERT, records);
        assertEquals(150, copied.succeeded(), String.valueOf(copied.results().stream().filter(r -> !r.success()).findFirst()));
        assertEquals("1", copied.results().getFirst().id());
        assertEquals("150", copied.results().getLast().id());
        // the reference goes below the bulk threshold, record by record: the INSERT path
        for (Map<String, Object> record : records) {
            assertEquals(1, write("reference", WriteMode.INSERT, List.of(record)).succeeded());
        }

        List<List<String>> copiedRows = rowsAsText("copied");
        List<List<String>> referenceRows = rowsAsText("reference");
        assertEquals(List.of("COPY"), via(copiedRows));
        assertEquals(List.of("INSE"), via(referenceRows));
        assertEquals(withoutVia(referenceRows), withoutVia(copiedRows));

        Map<String, Object> first = read("copied", 1);
        assertEquals("tab\there\nnew\r\nline \\ back \\N \\. \"q\" 'a' é ✓", first.get("note"));
        assertEquals("", first.get("label"));
        assertEquals(0, new BigDecimal("12345.6789").compareTo((BigDecimal) first.get("amount")));
        assertEquals(Map.of("quote", "say \"hi\"", "path", "C:\\dir\\file", "lines", "a\nb\tc", "list", List.of("x", "y\\z")), first.get("doc"));
        assertEquals("2024-03-01T10:00:00.123457Z", first.get("at"));
        assertEquals("2024-03-01T12:00:00.500001Z", first.get("seen"));
        assertEquals("1994-05-01", first.get("born"));
        assertEquals(Base64.getEncoder().encodeToString(new byte[] {0, 1, (byte) 0xff, '\\', '\t', '\n'}), first.get("raw"));
        assertEquals("2f1c4a6e-5b3d-4e2f-9a1b-0c8d7e6f5a4b", first.get("code"));
        assertEquals(true, first.get("flag"));

        Map<String, Object> nulls = read("copied", 2);
        nulls.forEach((field, value) -> {
            if (!field.equals("id") && !field.equals("via")) {
                assertNull(value, field);
            }
        });
    }

    @Test
    void a_copy_batch_with_one_duplicate_key_falls_back_and_reports_exactly_that_record() throws SQLException {
        execute("INSERT INTO " + schema + ".keyed (id, name) VALUES (1005, 'already here')");
        List<Map<String, Object>> records = new ArrayList<>();
        for (long id = 1000; id < 1200; id++) {
            records.add(record("id", id, "name", "name " + id));
        }
        WriteResult result = write("keyed", WriteMode.INSERT, records);

        for (int i = 0; i < records.size(); i++) {
            WriteResult.RecordResult outcome = result.results().get(i);
            assertEquals(i, outcome.index());
            if (i == 5) {
                assertFalse(outcome.success());
                assertTrue(outcome.error().toLowerCase().contains("duplicate"), outcome.error());
            } else {
                assertTrue(outcome.success(), outcome.error());
                assertEquals(String.valueOf(1000 + i), outcome.id());
            }
        }
        List<List<String>> rows = rowsAsText("keyed").stream().filter(r -> Long.parseLong(r.get(0)) < 2000).toList();
        assertEquals(200, rows.size());
        assertEquals("already here", rows.stream().filter(r -> r.get(0).equals("1005")).findFirst().orElseThrow().get(1));
        // after the failed COPY every record was redone by its own INSERT
        assertEquals(List.of("INSE"), rows.stream().filter(r -> !r.get(0).equals("1005")).map(r -> r.get(2)).distinct().toList());
    }

    @Test
    void a_large_copy_stores_every_row_once_and_one_row_refused_near_its_end_falls_back_alone() throws SQLException {
        // Names of about 80 characters: 3,000 rows are sent to the server in several pieces of the driver's.
        String padding = "x".repeat(70);
        List<Map<String, Object>> records = new ArrayList<>();
        for (long id = 10_000; id < 13_000; id++) {
            records.add(record("id", id, "name", "piece " + id + " " + padding));
        }
        WriteResult copied = write("pieces", WriteMode.INSERT, records);
        assertEquals(3_000, copied.succeeded(), String.valueOf(copied.results().stream().filter(r -> !r.success()).findFirst()));
        List<List<String>> rows = rowsAsText("pieces").stream().filter(r -> Long.parseLong(r.get(0)) >= 10_000 && Long.parseLong(r.get(0)) < 13_000).toList();
        assertEquals(3_000, rows.size());
        assertEquals(List.of("COPY"), via(rows));
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(List.of(String.valueOf(10_000 + i), "piece " + (10_000 + i) + " " + padding), rows.get(i).subList(0, 2));
        }

        // The same again with new ids, but the 2,990th row's name taken: the server refuses it after the earlier pieces arrived.
        List<Map<String, Object>> again = new ArrayList<>();
        for (long id = 20_000; id < 23_000; id++) {
            again.add(record("id", id, "name", "again " + id + " " + padding));
        }
        again.set(2_990, record("id", 22_990L, "name", "piece 10005 " + padding));
        WriteResult result = write("pieces", WriteMode.INSERT, again);
        assertEquals(2_999, result.succeeded());
        assertFalse(result.results().get(2_990).success());
        assertTrue(result.results().get(2_990).error().toLowerCase().contains("duplicate"), result.results().get(2_990).error());
        List<List<String>> redone = rowsAsText("pieces").stream().filter(r -> Long.parseLong(r.get(0)) >= 20_000 && Long.parseLong(r.get(0)) < 23_000).toList();
        assertEquals(2_999, redone.size());
        // Nothing of the refused COPY stayed: every row was written again by its own INSERT.
        assertEquals(List.of("INSE"), via(redone));
    }

    @Test
    void records_with_different_field_sets_and_bad_records_in_one_write_each_get_their_own_result() throws SQLException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (long id = 2000; id < 2600; id++) {
            records.add(switch ((int) (id % 3)) {
                case 0 -> record("id", id, "name", "n" + id);
                case 1 -> record("name", "n" + id, "id", id);
                default -> record("ID", id, "Name", "n" + id);
            });
        }
        records.set(10, record("id", 2010L, "name", "n2010", "colour", "red"));
        records.set(20, record("id", "twenty", "name", "n2020"));
        records.set(30, record());
        WriteResult result = write("keyed", WriteMode.INSERT, records);

        assertEquals(597, result.succeeded());
        assertEquals("keyed has no field colour", result.results().get(10).error());
        assertTrue(result.results().get(20).error().contains("field id"), result.results().get(20).error());
        assertEquals("record has no fields", result.results().get(30).error());
        assertEquals("2599", result.results().getLast().id());
        List<List<String>> rows = rowsAsText("keyed").stream().filter(r -> Long.parseLong(r.get(0)) >= 2000).toList();
        assertEquals(597, rows.size());
        // three field sets, two statements (ID/Name resolve to id/name), each large enough for COPY
        assertEquals(List.of("COPY"), via(rows));
        assertEquals("n2599", rows.getLast().get(1));
    }

    @Test
    void many_records_without_their_generated_key_are_inserted_and_report_the_new_keys() throws SQLException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            records.add(record("title", "ticket " + i));
        }
        WriteResult result = write("tickets", WriteMode.INSERT, records);
        assertEquals(150, result.succeeded());
        List<Long> ids = result.results().stream().map(r -> Long.parseLong(r.id())).toList();
        assertEquals(ids.stream().sorted().distinct().toList(), ids);
        assertEquals(List.of("INSE"), rowsAsText("tickets").stream().map(r -> r.get(2)).distinct().toList());
        assertEquals("ticket 7", connector.query(context(), new QuerySpec("tickets", List.of("title"),
                FilterParser.parse("id = " + ids.get(7)), 1, null, null)).records().getFirst().get("title"));
    }

    @Test
    void tables_with_rules_and_array_columns_are_written_by_insert() throws SQLException {
        List<Map<String, Object>> ruled = new ArrayList<>();
        List<Map<String, Object>> tagged = new ArrayList<>();
        for (long id = 1; id <= 120; id++) {
            ruled.add(record("id", id));
            tagged.add(record("id", id, "tags", List.of("a", "b\tc", "d\\e")));
        }
        assertEquals(120, write("ruled", WriteMode.INSERT, ruled).succeeded());
        assertEquals(120, write("tagged", WriteMode.INSERT, tagged).succeeded());
        assertEquals(120, rowsAsText("ruled_log").size());
        assertEquals(List.of("INSE"), rowsAsText("ruled").stream().map(r -> r.get(1)).distinct().toList());
        assertEquals(List.of("a", "b\tc", "d\\e"), read("tagged", 120).get("tags"));
    }

    @Test
    void copy_text_escapes_text_and_writes_nulls_timestamps_and_bytes_as_postgres_reads_them() {
        assertEquals("\\N", text(null, ValueKind.STRING));
        assertEquals("\\\\N", text("\\N", ValueKind.STRING));
        assertEquals("a\\tb\\nc\\rd\\\\e", text("a\tb\nc\rd\\e", ValueKind.STRING));
        assertEquals("{\"k\":\"x\\\\ny\"}", text("{\"k\":\"x\\ny\"}", ValueKind.JSON));
        assertEquals("-42", text(-42L, ValueKind.INTEGER));
        assertEquals("1.5E-7", text(new BigDecimal("1.5E-7"), ValueKind.NUMBER));
        assertEquals("t", text(true, ValueKind.BOOLEAN));
        assertEquals("0099-01-02", text(LocalDate.of(99, 1, 2), ValueKind.DATE));
        assertEquals("2024-03-01 10:00:00", text(LocalDateTime.of(2024, 3, 1, 10, 0), ValueKind.TIMESTAMP));
        assertEquals("2024-12-31 23:59:59.000001", text(LocalDateTime.of(2024, 12, 31, 23, 59, 59, 500), ValueKind.TIMESTAMP));
        assertEquals("2025-01-01 00:00:00", text(LocalDateTime.of(2024, 12, 31, 23, 59, 59, 999_999_500), ValueKind.TIMESTAMP));
        assertEquals("2024-03-01 08:00:00.050000+00",
                text(OffsetDateTime.of(2024, 3, 1, 10, 0, 0, 50_000_000, ZoneOffset.ofHours(2)), ValueKind.TIMESTAMP_TZ));
        assertEquals("\\\\x00ff0a", text(new byte[] {0, (byte) 0xff, '\n'}, ValueKind.BINARY));
        // left to the INSERT path: integers beyond a bigint, years PostgreSQL writes differently, arrays
        assertNull(text(new BigDecimal("1e30"), ValueKind.INTEGER));
        assertNull(text(LocalDate.of(10_000, 1, 1), ValueKind.DATE));
        assertNull(text(LocalDateTime.of(0, 1, 1, 0, 0), ValueKind.TIMESTAMP));
        assertNull(text(List.of("a"), ValueKind.ARRAY));
    }

    private static String text(Object value, ValueKind kind) {
        StringBuilder out = new StringBuilder();
        ColumnInfo column = new ColumnInfo("t", "c", kind, "x", true, false, false, null);
        return PostgresCopy.append(out, value, column) ? out.toString() : null;
    }

    /** Every awkward value at least once; record 2 is all nulls; the rest vary a little. */
    private static List<Map<String, Object>> awkwardRecords(int count) {
        List<Map<String, Object>> records = new ArrayList<>();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("quote", "say \"hi\"");
        doc.put("path", "C:\\dir\\file");
        doc.put("lines", "a\nb\tc");
        doc.put("list", List.of("x", "y\\z"));
        records.add(record("id", 1L, "note", "tab\there\nnew\r\nline \\ back \\N \\. \"q\" 'a' é ✓", "label", "",
                "amount", new BigDecimal("12345.6789"), "ratio", 0.1, "flag", true, "born", "1994-05-01",
                "seen", "2024-03-01T12:00:00.5000005", "at", "2024-03-01T12:00:00.1234567+02:00", "doc", doc,
                "plain", "[1, \"two\", {\"three\": null}]", "raw", Base64.getEncoder().encodeToString(new byte[] {0, 1, (byte) 0xff, '\\', '\t', '\n'}),
                "code", "2F1C4A6E-5B3D-4E2F-9A1B-0C8D7E6F5A4B"));
        Map<String, Object> nulls = new LinkedHashMap<>();
        for (String field : List.of("note", "label", "amount", "ratio", "flag", "born", "seen", "at", "doc", "plain", "raw", "code")) {
            nulls.put(field, null);
        }
        nulls.put("id", 2L);
        records.add(nulls);
        for (long id = 3; id <= count; id++) {
            records.add(record("id", id, "note", "line " + id + (id % 2 == 0 ? "\n" : "\\"), "label", "L" + id,
                    "amount", BigDecimal.valueOf(id * 7919, 3), "ratio", id / 3.0, "flag", id % 2 == 0, "born", "2000-01-01",
                    "seen", "2024-06-01 08:00:00", "at", "2024-06-01T08:00:00Z", "doc", Map.of("n", id), "plain", "\"text " + id + "\"",
                    "raw", "", "code", new UUID(id, id).toString()));
        }
        return records;
    }

    private Map<String, Object> read(String table, long id) {
        return connector.query(context(), new QuerySpec(table, List.of(), FilterParser.parse("id = " + id), 1, null, null)).records().getFirst();
    }

    private WriteResult write(String table, WriteMode mode, List<Map<String, Object>> records) {
        return connector.write(context(), new WriteSpec(table, mode, List.of(), records, null));
    }

    private ConnectorContext context() {
        return MapCredentials.context("postgres",
                Map.of("host", TARGET.host(), "port", TARGET.port(), "database", TARGET.database(), "schema", schema, "ssl_mode", "disable"),
                MapCredentials.of(Map.of("username", TARGET.username())), Map.of());
    }

    /** Every column as PostgreSQL's own text (timestamps in UTC), ordered by the first column. */
    private List<List<String>> rowsAsText(String table) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            statement.execute("SET TIME ZONE 'UTC'");
            try (ResultSet result = statement.executeQuery("SELECT * FROM " + schema + "." + table + " ORDER BY 1")) {
                ResultSetMetaData meta = result.getMetaData();
                while (result.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.add(result.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** The distinct values of the last column, {@code via}. */
    private static List<String> via(List<List<String>> rows) {
        return rows.stream().map(List::getLast).distinct().toList();
    }

    private static List<List<String>> withoutVia(List<List<String>> rows) {
        return rows.stream().map(r -> r.subList(0, r.size() - 1)).toList();
    }

    private void execute(String... statements) throws SQLException {
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(TARGET.adminUrl(), TARGET.username(), TARGET.password());
    }

    private static Map<String, Object> record(Object... keyValues) {
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            record.put((String) keyValues[i], keyValues[i + 1]);
        }
        return record;
    }
}
