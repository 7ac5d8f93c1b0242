package dev.weft.bench.connectors;

import dev.weft.connections.connector.ConnectionCredentials;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.postgres.PostgresConnector;
import dev.weft.testing.infra.PostgresServer;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Records/s of the PostgreSQL connector (through the SPI, as the data API calls it) beside plain
 * JDBC doing the same work on the same server in the same run: batch writes against COPY and a
 * batched INSERT (and the same upsert), paged query and incremental read against one streaming SELECT. One warm-up
 * round of {@link #WARMUP_ROWS}, then {@link #REPETITIONS} rounds of {@link #ROWS}; each round runs
 * every measure once (interleaved, so load on the shared machine hits all alike) and the report
 * gives medians. Writes its table to target/connectors-benchmark.md.
 */
class PostgresConnectorBenchmark {
    private static final int ROWS = Integer.getInteger("bench.rows", 100_000);
    private static final int WARMUP_ROWS = Integer.getInteger("bench.warmup-rows", 50_000);
    private static final int REPETITIONS = Integer.getInteger("bench.repetitions", 3);
    private static final int WRITE_BATCH = 10_000;
    private static final int QUERY_PAGE = 1_000;
    private static final int READ_BATCH = 10_000;
    private static final int FETCH_SIZE = 10_000;
    /** A read of 100k rows takes a tenth of a second: each read measure pages through the table this many times. */
    private static final int READ_PASSES = Integer.getInteger("bench.read-passes", 5);
    private static final String TABLE = "bench_rows";
    private static final String COLUMNS = "id, name, region, amount, updated_at";
    private static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)";
    private static final String UPSERT = INSERT + " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region,"
            + " amount = EXCLUDED.amount, updated_at = EXCLUDED.updated_at";
    private static final List<String> REGIONS = List.of("emea", "amer", "apac", "latam", "nordics", "dach", "benelux", "anz");

    /** The measures, in report order. */
    enum Measure {
        CONNECTOR_INSERT("connector `write`, INSERT"),
        CONNECTOR_UPSERT_NEW("connector `write`, UPSERT on id, new rows"),
        CONNECTOR_UPSERT_EXISTING("connector `write`, UPSERT on id, every row exists (updates)"),
        JDBC_COPY("plain JDBC `COPY ... FROM STDIN` (CopyManager, CSV)"),
        JDBC_BATCH("plain JDBC `PreparedStatement` batch INSERT, reWriteBatchedInserts=true"),
        JDBC_UPSERT_NEW("plain JDBC batch `INSERT ... ON CONFLICT (id) DO UPDATE`, new rows"),
        JDBC_UPSERT_EXISTING("plain JDBC batch `INSERT ... ON CONFLICT (id) DO UPDATE`, every row exists"),
        CONNECTOR_QUERY("connector `query`, pages of 1,000, keyset cursor"),
        CONNECTOR_READ("connector `read`, batches of 10,000 (cursor updated_at, id)"),
        JDBC_SELECT("plain JDBC `SELECT`, fetchSize 10,000, rows into Map records"),
        // two diagnostics that split the gap between connector reads and the plain SELECT
        JDBC_KEYSET_PAGES("diagnostic: plain JDBC keyset pages of 1,000 (`WHERE id > ? ORDER BY id LIMIT 1000`)"),
        JDBC_SELECT_RECORD_VALUES("diagnostic: plain JDBC `SELECT`, values as the SPI's records need them (timestamp as RFC 3339 string)");

        final String label;

        Measure(String label) {
            this.label = label;
        }
    }

    private record Database(String adminUrl, String host, int port, String user, String password, AutoCloseable embedded) {
    }

    @Test
    void postgres_connector_against_plain_jdbc() throws Exception {
        Database server = server();
        String database = "bench_connectors_" + Long.toString(System.currentTimeMillis(), 36);
        try (Connection admin = DriverManager.getConnection(server.adminUrl(), server.user(), server.password());
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        String loadBefore = loadAverage();
        try {
            Bench bench = new Bench(server, database);
            try (bench) {
                bench.createTable();
                bench.round(records(WARMUP_ROWS), null);
                Map<Measure, List<Double>> rates = new LinkedHashMap<>();
                List<Map<String, Object>> records = records(ROWS);
                for (int i = 0; i < REPETITIONS; i++) {
                    bench.round(records, rates);
                }
                String report = report(rates, bench.serverVersion(), loadBefore, loadAverage(), server.embedded() != null);
                System.out.println(report);
                write(report);
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(server.adminUrl(), server.user(), server.password());
                 Statement statement = admin.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            if (server.embedded() != null) {
                server.embedded().close();
            }
        }
    }

    /** One connection's worth of state: the connector and its context, and a plain JDBC connection to the same database. */
    private static final class Bench implements AutoCloseable {
        private final PostgresConnector connector = new PostgresConnector();
        private final ConnectorContext context;
        private final Connection jdbc;

        Bench(Database server, String database) throws SQLException {
            context = new ConnectorContext("conn_bench", "org_bench", "postgres",
                    Map.of("host", server.host(), "port", server.port(), "database", database, "schema", "public", "ssl_mode", "disable"),
                    new DatabaseCredentials(server.user(), server.password()), Map.of());
            Properties properties = new Properties();
            properties.setProperty("user", server.user());
            if (server.password() != null && !server.password().isEmpty()) {
                properties.setProperty("password", server.password());
            }
            properties.setProperty("reWriteBatchedInserts", "true");
            properties.setProperty("sslmode", "disable");
            jdbc = DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database, properties);
        }

        void createTable() throws SQLException {
            try (Statement statement = jdbc.createStatement()) {
                statement.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, name text, region text, amount numeric(12,2), updated_at timestamptz)");
                // what an incrementally synced table has: the read's ORDER BY (updated_at, id) walks it
                statement.execute("CREATE INDEX bench_rows_updated_at ON " + TABLE + " (updated_at, id)");
            }
        }

        String serverVersion() throws SQLException {
            try (Statement statement = jdbc.createStatement(); ResultSet rows = statement.executeQuery("SHOW server_version")) {
                rows.next();
                return rows.getString(1);
            }
        }

        /** Every measure once over {@code records}; rates go to {@code rates} unless this is the warm-up (null). */
        void round(List<Map<String, Object>> records, Map<Measure, List<Double>> rates) throws Exception {
            int n = records.size();
            ObjectSchema schema = connector.describe(context).stream().filter(o -> o.name().equals(TABLE)).findFirst().orElseThrow();

            truncate();
            record(rates, Measure.CONNECTOR_INSERT, n, time(() -> connectorWrite(records, WriteMode.INSERT, schema)));
            truncate();
            record(rates, Measure.JDBC_COPY, n, time(() -> copy(records)));
            truncate();
            record(rates, Measure.JDBC_BATCH, n, time(() -> batch(records, INSERT)));
            truncate();
            record(rates, Measure.CONNECTOR_UPSERT_NEW, n, time(() -> connectorWrite(records, WriteMode.UPSERT, schema)));
            vacuum();
            record(rates, Measure.CONNECTOR_UPSERT_EXISTING, n, time(() -> connectorWrite(records, WriteMode.UPSERT, schema)));
            truncate();
            record(rates, Measure.JDBC_UPSERT_NEW, n, time(() -> batch(records, UPSERT)));
            vacuum();
            record(rates, Measure.JDBC_UPSERT_EXISTING, n, time(() -> batch(records, UPSERT)));
            assertEquals(n, count(), "rows in the table after the writes");

            vacuum();
            int read = n * READ_PASSES;
            record(rates, Measure.CONNECTOR_QUERY, read, time(() -> passes(n, "rows paged by query", () -> connectorQuery(schema))));
            record(rates, Measure.CONNECTOR_READ, read, time(() -> passes(n, "rows read incrementally", () -> connectorRead(schema))));
            record(rates, Measure.JDBC_SELECT, read, time(() -> passes(n, "rows selected", () -> plainSelect(false))));
            record(rates, Measure.JDBC_KEYSET_PAGES, read, time(() -> passes(n, "rows paged", this::keysetPages)));
            record(rates, Measure.JDBC_SELECT_RECORD_VALUES, read, time(() -> passes(n, "rows selected", () -> plainSelect(true))));
        }

        private static void passes(int expected, String what, ReadPass pass) throws Exception {
            for (int i = 0; i < READ_PASSES; i++) {
                assertEquals(expected, pass.rows(), what);
            }
        }

        private void connectorWrite(List<Map<String, Object>> records, WriteMode mode, ObjectSchema schema) {
            for (int from = 0; from < records.size(); from += WRITE_BATCH) {
                List<Map<String, Object>> batch = records.subList(from, Math.min(records.size(), from + WRITE_BATCH));
                WriteResult result = connector.write(context, new WriteSpec(TABLE, mode, List.of("id"), batch, schema));
                assertEquals(batch.size(), result.succeeded(), () -> "records written; first failure: "
                        + result.results().stream().filter(r -> !r.success()).findFirst().map(WriteResult.RecordResult::error).orElse(""));
            }
        }

        /** COPY of the same records, one COPY (and commit) per batch like the connector's write calls. */
        private void copy(List<Map<String, Object>> records) throws SQLException, IOException {
            CopyManager copy = jdbc.unwrap(PGConnection.class).getCopyAPI();
            for (int from = 0; from < records.size(); from += WRITE_BATCH) {
                StringBuilder csv = new StringBuilder(WRITE_BATCH * 64);
                for (Map<String, Object> record : records.subList(from, Math.min(records.size(), from + WRITE_BATCH))) {
                    csv.append(record.get("id")).append(',')
                            .append(csvText(record.get("name"))).append(',')
                            .append(csvText(record.get("region"))).append(',')
                            .append(((BigDecimal) record.get("amount")).toPlainString()).append(',')
                            .append(record.get("updated_at")).append('\n');
                }
                copy.copyIn("COPY " + TABLE + " (" + COLUMNS + ") FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
            }
        }

        /** The same records bound by hand to {@code sql}, one executeBatch and commit per batch. */
        private void batch(List<Map<String, Object>> records, String sql) throws SQLException {
            jdbc.setAutoCommit(false);
            try (PreparedStatement insert = jdbc.prepareStatement(sql)) {
                for (int from = 0; from < records.size(); from += WRITE_BATCH) {
                    for (Map<String, Object> record : records.subList(from, Math.min(records.size(), from + WRITE_BATCH))) {
                        insert.setLong(1, (Long) record.get("id"));
                        insert.setString(2, (String) record.get("name"));
                        insert.setString(3, (String) record.get("region"));
                        insert.setBigDecimal(4, (BigDecimal) record.get("amount"));
                        insert.setObject(5, OffsetDateTime.parse((String) record.get("updated_at")));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    jdbc.commit();
                }
            } finally {
                jdbc.setAutoCommit(true);
            }
        }

        private int connectorQuery(ObjectSchema schema) {
            int rows = 0;
            String cursor = null;
            do {
                RecordPage page = connector.query(context, new QuerySpec(TABLE, List.of(), null, QUERY_PAGE, cursor, schema));
                rows += page.records().size();
                cursor = page.hasMore() ? page.nextCursor() : null;
            } while (cursor != null);
            return rows;
        }

        private int connectorRead(ObjectSchema schema) {
            int rows = 0;
            String cursor = null;
            RecordPage page;
            do {
                page = connector.read(context, new ReadSpec(TABLE, List.of(), cursor, READ_BATCH, schema));
                rows += page.records().size();
                cursor = page.nextCursor();
            } while (page.hasMore());
            return rows;
        }

        /**
         * The limit for reading: one statement streaming every row, each into a Map the generic way
         * (getObject) or, with {@code recordValues}, with the value types a connector must return.
         */
        private int plainSelect(boolean recordValues) throws SQLException {
            List<Map<String, Object>> sink = new ArrayList<>(READ_BATCH);
            int rows = 0;
            jdbc.setAutoCommit(false);
            try (PreparedStatement select = jdbc.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE)) {
                select.setFetchSize(FETCH_SIZE);
                try (ResultSet result = select.executeQuery()) {
                    ResultSetMetaData meta = result.getMetaData();
                    int columns = meta.getColumnCount();
                    String[] names = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        names[i] = meta.getColumnLabel(i + 1);
                    }
                    while (result.next()) {
                        sink.add(recordValues ? recordValues(result) : generic(result, names));
                        rows++;
                        // hand over a batch the size the connector's read returns, so both hold as many records at once
                        if (sink.size() == READ_BATCH) {
                            sink.clear();
                        }
                    }
                }
            } finally {
                jdbc.rollback();
                jdbc.setAutoCommit(true);
            }
            return rows;
        }

        /** What the connector's query does minus the connector: the same keyset pages, autocommit, one statement per page. */
        private int keysetPages() throws SQLException {
            int rows = 0;
            long after = Long.MIN_VALUE;
            try (PreparedStatement page = jdbc.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE id > ? ORDER BY id LIMIT " + QUERY_PAGE)) {
                String[] names = COLUMNS.split(", ");
                int fetched;
                do {
                    page.setLong(1, after);
                    List<Map<String, Object>> records = new ArrayList<>(QUERY_PAGE);
                    try (ResultSet result = page.executeQuery()) {
                        while (result.next()) {
                            records.add(generic(result, names));
                        }
                    }
                    fetched = records.size();
                    rows += fetched;
                    if (fetched > 0) {
                        after = (Long) records.getLast().get("id");
                    }
                } while (fetched == QUERY_PAGE);
            }
            return rows;
        }

        private static Map<String, Object> generic(ResultSet result, String[] names) throws SQLException {
            Map<String, Object> record = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                record.put(names[i], result.getObject(i + 1));
            }
            return record;
        }

        /** Each column read once with its own getter; the timestamp as an RFC 3339 UTC string, as records carry it. */
        private static Map<String, Object> recordValues(ResultSet result) throws SQLException {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", result.getLong(1));
            record.put("name", result.getString(2));
            record.put("region", result.getString(3));
            record.put("amount", result.getBigDecimal(4));
            OffsetDateTime updated = result.getObject(5, OffsetDateTime.class);
            record.put("updated_at", updated == null ? null : updated.toInstant().toString());
            return record;
        }

        private void truncate() throws SQLException {
            try (Statement statement = jdbc.createStatement()) {
                statement.execute("TRUNCATE " + TABLE);
            }
        }

        private void vacuum() throws SQLException {
            try (Statement statement = jdbc.createStatement()) {
                statement.execute("VACUUM ANALYZE " + TABLE);
            }
        }

        private long count() throws SQLException {
            try (Statement statement = jdbc.createStatement(); ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + TABLE)) {
                rows.next();
                return rows.getLong(1);
            }
        }

        @Override
        public void close() throws SQLException {
            connector.release(context.connectionId());
            jdbc.close();
        }
    }

    /** Credentials a database connection stores: a username and a password (empty under trust auth). */
    private record DatabaseCredentials(String username, String password) implements ConnectionCredentials {
        @Override
        public Optional<String> get(String field) {
            return switch (field) {
                case "username" -> Optional.of(username);
                case "password" -> Optional.ofNullable(password);
                default -> Optional.empty();
            };
        }

        @Override
        public java.util.Set<String> fieldNames() {
            return password == null ? java.util.Set.of("username") : java.util.Set.of("username", "password");
        }

        @Override
        public String accessToken() {
            throw ConnectorException.auth("a database connection has no access token");
        }

        @Override
        public String refreshAccessToken(String rejected) {
            throw ConnectorException.auth("a database connection has no access token");
        }
    }

    @FunctionalInterface
    private interface ReadPass {
        int rows() throws Exception;
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private static long time(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return System.nanoTime() - start;
    }

    private static void record(Map<Measure, List<Double>> rates, Measure measure, int rows, long nanos) {
        if (rates != null) {
            rates.computeIfAbsent(measure, m -> new ArrayList<>()).add(rows / (nanos / 1e9));
        }
    }

    /** Records as the data API hands them to a connector: Long, String, BigDecimal, RFC 3339 UTC strings. */
    private static List<Map<String, Object>> records(int count) {
        Instant base = Instant.parse("2026-11-23T08:00:00Z");
        List<Map<String, Object>> records = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", (long) i);
            record.put("name", "customer " + i);
            record.put("region", REGIONS.get(i % REGIONS.size()));
            record.put("amount", BigDecimal.valueOf((i * 7919L) % 10_000_000, 2));
            // ten rows share each timestamp: the read must order ties by id
            record.put("updated_at", base.plusSeconds(i / 10).toString());
            records.add(record);
        }
        return records;
    }

    private static String csvText(Object value) {
        String text = (String) value;
        return text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 ? text : '"' + text.replace("\"", "\"\"") + '"';
    }

    private static String report(Map<Measure, List<Double>> rates, String serverVersion, String loadBefore, String loadAfter, boolean embedded) {
        Map<Measure, Double> median = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| measure | records/s (median) | runs |\n|---|---|---|\n");
        for (Measure measure : Measure.values()) {
            List<Double> runs = rates.get(measure);
            List<Double> sorted = runs.stream().sorted().toList();
            double middle = sorted.get(sorted.size() / 2);
            median.put(measure, middle);
            table.append(String.format("| %s | %,.0f | %s |%n", measure.label, middle,
                    String.join(" / ", runs.stream().map(r -> String.format("%,.0f", r)).toList())));
        }
        table.append(String.format("""

                | ratio (goal: connector within 2x of plain JDBC, i.e. >= 0.50) | value |
                |---|---|
                | connector INSERT / COPY | %.2f |
                | connector INSERT / JDBC batch | %.2f |
                | connector UPSERT (new rows) / JDBC batch UPSERT (new rows) | %.2f |
                | connector UPSERT (existing rows) / JDBC batch UPSERT (existing rows) | %.2f |
                | connector query / plain SELECT | %.2f |
                | connector read / plain SELECT | %.2f |
                | diagnostic: connector query / plain JDBC keyset pages of 1,000 | %.2f |
                | diagnostic: connector read / plain SELECT with record value types | %.2f |

                %,d rows (id bigint primary key, name text, region text, amount numeric(12,2), updated_at timestamptz;
                index on (updated_at, id)); writes in batches of %,d (one call, one transaction each); each read measure reads the
                whole table %d times; warm-up round of %,d rows, then %d rounds, median. PostgreSQL %s (%s). Load average (1/5/15 min) before: %s, after: %s.
                """,
                median.get(Measure.CONNECTOR_INSERT) / median.get(Measure.JDBC_COPY),
                median.get(Measure.CONNECTOR_INSERT) / median.get(Measure.JDBC_BATCH),
                median.get(Measure.CONNECTOR_UPSERT_NEW) / median.get(Measure.JDBC_UPSERT_NEW),
                median.get(Measure.CONNECTOR_UPSERT_EXISTING) / median.get(Measure.JDBC_UPSERT_EXISTING),
                median.get(Measure.CONNECTOR_QUERY) / median.get(Measure.JDBC_SELECT),
                median.get(Measure.CONNECTOR_READ) / median.get(Measure.JDBC_SELECT),
                median.get(Measure.CONNECTOR_QUERY) / median.get(Measure.JDBC_KEYSET_PAGES),
                median.get(Measure.CONNECTOR_READ) / median.get(Measure.JDBC_SELECT_RECORD_VALUES),
                ROWS, WRITE_BATCH, READ_PASSES, WARMUP_ROWS, REPETITIONS, serverVersion, embedded ? "embedded" : "WEFT_TEST_PG_URL",
                loadBefore, loadAfter));
        return table.toString();
    }

    /** The server named by WEFT_TEST_PG_URL (user WEFT_TEST_PG_USER, default postgres), else embedded PostgreSQL. */
    private static Database server() throws IOException {
        String url = System.getenv("WEFT_TEST_PG_URL");
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url.substring("jdbc:".length()));
            return new Database(url, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                    envOr("WEFT_TEST_PG_USER", "postgres"), envOr("WEFT_TEST_PG_PASSWORD", ""), null);
        }
        PostgresServer embedded = PostgresServer.start(null, 0);
        return new Database(embedded.jdbcUrl("postgres"), "127.0.0.1", embedded.port(), "postgres", "", embedded);
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void write(String report) throws IOException {
        Path target = Path.of("target", "connectors-benchmark.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, report, StandardCharsets.UTF_8);
    }
}
