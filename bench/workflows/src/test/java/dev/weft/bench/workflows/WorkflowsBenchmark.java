package dev.weft.bench.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.FilterParser;
import dev.weft.platform.filter.InMemoryFilter;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.transform.CompiledTransform;
import dev.weft.platform.transform.TransformLanguage;
import dev.weft.platform.transform.TransformLimits;
import dev.weft.platform.transform.TransformRuntime;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import dev.weft.testing.bench.JvmActivity;
import dev.weft.testing.bench.WarmUp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * workflow-service's execution pipeline in this JVM (its beans, real PostgreSQL and Kafka), beside the same work as
 * plain Java, all in one run:
 * <ol>
 *   <li>executions/s: a workflow {@code api_call} → {@code transform} (JSONata) → {@code condition} → {@code write},
 *       invoked over HTTP ({@code POST /v1/triggers/{id}/invoke}) as fast as the invocations are accepted, timed from
 *       the first execution created to the last finished;</li>
 *   <li>trigger-to-completion latency at 500 invocations/s (open loop): from the client sending the invoke to the
 *       execution's {@code finished_at};</li>
 *   <li>the limit: the same three steps as plain Java in one process (the same compiled JSONata, the same filter
 *       evaluated in memory, the same INSERT through JDBC), at the worker's concurrency.</li>
 * </ol>
 * The write goes to connections-service's internal write endpoint, stood in for by {@link WriteEndpoint}: it checks
 * the internal credential and INSERTs each record into PostgreSQL, as a postgres connection's write does, without
 * connections-service's own work (auth, connector lookup, describe cache). Writes target/workflows-benchmark.md.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = WorkflowsBenchmark.WriteEndpoint.class, restrictToAnnotatedClass = false)
