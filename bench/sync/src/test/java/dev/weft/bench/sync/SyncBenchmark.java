package dev.weft.bench.sync;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftTestInfra;
import dev.weft.testing.bench.MachineCpu;
import dev.weft.testing.infra.FreePorts;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A sync end to end, with each service in its own process, beside the plain pipeline doing the same copy:
 * <ol>
 *   <li>connections-service and sync-service start from their fast-jars ({@code target/quarkus-app/quarkus-run.jar}) as
 *       {@code bin/weft up} starts them, on the machine's PostgreSQL (WEFT_TEST_PG_URL; embedded otherwise) and this
 *       JVM's in-process Kafka broker, with this JVM's test token issuer;</li>
 *   <li>through {@code /v1}: two PostgreSQL connections (source and destination, schema {@value #SCHEMA} of the same
 *       server), a JSONata transform, a sync with 5 field mappings and that transform into a table with the source's
 *       primary key; first a warm-up run of {@value #WARMUP_ROWS} rows from another table, then the measured run: its
 *       time is the run's own {@code started_at} → {@code finished_at}; it must succeed and the destination must hold
 *       exactly the source's rows with the transform applied (checked by a join, not only a count);</li>
 *   <li>the peak RSS ({@code VmHWM}) of each service process over its whole life (warm-up included), and the CPU time
 *       each spent in the measured run ({@code /proc/<pid>/stat}); PostgreSQL's and the whole machine's CPU over the
 *       run and over the plain pipeline's copy ({@code /proc}), which show where a small machine's cores went;</li>
 *   <li>the limit, after the services are stopped: a plain JDBC streaming {@code SELECT} of the same rows (typed getters)
 *       with the same transform in Java, written by one {@code COPY ... FROM STDIN} into a table like the sync's, warmed
 *       up on the warm-up table first.</li>
 * </ol>
 * Each size ({@code -Dbench.sizes}, default 100,000 and 1,000,000) runs {@code -Dbench.rounds} times (default 2), each
 * round with fresh service processes, so each peak RSS belongs to one run. MB/s counts the rows' bytes as COPY text (the
 * same figure for both). Figures go to target/bench-sync.md.
 */
class SyncBenchmark {
    private static final String SCHEMA = "bench_sync";
    /**
     * Rows of each warm-up run ({@code -Dbench.warmup-rows}): as many as the largest measured run, since warm-up runs of
     * 200,000 left C2 compiling through the measured 1M run (a third of its CPU after 8 of them).
     */
    private static final int WARMUP_ROWS = Integer.getInteger("bench.warmup-rows", 1_000_000);
    /**
     * Warm-up runs go on (each a fresh sync of the warm-up table) until both services' JIT compiler threads used less than
     * {@link #QUIET_JIT_SHARE} of the run's wall time, or this many runs ({@code -Dbench.max-warmup-runs}): with one warm-up
     * run C2 was still compiling through the measured run, which then measured the JIT as much as the path. The share
     * falls slowly (about 25 % after 4 runs, 12-16 % after 8-10: code run once per batch, and the services' background
     * work, reach C2's thresholds late), so the cap, not the share, ends the warm-up; 8 (4 until 2026-12-06) halves the
     * JIT's CPU in the measured run.
     */
    private static final int MAX_WARMUP_RUNS = Integer.getInteger("bench.max-warmup-runs", 8);
    private static final double QUIET_JIT_SHARE = 0.05;
    /**
     * Each service's fixed heap ({@code -Dbench.service.heap}): without one the JVM sizes its heap itself (up to a quarter
     * of the machine's memory) and the peak RSS of two runs compared the JVM's choices more than the runs' memory.
     */
    private static final String HEAP = System.getProperty("bench.service.heap", "-Xms512m -Xmx512m").trim();
    private static final List<Integer> SIZES = Arrays.stream(System.getProperty("bench.sizes", "100000,1000000").split(","))
            .map(String::trim).map(Integer::parseInt).toList();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    private static final String COLUMNS = "id, name, region, amount, updated_at";
    private static final String TRANSFORM = "$merge([$, {\"region\": $uppercase(region)}])";
    /**
     * Whether the sync runs the transform ({@code -Dbench.no-transform=true}: the 5 mappings only, a diagnostic that
     * bounds what the transform costs; the plain pipeline still upper-cases, and the ratio then compares unlike work).
     */
    private static final boolean WITH_TRANSFORM = !Boolean.getBoolean("bench.no-transform");
    private static final Path REPO = Path.of(System.getProperty("weft.repo", "../..")).toAbsolutePath().normalize();
    private static final Path LOGS = Path.of("target", "service-logs").toAbsolutePath();
    private static final long CLOCK_TICKS = 100;
    /** How long a service may take to start ({@code -Dbench.ready-seconds}): minutes on a 2-core machine other builds share. */
    private static final int READY_SECONDS = Integer.getInteger("bench.ready-seconds", 600);
    /** sync-service's weft.sync.batch-size for the run ({@code -Dbench.batch-size}); empty: the service's default. */
    private static final String BATCH_SIZE = System.getProperty("bench.batch-size", "").trim();
    /** The sync's write mode: insert (COPY into the empty table, the default) or upsert (by id, each row telling insert from update). */
    private static final String MODE = System.getProperty("bench.mode", "insert").trim();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String internalToken = "wit_" + Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(24));

    record Result(int rows, int round, String load, double syncSeconds, double wallSeconds, double plainSeconds, long bytes,
                  long connectionsHwmKb, long syncHwmKb, double connectionsCpu, double syncCpu, int batches, int warmupRuns,
                  long jitMillis, String loadAfter, MachineCpu.Delta syncMachine, MachineCpu.Delta plainMachine, double plainJvmCpu) {
        double syncRate() {
            return rows / syncSeconds;
        }

        double plainRate() {
            return rows / plainSeconds;
        }
    }

    @Test
    void a_sync_beside_jdbc_read_and_copy() throws Exception {
        WeftTestInfra.ensureStarted();
        Files.createDirectories(LOGS);
        for (String service : List.of("connections", "sync")) {
            Path jar = jar(service);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: run ./mvnw -o install -DskipTests -pl connections-service,sync-service -am first");
            }
        }
        execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
        source("src_warmup", WARMUP_ROWS);
        for (int size : SIZES) {
            source("src_" + size, size);
        }
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            for (int size : SIZES) {
                Result result = round(size, round);
                results.add(result);
                System.out.println(line(result));
                Files.writeString(Path.of("target", "bench-sync.md"), report(results));
            }
        }
        System.out.println(report(results));
    }

    private Result round(int rows, int round) throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        destination("dst_warmup");
        // Every warm-up run's table exists before the services start: connections-service caches what a connection holds.
        for (int i = 1; i < MAX_WARMUP_RUNS; i++) {
            destination("dst_warmup_" + i);
        }
        destination("dst_sync");
        int connectionsPort = FreePorts.next();
        int syncPort = FreePorts.next();
        Process connections = start("connections", connectionsPort, Map.of(), rows, round);
        Process sync = null;
        try {
            Map<String, String> syncProperties = new LinkedHashMap<>();
            syncProperties.put("weft.services.connections.url", "http://127.0.0.1:" + connectionsPort);
            if (!BATCH_SIZE.isEmpty()) {
                syncProperties.put("weft.sync.batch-size", BATCH_SIZE);
            }
            sync = start("sync", syncPort, syncProperties, rows, round);
            awaitReady(connections, connectionsPort);
            awaitReady(sync, syncPort);
            String org = TypeId.generate("org");
            String source = connection(org, connectionsPort, "Bench source");
            String target = connection(org, connectionsPort, "Bench destination");
            String transform = api(org, syncPort).body(Map.of("name", "Upper-case region", "type", "jsonata", "code", TRANSFORM))
                    .post("/v1/transforms").then().statusCode(201).extract().path("id");
            String warmupSync = createSync(org, syncPort, source, target, transform, "src_warmup", "dst_warmup");
            String measuredSync = createSync(org, syncPort, source, target, transform, "src_" + rows, "dst_sync");

            // Warm up until both services' JIT compilers are quiet: each warm-up run is a new sync into an emptied table.
            int warmups = 0;
            double jitShare;
            do {
                String warmupTable = "dst_warmup";
                if (warmups > 0) {
                    // A table of its own per run (created empty above): the sync is new, and so is what it writes to.
                    warmupTable = "dst_warmup_" + warmups;
                    warmupSync = createSync(org, syncPort, source, target, transform, "src_warmup", warmupTable);
                }
                long jitBefore = jitMillis(connections) + jitMillis(sync);
                long warmStart = System.nanoTime();
                JsonPath warm = run(org, syncPort, warmupSync);
                double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
                assertEquals("succeeded", warm.getString("status"), warm.prettify());
                check("src_warmup", warmupTable, WARMUP_ROWS);
                jitShare = (jitMillis(connections) + jitMillis(sync) - jitBefore) / 1000.0 / warmSeconds;
                warmups++;
                System.out.printf(Locale.ROOT, "warm-up run %d: %.1f s, JIT compiler threads %.1f %% of it%n", warmups, warmSeconds, jitShare * 100);
            } while (warmups < MAX_WARMUP_RUNS && jitShare >= QUIET_JIT_SHARE);

            double[] cpuBefore = {cpuSeconds(connections), cpuSeconds(sync)};
            long jitBefore = jitMillis(connections) + jitMillis(sync);
            MachineCpu machineBefore = MachineCpu.snapshot();
            long wallStart = System.nanoTime();
            JsonPath measured = run(org, syncPort, measuredSync);
            double wall = (System.nanoTime() - wallStart) / 1e9;
            MachineCpu.Delta syncMachine = machineBefore.since();
            double[] cpuAfter = {cpuSeconds(connections), cpuSeconds(sync)};
            long jit = jitMillis(connections) + jitMillis(sync) - jitBefore;
            String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
            assertEquals("succeeded", measured.getString("status"), measured.prettify());
            assertEquals(rows, measured.getLong("progress.written"));
            double seconds = Duration.between(Instant.parse(measured.getString("timings.started_at")),
                    Instant.parse(measured.getString("timings.finished_at"))).toNanos() / 1e9;
            check("src_" + rows, "dst_sync", rows);
            long connectionsHwm = hwmKb(connections);
            long syncHwm = hwmKb(sync);
            stop(sync);
            sync = null;
            stop(connections);
            connections = null;

            // The limit, with the services gone: warm up on the small table, then the measured copy.
            destination("dst_plain");
            plainCopy("src_warmup", "dst_plain");
            destination("dst_plain");
            long plainStart = System.nanoTime();
            PlainCopy copied = plainCopy("src_" + rows, "dst_plain");
            double plain = (System.nanoTime() - plainStart) / 1e9;
            check("src_" + rows, "dst_plain", rows);
            return new Result(rows, round, load, seconds, wall, plain, copied.bytes(), connectionsHwm, syncHwm, cpuAfter[0] - cpuBefore[0],
                    cpuAfter[1] - cpuBefore[1], measured.getInt("batches"), warmups, jit, loadAfter, syncMachine, copied.machine(), copied.jvmCpu());
        } finally {
            if (sync != null) {
                stop(sync);
            }
            if (connections != null) {
                stop(connections);
            }
        }
    }

    // --- the services, as processes ---------------------------------------------------------------------------------

    private static Path jar(String service) {
        return REPO.resolve(service + "-service").resolve("target/quarkus-app/quarkus-run.jar");
    }

    private Process start(String service, int port, Map<String, String> extra, int rows, int round) throws IOException {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.http.host", "127.0.0.1");
        properties.put("quarkus.http.port", Integer.toString(port));
        properties.put("quarkus.datasource.jdbc.url", WeftTestInfra.jdbcUrl());
        properties.put("quarkus.datasource.username", WeftTestInfra.username());
        properties.put("quarkus.datasource.password", WeftTestInfra.password());
        properties.put("kafka.bootstrap.servers", WeftTestInfra.kafkaBootstrapServers());
        properties.put("weft.platform.auth.jwt.issuer", TestCredentials.ISSUER);
        properties.put("weft.platform.auth.jwt.jwks", TestCredentials.publicJwks());
        properties.put("weft.encryption.keys", TestCredentials.encryptionKeyring());
        properties.put("weft.platform.internal-token", internalToken);
        properties.putAll(extra);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!HEAP.isEmpty()) {
            command.addAll(Arrays.asList(HEAP.split("\\s+")));
        }
        String jvm = System.getProperty("bench.service.jvm", "").trim();
        if (!jvm.isEmpty()) {
            for (String option : jvm.split("\\s+")) {
                command.add(option.replace("{service}", service + "-" + rows + "-" + round));
            }
        }
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar(service).toString());
        Path log = LOGS.resolve(service + "-" + rows + "-" + round + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(Path.of("target").toAbsolutePath().toFile()).start();
    }

    private void awaitReady(Process process, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("a service on port " + port + " exited with " + process.exitValue() + "; see " + LOGS);
            }
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("a service on port " + port + " was not ready within " + READY_SECONDS + " s; see " + LOGS);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Peak resident set of the process so far (kB), from /proc/<pid>/status. */
    private static long hwmKb(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmHWM for " + process.pid());
    }

    /** User + system CPU the process has used, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
    private static double cpuSeconds(Process process) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
    }

    /** CPU time of the process's JIT compiler threads so far, in ms (libs/testing's per-thread reading of /proc). */
    private static long jitMillis(Process process) throws IOException {
        long millis = dev.weft.testing.bench.JvmActivity.compilerCpuMillis(Long.toString(process.pid()));
        if (millis < 0) {
            throw new IOException("no /proc task list for process " + process.pid());
        }
        return millis;
    }

    // --- the public API -----------------------------------------------------------------------------------------------

    private static RequestSpecification api(String org, int port) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(port).contentType(ContentType.JSON)
                .header("Authorization", TestCredentials.bearerOnPlan(org, "enterprise", "admin"));
    }

    private static String connection(String org, int port, String name) throws SQLException {
        URI url = URI.create(WeftTestInfra.jdbcUrl().substring("jdbc:".length()));
        String database = url.getPath().substring(1);
        Map<String, Object> credentials = new LinkedHashMap<>();
        credentials.put("username", WeftTestInfra.username());
        if (WeftTestInfra.password() != null && !WeftTestInfra.password().isEmpty()) {
            credentials.put("password", WeftTestInfra.password());
        }
        return api(org, port).body(Map.of("provider", "postgres", "name", name,
                        "config", Map.of("host", url.getHost(), "port", url.getPort(), "database", database, "schema", SCHEMA, "ssl_mode", "disable"),
                        "credentials", credentials))
                .post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    private static String createSync(String org, int port, String source, String target, String transform, String from, String to) {
        List<Map<String, String>> mappings = new ArrayList<>();
        for (String column : COLUMNS.split(", ")) {
            mappings.add(Map.of("source", column, "destination", column));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "Bench " + from + " to " + to);
        body.put("source", Map.of("connection_id", source, "object", from));
        body.put("destination", Map.of("connection_id", target, "table", to, "key", List.of("id"), "mode", MODE));
        body.put("field_mappings", mappings);
        if (WITH_TRANSFORM) {
            body.put("transform_id", transform);
        }
        return api(org, port).body(body).post("/v1/syncs").then().statusCode(201).extract().path("id");
    }

    /**
     * Starts a run and waits for its end; polls once a second (the figure is the run's own start-to-finish time, so polling
     * sooner would only add sync-service CPU spent answering the polls: at 250 ms it was 2-5 % of what the run used).
     */
    private static JsonPath run(String org, int port, String syncId) throws InterruptedException {
        String runId = api(org, port).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonPath run = api(org, port).get("/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
            if (!List.of("queued", "running").contains(run.getString("status"))) {
                return run;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("run " + runId + " did not finish within 30 minutes");
    }

    // --- the database -------------------------------------------------------------------------------------------------

    private static Connection database() throws SQLException {
        return DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection db = database(); Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The source: the row shape of bench/connectors, updated_at distinct per row, indexed as a sync's cursor reads it. */
    private static void source(String table, int rows) throws SQLException {
        execute("CREATE TABLE " + SCHEMA + "." + table + " (id bigint PRIMARY KEY, name text NOT NULL, region text NOT NULL,"
                        + " amount numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL)",
                "INSERT INTO " + SCHEMA + "." + table + " SELECT i, 'customer ' || i, (ARRAY['north','south','east','west'])[1 + i % 4],"
                        + " (i % 100000) / 100.0, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 millisecond'"
                        + " FROM generate_series(1, " + rows + ") AS i",
                "CREATE INDEX ON " + SCHEMA + "." + table + " (updated_at, id)",
                "VACUUM ANALYZE " + SCHEMA + "." + table);
    }

    private static void destination(String table) throws SQLException {
        execute("DROP TABLE IF EXISTS " + SCHEMA + "." + table,
                "CREATE TABLE " + SCHEMA + "." + table + " (id bigint PRIMARY KEY, name text, region text, amount numeric(12,2), updated_at timestamptz)");
    }

    /** Exactly the source's rows, each with its values and the region upper-cased; none missing, none extra. */
    private static void check(String source, String destination, int rows) throws SQLException {
        try (Connection db = database(); Statement statement = db.createStatement();
             ResultSet counted = statement.executeQuery("SELECT (SELECT count(*) FROM " + SCHEMA + "." + destination + "),"
                     + " (SELECT count(*) FROM " + SCHEMA + "." + source + " s JOIN " + SCHEMA + "." + destination + " d USING (id)"
                     + " WHERE d.name = s.name AND d.region = " + (WITH_TRANSFORM || destination.startsWith("dst_plain") ? "upper(s.region)" : "s.region") + " AND d.amount = s.amount AND d.updated_at = s.updated_at)")) {
            counted.next();
            assertEquals(rows, counted.getLong(1), destination + " row count");
            assertEquals(rows, counted.getLong(2), destination + " rows equal to the source's, transformed");
        }
    }

    /**
     * The plain pipeline: one streaming SELECT (fetch size 10,000, typed getters), the region upper-cased in Java, every
     * row written as COPY text into one COPY FROM STDIN, committed once. Returns the bytes of COPY text sent.
     */
    /** The plain pipeline's copy: bytes sent, and the CPU it took (the machine's, PostgreSQL's, this JVM's seconds). */
    private record PlainCopy(long bytes, MachineCpu.Delta machine, double jvmCpu) {
    }

    private static PlainCopy plainCopy(String source, String destination) throws SQLException {
        try (Connection read = database(); Connection write = database()) {
            // Measured from here to the commit: PostgreSQL's share is read from these two connections' backends, so they
            // must still be there at the end (a backend gone by then is not counted).
            int self = (int) ProcessHandle.current().pid();
            long selfBefore = MachineCpu.processTicks(self);
            MachineCpu machineBefore = MachineCpu.snapshot();
            read.setAutoCommit(false);
            write.setAutoCommit(false);
            CopyIn copy = write.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + SCHEMA + "." + destination + " (" + COLUMNS + ") FROM STDIN");
            long bytes = 0;
            StringBuilder text = new StringBuilder(1 << 17);
            try (Statement statement = read.createStatement()) {
                statement.setFetchSize(10_000);
                try (ResultSet rows = statement.executeQuery("SELECT " + COLUMNS + " FROM " + SCHEMA + "." + source)) {
                    while (rows.next()) {
                        text.append(rows.getLong(1)).append('\t');
                        escape(text, rows.getString(2)).append('\t');
                        escape(text, rows.getString(3).toUpperCase(Locale.ROOT)).append('\t');
                        text.append(rows.getBigDecimal(4).toPlainString()).append('\t');
                        text.append(rows.getObject(5, OffsetDateTime.class)).append('\n');
                        if (text.length() > 60_000) {
                            bytes += send(copy, text);
                        }
                    }
                }
            }
            bytes += send(copy, text);
            copy.endCopy();
            write.commit();
            read.commit();
            return new PlainCopy(bytes, machineBefore.since(), (MachineCpu.processTicks(self) - selfBefore) / (double) CLOCK_TICKS);
        }
    }

    private static long send(CopyIn copy, StringBuilder text) throws SQLException {
        byte[] chunk = text.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(chunk, 0, chunk.length);
        text.setLength(0);
        return chunk.length;
    }

    private static StringBuilder escape(StringBuilder text, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '\t' -> text.append("\\t");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                default -> text.append(c);
            }
        }
        return text;
    }

    // --- the report ---------------------------------------------------------------------------------------------------

    private static String line(Result r) {
        // The services' CPU less their JIT compilers': code changes compare on it, as C2 still compiles through every measured
        // run (1-3 s of it, varying from run to run by more than most changes move the rest).
        double withoutJit = (r.connectionsCpu() + r.syncCpu() - r.jitMillis() / 1000.0) * 1e6 / r.rows();
        double perRecord = 1e6 / r.rows();
        return String.format(Locale.ROOT, "| %,d | %d | %s / %s | %,.0f | %.1f | %,.0f | %.1f | **%.2f** | %.1f | %.1f | %,d | %,d | %.1f / %.1f | %.1f / %.1f | %.1f | %d | %d | %,d "
                        + "| %.1f / %.1f | %.1f | %.1f / %.1f |",
                r.rows(), r.round(), r.load(), r.loadAfter(), r.syncRate(), r.bytes() / 1e6 / r.syncSeconds(), r.plainRate(), r.bytes() / 1e6 / r.plainSeconds(),
                r.syncRate() / r.plainRate(), r.syncSeconds(), r.wallSeconds(), r.connectionsHwmKb() / 1024, r.syncHwmKb() / 1024,
                r.connectionsCpu(), r.syncCpu(), r.connectionsCpu() * 1e6 / r.rows(), r.syncCpu() * 1e6 / r.rows(), withoutJit, r.batches(), r.warmupRuns(),
                r.jitMillis(), r.syncMachine().postgresSeconds() * perRecord, r.plainMachine().postgresSeconds() * perRecord, r.plainJvmCpu() * perRecord,
                r.syncMachine().busySeconds() * perRecord, r.plainMachine().busySeconds() * perRecord);
    }

    private static String report(List<Result> results) {
        StringBuilder out = new StringBuilder("# bench/sync\n\n");
        out.append(String.format(Locale.ROOT, "PostgreSQL → PostgreSQL, 5 field mappings"
                + (WITH_TRANSFORM ? " + a JSONata transform (`%s`)" : ", **no transform** (the plain pipeline still upper-cases the region, as `%s` does)")
                + ", mode " + MODE + ", "
                + "warm-up runs of %,d rows per round until the JIT is quiet; weft.sync.batch-size %s; services: heap `%s`, %s%n%n", TRANSFORM,
                WARMUP_ROWS, BATCH_SIZE.isEmpty() ? "default" : BATCH_SIZE, HEAP,
                System.getProperty("bench.service.jvm", "").isBlank() ? "no further JVM options" : "`" + System.getProperty("bench.service.jvm") + "`"));
        out.append("| rows | round | load (1 min) before / after | sync records/s | sync MB/s | plain records/s | plain MB/s | ratio | sync run s | "
                + "sync wall s | connections peak RSS MB | sync peak RSS MB | CPU s connections / sync | CPU-µs per record connections / sync "
                + "| CPU-µs per record, both, without the JIT | batches | warm-up runs | JIT ms in the run "
                + "| PostgreSQL CPU-µs per record sync / plain | plain JVM CPU-µs per record | machine CPU-µs per record sync / plain |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        results.forEach(r -> out.append(line(r)).append('\n'));
        return out.toString();
    }
}