class WorkflowsBenchmark {
    private static final int EXECUTIONS = Integer.getInteger("bench.executions", 20_000);
    /**
     * The burst is warmed up in rounds of this many executions until the JIT compilers are quiet (see {@link WarmUp}). Half
     * the measured burst: rounds of 2,000 never built the backlog the burst builds (its claims, its larger outbox rounds),
     * so C2 was still compiling those paths' large methods (300-750 ms each) through the measured burst, a third of its CPU.
     */
    private static final int WARMUP_EXECUTIONS = Integer.getInteger("bench.warmup-executions", 10_000);
    private static final int MAX_WARMUP_ROUNDS = Integer.getInteger("bench.max-warmup-rounds", 12);
    /** Invocations in flight at once in the burst: as many as the worker runs at once (each holds a database connection). */
    private static final int IN_FLIGHT = 32;
    private static final int RATE = 500;
    private static final Duration LATENCY_RUN = Duration.ofSeconds(Integer.getInteger("bench.latency-seconds", 20));
    private static final Duration LATENCY_WARMUP = Duration.ofSeconds(5);
    private static final String TOKEN = "bench-internal-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String TRANSFORM = "{\"email\": $lowercase(email), \"company\": company, \"revenue\": revenue,"
            + " \"tier\": revenue > 5000000 ? \"enterprise\" : \"smb\"}";
    static final String CONDITION = "revenue > 1000";

    private int refusedInLatency;
    private String plainWarmup = "none";
    private JvmActivity.Delta plainActivity;
    private int plainCount;

    @Inject
    DataSource dataSource;
    @Inject
    Vertx vertx;

    @Test
    void workflow_executions_per_second_and_latency() throws Exception {
        try (Connection db = dataSource.getConnection(); Statement ddl = db.createStatement()) {
            ddl.execute("CREATE SCHEMA IF NOT EXISTS bench_workflows");
            ddl.execute("DROP TABLE IF EXISTS bench_workflows.leads");
            ddl.execute("CREATE TABLE bench_workflows.leads (id bigserial PRIMARY KEY, email text, company text, revenue bigint, tier text)");
        }
        String loadBefore = loadAverage();
        String org = TypeId.generate("org");
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
        String auth = TestCredentials.bearerOnPlan(org, "enterprise", "workflows:read", "workflows:write");
        try {
            AtomicInteger warmRound = new AtomicInteger();
            String burstWarmup = WarmUp.untilQuiet(MAX_WARMUP_ROUNDS, () -> {
                String[] warm = workflow(auth, "warm-up " + warmRound.incrementAndGet());
                int refusedWarm = burst(client, auth, warm[1], WARMUP_EXECUTIONS);
                awaitDone(warm[0], WARMUP_EXECUTIONS - refusedWarm, Duration.ofMinutes(5));
            });

            phase("burst");
            String[] run = workflow(auth, "throughput");
            JvmActivity burstJvm = JvmActivity.start();
            long started = System.nanoTime();
            int refused = burst(client, auth, run[1], EXECUTIONS);
            double invokeSeconds = (System.nanoTime() - started) / 1e9;
            int[] finished = awaitDone(run[0], EXECUTIONS - refused, Duration.ofMinutes(10));
            JvmActivity.Delta burstActivity = burstJvm.sinceStart();
            Throughput throughput = throughput(run[0], finished[0], invokeSeconds, refused, finished[1]);

            String latencyWarmup = WarmUp.untilQuiet(MAX_WARMUP_ROUNDS, () -> {
                String[] warmLatency = workflow(auth, "latency warm-up " + warmRound.incrementAndGet());
                int warmOffered = openLoop(client, auth, warmLatency[1], LATENCY_WARMUP);
                awaitDone(warmLatency[0], warmOffered - refusedInLatency, Duration.ofMinutes(3));
            });
            phase("latency");
            String[] latencyRun = workflow(auth, "latency");
            JvmActivity latencyJvm = JvmActivity.start();
            int offered = openLoop(client, auth, latencyRun[1], LATENCY_RUN);
            Latency latency = latency(latencyRun[0], offered);
            JvmActivity.Delta latencyActivity = latencyJvm.sinceStart();

            phase("plain Java");
            double plain = plainJava(EXECUTIONS);
            phase("end");
            String loadAfter = loadAverage();
            int written;
            try (Connection db = dataSource.getConnection(); Statement count = db.createStatement();
                 ResultSet row = count.executeQuery("SELECT count(*) FROM bench_workflows.leads")) {
                row.next();
                written = row.getInt(1);
            }
            String report = report(throughput, latency, plain, written, loadBefore, loadAfter)
                    + jvmReport(burstWarmup, burstActivity, finished[0] + finished[1], latencyWarmup, latencyActivity, latency.finished());
            System.out.println(report);
            Path target = Path.of("target", "workflows-benchmark.md");
            Files.createDirectories(target.getParent());
            Files.writeString(target, report, StandardCharsets.UTF_8);
        } finally {
            client.close();
        }
    }

    /** Creates the benchmarked workflow; returns {workflow id, trigger id}. */
    private static String[] workflow(String auth, String name) {
        Map<String, Object> body = Map.of("name", "bench " + name, "trigger", Map.of("type", "api_call"),
                "actions", List.of(Map.of("type", "transform", "language", "jsonata", "code", TRANSFORM),
                        Map.of("type", "condition", "expression", CONDITION),
                        Map.of("type", "write", "connection_id", "conn_bench", "object", "leads")));
        JsonNode created = read(RestAssured.given().header("Authorization", auth).contentType(ContentType.JSON).body(body)
                .post("/v1/workflows").then().statusCode(201).extract().asString());
        return new String[]{created.path("id").asText(), created.path("trigger").path("id").asText()};
    }

    private static String payload(int seq, long sentAtMicros) {
        return "{\"email\":\"Lead" + seq + "@Example.COM\",\"company\":\"Acme " + (seq % 100) + "\",\"revenue\":" + (1_000_000L + seq * 997L)
                + ",\"seq\":" + seq + ",\"sent_at\":" + sentAtMicros + "}";
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Invokes {@code count} times as fast as answers come, at most IN_FLIGHT at once; returns how many were not answered 202. */
    private int burst(HttpClient client, String auth, String trigger, int count) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            invoke(client, auth, trigger, payload(i, nowMicros())).whenComplete((status, error) -> {
                if (error != null || status != 202) {
                    if (failed.incrementAndGet() <= 3) {
                        System.err.println("invoke failed: " + (error != null ? error : status));
                    }
                }
                slots.release();
                if (answered.incrementAndGet() == count) {
                    all.complete(null);
                }
            });
        }
        all.get(10, TimeUnit.MINUTES);
        return failed.get();
    }

    /** Invokes at RATE per second on a fixed schedule for {@code length}; returns how many were sent. */
    private int openLoop(HttpClient client, String auth, String trigger, Duration length) throws Exception {
        long start = System.nanoTime();
        long interval = 1_000_000_000L / RATE;
        int total = (int) (length.toNanos() / interval);
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<Integer>> answers = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            answers.add(invoke(client, auth, trigger, payload(i, nowMicros())).whenComplete((status, error) -> {
                if (error != null || status != 202) {
                    failed.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((ok, error) -> null).get(2, TimeUnit.MINUTES);
        refusedInLatency = failed.get();
        return total;
    }

    private CompletableFuture<Integer> invoke(HttpClient client, String auth, String trigger, String body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(RestAssured.port)
                .setURI("/v1/triggers/" + trigger + "/invoke").putHeader("Authorization", auth).putHeader("Content-Type", "application/json");
        return client.request(options).compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .toCompletionStage().toCompletableFuture();
    }

    /** Waits until {@code count} executions of the workflow have finished; returns {succeeded, failed or cancelled}. */
    private int[] awaitDone(String workflowId, int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int[] counts = {0, 0};
        while (System.nanoTime() < deadline) {
            counts = counts(workflowId);
            if (counts[0] + counts[1] >= count) {
                break;
            }
            Thread.sleep(100);
        }
        if (counts[1] > 0) {
            System.err.println("workflow " + workflowId + ": " + counts[1] + " executions failed");
        }
        return counts;
    }

    private int[] counts(String workflowId) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status IN ('failed', 'cancelled'))
                FROM workflow.executions WHERE workflow_id = ?""")) {
            select.setObject(1, TypeId.parse("wf", workflowId).orElseThrow());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new int[]{row.getInt(1), row.getInt(2)};
            }
        }
    }

    record Throughput(int executions, double perSecond, double invokesPerSecond, double stepsPerSecond, int refused, int failed) {
    }

    /** Over the executions that succeeded, from the first created to the last finished. */
    private Throughput throughput(String workflowId, int count, double invokeSeconds, int refused, int failed) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT extract(epoch FROM max(finished_at) - min(created_at)) FROM workflow.executions WHERE workflow_id = ? AND status = 'succeeded'""")) {
            select.setObject(1, TypeId.parse("wf", workflowId).orElseThrow());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                double seconds = row.getDouble(1);
                return new Throughput(count, count / seconds, count / invokeSeconds, 3 * count / seconds, refused, failed);
            }
        }
    }

    record Latency(int offered, int finished, double p50, double p90, double p99, double max, int failed) {
    }

    /** Milliseconds from the client's send (the payload's sent_at) to the execution's finished_at. */
    private Latency latency(String workflowId, int offered) throws Exception {
        int[] done = awaitDone(workflowId, offered - refusedInLatency, Duration.ofMinutes(2));
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                WITH l AS (SELECT (extract(epoch FROM finished_at) * 1000000 - (input::jsonb ->> 'sent_at')::bigint) / 1000.0 AS ms
                           FROM workflow.executions WHERE workflow_id = ? AND status = 'succeeded')
                SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), percentile_disc(0.9) WITHIN GROUP (ORDER BY ms),
                       percentile_disc(0.99) WITHIN GROUP (ORDER BY ms), max(ms) FROM l""")) {
            select.setObject(1, TypeId.parse("wf", workflowId).orElseThrow());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new Latency(offered, row.getInt(1), row.getDouble(2), row.getDouble(3), row.getDouble(4), row.getDouble(5), done[1]);
            }
        }
    }

    /**
     * The limit: the same three steps as plain Java, one process, no workflow engine: the same JSONata compiled once,
     * the condition as the same filter evaluated in memory, the record INSERTed through JDBC (autocommit, one row per
     * execution) on a pool of connections, 32 at a time (the worker's default concurrency).
     */
    private double plainJava(int count) throws Exception {
        int concurrency = 32;
        // The stand-in write endpoint's 32 connections, idle by now: PostgreSQL's 100 connections are shared with other
        // tests on this machine, and a pool of its own here met "too many clients".
        BlockingQueue<Connection> pool = WriteEndpoint.sharedPool();
        Filter condition = FilterParser.parse(CONDITION);
        try (CompiledTransform transform = TransformRuntime.compile(TransformLanguage.fromWire("jsonata").orElseThrow(), TRANSFORM,
                TransformLimits.defaults()); ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            double[] perSecond = new double[1];
            WarmUp.Round round = () -> {
                Semaphore slots = new Semaphore(concurrency);
                AtomicLong done = new AtomicLong();
                long started = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    int seq = i;
                    slots.acquire();
                    threads.execute(() -> {
                        try {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> input = JSON.readValue(payload(seq, nowMicros()), LinkedHashMap.class);
                            Map<String, Object> record = transform.apply(input);
                            if (InMemoryFilter.of(condition).test(record)) {
                                Connection db = pool.take();
                                try {
                                    WriteEndpoint.insert(db, record);
                                } finally {
                                    pool.add(db);
                                }
                            }
                            done.incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        } finally {
                            slots.release();
                        }
                    });
                }
                slots.acquire(concurrency);
                double seconds = (System.nanoTime() - started) / 1e9;
                assertEquals(count, done.get());
                perSecond[0] = count / seconds;
            };
            plainWarmup = WarmUp.untilQuiet(MAX_WARMUP_ROUNDS, round);
            JvmActivity measured = JvmActivity.start();
            round.run();
            plainActivity = measured.sinceStart();
            plainCount = count;
            return perSecond[0];
        }
    }

    /** When each measured phase starts, to cut a profile of the run to it. */
    private static void phase(String name) {
        System.out.println("bench phase " + name + " at " + java.time.LocalTime.now() + ", load " + loadAverage());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private String report(Throughput t, Latency l, double plain, int written, String loadBefore, String loadAfter) {
        StringBuilder out = new StringBuilder();
        out.append("| measure | value |\n|---|---|\n");
        out.append(String.format(Locale.ROOT, "| executions/s, api_call → transform → condition → write (%,d executions, first created to last finished) | **%,.0f** |%n",
                t.executions(), t.perSecond()));
        out.append(String.format(Locale.ROOT, "| steps/s in that run; executions failed | %,.0f; %d |%n", t.stepsPerSecond(), t.failed()));
        out.append(String.format(Locale.ROOT, "| invocations accepted/s (202) in that run; refused (not 202) | %,.0f; %d |%n", t.invokesPerSecond(),
                t.refused()));
        out.append(String.format(Locale.ROOT, "| trigger → completion at %d/s for %d s (%,d offered, %,d finished): p50 / p90 / p99 / max ms | %.1f / %.1f / **%.1f** / %.1f |%n",
                RATE, LATENCY_RUN.toSeconds(), l.offered(), l.finished(), l.p50(), l.p90(), l.p99(), l.max()));
        out.append(String.format(Locale.ROOT, "| executions failed in the latency run | %d |%n", l.failed()));
        out.append(String.format(Locale.ROOT, "| invocations refused (not 202) in the latency run | %d |%n", refusedInLatency));
        out.append(String.format(Locale.ROOT, "| the limit: the same three steps as plain Java, one process, 32 at a time | %,.0f/s |%n", plain));
        out.append(String.format(Locale.ROOT, "| rows written to bench_workflows.leads (all phases) | %,d |%n", written));
        out.append("\n/proc/loadavg before: ").append(loadBefore).append("; after: ").append(loadAfter).append('\n');
        return out.toString();
    }

    /** Each phase's warm-up and the JVM's own work while it was measured, with the process's CPU per execution. */
    private String jvmReport(String burstWarmup, JvmActivity.Delta burst, int burstCount, String latencyWarmup, JvmActivity.Delta latency, int latencyCount) {
        return String.format(Locale.ROOT, """

                The JVM during each measured phase (one process: the service, the Kafka broker, the bench's client and the stand-in \
                write endpoint; PostgreSQL is another process). CPU per execution is the process's CPU time over the executions finished.
                - executions/s: warm-up %s; measured %s; **%,.0f µs CPU per execution**
                - latency at %d/s: warm-up %s; measured %s; %,.0f µs CPU per execution
                - the limit (plain Java): warm-up %s; measured %s; %,.0f µs CPU per execution
                """, burstWarmup, burst, burst.cpuMicrosPer(burstCount), RATE, latencyWarmup, latency, latency.cpuMicrosPer(latencyCount), plainWarmup,
                plainActivity, plainActivity == null ? -1 : plainActivity.cpuMicrosPer(plainCount));
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * connections-service's internal write endpoint, as far as a workflow's write step sees it: checks the internal
     * credential and the org, INSERTs each record into bench_workflows.leads (autocommit, one pooled connection per
     * request) and answers as connections-service does. A JDK server on virtual threads.
     */
    public static class WriteEndpoint implements QuarkusTestResourceLifecycleManager {
        private static BlockingQueue<Connection> pool;
        private HttpServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
                server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
                server.createContext("/internal/v1/connections/", exchange -> {
                    int status = 200;
                    byte[] answer;
                    try (InputStream in = exchange.getRequestBody()) {
                        byte[] body = in.readAllBytes();
                        if (!("Weft-Internal " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))
                                || exchange.getRequestHeaders().getFirst("X-Weft-Org") == null || !exchange.getRequestURI().getPath().endsWith("/write")) {
                            status = 401;
                            answer = "{\"error\":{\"code\":\"UNAUTHORIZED\",\"message\":\"no\"}}".getBytes(StandardCharsets.UTF_8);
                        } else {
                            JsonNode request = JSON.readTree(body);
                            List<String> results = new ArrayList<>();
                            Connection db = pool().take();
                            try {
                                int index = 0;
                                for (JsonNode record : request.path("records")) {
                                    @SuppressWarnings("unchecked")
                                    Map<String, Object> fields = JSON.convertValue(record, LinkedHashMap.class);
                                    long id = insert(db, fields);
                                    results.add("{\"index\":" + index++ + ",\"success\":true,\"id\":\"" + id + "\"}");
                                }
                            } finally {
                                pool().add(db);
                            }
                            answer = ("{\"object\":\"leads\",\"mode\":\"insert\",\"summary\":{\"total\":" + results.size() + ",\"succeeded\":"
                                    + results.size() + ",\"failed\":0},\"results\":[" + String.join(",", results) + "]}").getBytes(StandardCharsets.UTF_8);
                        }
                    } catch (Exception e) {
                        status = 500;
                        answer = ("{\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":\"" + e.getClass().getSimpleName() + "\"}}")
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, answer.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(answer);
                    }
                });
                server.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of("weft.services.connections.url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "weft.platform.internal-token", TOKEN);
        }

        /** The endpoint's connections, for the plain-Java limit (run when no write comes here any more). */
        static BlockingQueue<Connection> sharedPool() throws SQLException {
            return pool();
        }

        /** Opened on first use, on the test's database (as WeftInfraResource gives it to the app). */
        private static synchronized BlockingQueue<Connection> pool() throws SQLException {
            if (pool == null) {
                WeftTestInfra.ensureStarted();
                BlockingQueue<Connection> opened = new ArrayBlockingQueue<>(32);
                for (int i = 0; i < 32; i++) {
                    opened.add(DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password()));
                }
                pool = opened;
            }
            return pool;
        }

        static long insert(Connection db, Map<String, Object> record) throws SQLException {
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO bench_workflows.leads (email, company, revenue, tier) VALUES (?, ?, ?, ?) RETURNING id")) {
                insert.setObject(1, record.get("email"));
                insert.setObject(2, record.get("company"));
                insert.setObject(3, record.get("revenue") instanceof Number n ? n.longValue() : null);
                insert.setObject(4, record.get("tier"));
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        }

        @Override
        public void stop() {
            if (server != null) {
                server.stop(0);
            }
            if (pool != null) {
                for (Connection db : pool) {
                    try {
                        db.close();
                    } catch (SQLException ignored) {
                        // closing anyway
                    }
                }
            }
        }
    }
}
