package dev.weft.bench.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.testing.JvmActivity;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.TestEvents;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import dev.weft.webhook.WebhooksConfig;
import dev.weft.webhook.dispatch.Dispatcher;
import dev.weft.platform.http.outbound.OutboundOutcome;
import dev.weft.platform.http.outbound.OutboundClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * webhook-service's delivery pipeline in this JVM (its beans, real PostgreSQL and Kafka) against
 * a local Vert.x receiver, beside the limits it is judged by, all in one run:
 * <ol>
 *   <li>sustained deliveries/s on the live path: events published to Kafka as fast as the producer
 *       goes, each fanned out to 10 endpoints (consumed, stored, sent from memory, recorded), timed
 *       from the first attempt recorded to the last;</li>
 *   <li>deliveries/s draining a backlog: signed deliveries to the same endpoints preloaded with SQL
 *       (the path of retries and of catching up after an outage: claimed, sent, recorded);</li>
 *   <li>latency from an {@code Outbox.publish} commit to the webhook's arrival at 500 events/s
 *       (outbox relay, Kafka, fan-out, dispatcher);</li>
 *   <li>limits: raw keep-alive POSTs to the same receiver (same body, same concurrency), and
 *       PostgreSQL's batched insert of the same attempt rows.</li>
 * </ol>
 * Writes its table to target/webhooks-benchmark.md.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class WebhooksBenchmark {
    private static final int DELIVERIES = Integer.getInteger("bench.deliveries", 50_000);
    private static final int WARMUP_DELIVERIES = 5_000;
    /**
     * The live path is warmed up in rounds of this many events (× 10 endpoints) until the JIT compilers are quiet: with
     * one 500-event round, C2 compiled through the measured phase and took a fifth of the machine from it.
     */
    private static final int STREAM_WARMUP_EVENTS = 1_000;
    private static final int MAX_WARMUP_ROUNDS = Integer.getInteger("bench.max-warmup-rounds", 25);
    /** A warm-up round counts as steady once compilation took less than this share of its wall-clock time. */
    private static final double QUIET_JIT_SHARE = 0.05;
    private static final int ENDPOINTS = 10;
    private static final int EVENTS_PER_SECOND = 500;
    private static final Duration LATENCY_RUN = Duration.ofSeconds(Integer.getInteger("bench.latency-seconds", 20));
    private static final Duration LATENCY_WARMUP = Duration.ofSeconds(5);
    private static final int INSERT_BATCH = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Outbox outbox;
    @Inject
    Dispatcher dispatcher;
    @Inject
    DataSource dataSource;
    @Inject
    Vertx vertx;
    @Inject
    WebhooksConfig config;
    @Inject
    OutboundClient sender;
    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    private final Receiver receiver = new Receiver();

    @Test
    void webhook_delivery_throughput_and_latency() throws Exception {
        Vertx receiverVertx = Vertx.vertx();
        // One listening port per endpoint, as ten customers' servers would be: each endpoint has its own connection pool.
        List<HttpServer> servers = new ArrayList<>();
        for (int i = 0; i < ENDPOINTS; i++) {
            servers.add(receiverVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true))
                    .requestHandler(receiver::handle).listen(0).toCompletionStage().toCompletableFuture().get());
        }
        int[] ports = servers.stream().mapToInt(HttpServer::actualPort).toArray();
        try {
            String throughputOrg = TypeId.generate("org");
            for (int i = 0; i < ENDPOINTS; i++) {
                register(throughputOrg, "http://127.0.0.1:" + ports[i] + "/hooks/" + i);
            }
            List<UUID> endpoints = endpointIds(throughputOrg);
            String body = sampleBody(throughputOrg);

            streamWarmup = STREAM_WARMUP_EVENTS + " events a round, " + warmUntilQuiet(() -> stream(throughputOrg, STREAM_WARMUP_EVENTS, "stream_warmup", false));
            Throughput streamed = stream(throughputOrg, DELIVERIES / ENDPOINTS, "stream", true);
            deliver(throughputOrg, endpoints, body, WARMUP_DELIVERIES, "warmup");
            Claims claimsBefore = claims();
            Throughput delivered = deliver(throughputOrg, endpoints, body, DELIVERIES, "run");
            drainClaims = claims().since(claimsBefore);

            String latencyOrg = TypeId.generate("org");
            register(latencyOrg, "http://127.0.0.1:" + ports[0] + "/latency");
            Latency latency = latency(latencyOrg);

            double rawPosts = rawPosts(ports, body);
            double senderOnly = senderOnly(ports, body);
            double inserts = batchedInserts(throughputOrg, endpoints);
            double writes = deliveryWrites(throughputOrg, endpoints);

            String report = report(streamed, delivered, latency, rawPosts, senderOnly, inserts, writes, body.length());
            System.out.println(report);
            Path target = Path.of("target", "webhooks-benchmark.md");
            Files.createDirectories(target.getParent());
            Files.writeString(target, report, StandardCharsets.UTF_8);
        } finally {
            for (HttpServer server : servers) {
                server.close().toCompletionStage().toCompletableFuture().get();
            }
            receiverVertx.close();
        }
    }

    // 1. Sustained deliveries/s from a preloaded backlog.

    record Throughput(int deliveries, double perSecond, double commitToLastPerSecond, long receivedPosts, double updatesPerDelivery,
                      JvmActivity.Delta jvm) {
    }

    private String streamWarmup = "none";
    private String drainClaims = "not measured";
    private String latencyWarmup = "none";
    private String latencyStages = "not measured";

    /**
     * Where the slowest events spent their time: from publishing to the topic (the commit, the outbox relay), from the
     * topic to fan-out storing the message (the service's consumer) and from there to the receiver (dispatcher, HTTP), as
     * medians over all events and over the slowest 5 %. Wall-clock times of one machine (the topic's in milliseconds).
     */
    private String stages(String orgId, Map<String, Long> onTopicMicros) throws SQLException {
        Map<String, Long> stored = new HashMap<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(
                "SELECT event_id, (extract(epoch FROM created_at) * 1000000)::bigint FROM webhook.messages WHERE org_id = ?")) {
            select.setString(1, orgId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    stored.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        List<Stage> all = receiver.stages.stream().filter(stage -> stored.containsKey(stage.eventId()) && onTopicMicros.containsKey(stage.eventId()))
                .sorted(java.util.Comparator.comparingLong(Stage::totalNanos)).toList();
        if (all.isEmpty()) {
            return "not measured";
        }
        List<Stage> slowest = all.subList((int) (all.size() * 0.95), all.size());
        java.util.function.ToLongFunction<Stage> relay = stage -> onTopicMicros.get(stage.eventId()) - stage.sentMicros();
        java.util.function.ToLongFunction<Stage> consume = stage -> stored.get(stage.eventId()) - onTopicMicros.get(stage.eventId());
        java.util.function.ToLongFunction<Stage> send = stage -> stage.arrivedMicros() - stored.get(stage.eventId());
        return String.format("publish to the topic (commit, outbox relay) / topic to stored (the service's consumer, fan-out) / stored to "
                        + "arrival (dispatcher, HTTP), ms: all %d events %s / %s / %s; slowest 5 %% %s / %s / %s", all.size(),
                medianMillis(all, relay), medianMillis(all, consume), medianMillis(all, send),
                medianMillis(slowest, relay), medianMillis(slowest, consume), medianMillis(slowest, send));
    }

    /**
     * Reads a topic beside the service, from its end, to learn when each event got onto it (the record's create time,
     * set by the outbox relay's producer), by event id.
     */
    private static final class KafkaTap {
        private final org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer;
        private final Map<String, Long> micros = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        private KafkaTap(String topic) {
            java.util.Properties properties = new java.util.Properties();
            properties.put("bootstrap.servers", dev.weft.testing.WeftTestInfra.kafkaBootstrapServers());
            consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(properties, new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before the run's first event
            thread = Thread.ofPlatform().name("bench-kafka-tap").daemon().start(this::read);
        }

        static KafkaTap start(String topic) {
            return new KafkaTap(topic);
        }

        private void read() {
            while (running) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    var id = record.headers().lastHeader("ce_id");
                    if (id != null) {
                        micros.put(new String(id.value(), StandardCharsets.UTF_8), record.timestamp() * 1000);
                    }
                }
            }
            consumer.close();
        }

        Map<String, Long> stop() throws InterruptedException {
            running = false;
            thread.join(5_000);
            return micros;
        }
    }

    private static String medianMillis(List<Stage> stages, java.util.function.ToLongFunction<Stage> micros) {
        long[] values = stages.stream().mapToLong(micros).sorted().toArray();
        return String.format("%.1f", values[values.length / 2] / 1000.0);
    }
    /** Each limit's warm-up and the JVM's own work while it was measured. */
    private final List<String> limitsJvm = new ArrayList<>();

    /**
     * Warm-up rounds until the JIT compilers are quiet (or {@link #MAX_WARMUP_ROUNDS}): the path and the limits it is
     * compared with are each measured compiled, as a long-running service runs.
     */
    private static String warmUntilQuiet(JvmActivity.Round round) throws Exception {
        return JvmActivity.warmUntilQuiet(round, MAX_WARMUP_ROUNDS, QUIET_JIT_SHARE);
    }

    /** The dispatcher's claim rounds so far (the platform's due-work timer for deliveries). */
    private record Claims(long count, double totalMillis, double maxMillis) {
        String since(Claims before) {
            long rounds = count - before.count;
            return rounds == 0 ? "no claim rounds" : String.format("%,d claim rounds, %.1f ms each on average, longest recent %.0f ms", rounds,
                    (totalMillis - before.totalMillis) / rounds, maxMillis);
        }
    }

    private Claims claims() {
        var timer = metrics.find("weft.due_work.claim").tag("table", "deliveries").timer();
        return timer == null ? new Claims(0, 0, 0)
                : new Claims(timer.count(), timer.totalTime(TimeUnit.MILLISECONDS), timer.max(TimeUnit.MILLISECONDS));
    }

    private Throughput deliver(String orgId, List<UUID> endpoints, String body, int count, String tag) throws Exception {
        Baseline before = baseline();
        String prefix = "evt_bench_" + tag + "_" + Long.toString(System.nanoTime(), 36) + "_";
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try (PreparedStatement preload = db.prepareStatement("""
                    WITH m AS (
                        INSERT INTO webhook.messages (id, org_id, event_id, type, aggregate_id, payload, created_at)
                        SELECT gen_random_uuid(), ?, ? || g, 'connection.updated', 'conn_' || (g % 997), replace(?, '@ID@', ? || g), now()
                        FROM generate_series(1, ?) AS g
                        RETURNING id, org_id, event_id, type, aggregate_id)
                    INSERT INTO webhook.deliveries (id, org_id, endpoint_id, message_id, event_type, aggregate_id, status, next_attempt_at,
                                                    created_at, updated_at)
                    SELECT gen_random_uuid(), m.org_id, (?::uuid[])[1 + substr(m.event_id, ?)::int % ?], m.id, m.type, m.aggregate_id,
                           'pending', now(), now(), now()
                    FROM m""")) {
                preload.setString(1, orgId);
                preload.setString(2, prefix);
                preload.setString(3, body);
                preload.setString(4, prefix);
                preload.setInt(5, count);
                preload.setArray(6, db.createArrayOf("uuid", endpoints.toArray()));
                preload.setInt(7, prefix.length() + 1);
                preload.setInt(8, endpoints.size());
                assertEquals(count, preload.executeUpdate());
            }
            db.commit();
        }
        long committed = System.nanoTime();
        dispatcher.wake();
        return measure(before, prefix, count, committed, tag, true);
    }

    /**
     * Events published straight to Kafka as fast as the producer goes, each for every one of the org's endpoints: the
     * whole live path (consume, fan-out, send from memory, record) with the topic as the buffer.
     */
    private Throughput stream(String orgId, int events, String tag, boolean withStatistics) throws Exception {
        Baseline before = baseline();
        String prefix = "evt_bench_" + tag + "_" + Long.toString(System.nanoTime(), 36) + "_";
        List<TestEvents.Event> batch = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            String aggregateId = "conn_" + (i % 997);
            batch.add(new TestEvents.Event(Topics.CONNECTIONS, prefix + i, "connection.updated", orgId, aggregateId,
                    "{\"id\":\"" + aggregateId + "\",\"provider\":\"postgres\",\"name\":\"Warehouse\",\"status\":\"active\",\"phase\":\"stream\"}"));
        }
        long started = System.nanoTime();
        TestEvents.publishAll(batch);
        return measure(before, prefix, events * ENDPOINTS, started, tag, withStatistics);
    }

    private record Baseline(long attempts, long posts, long updates, JvmActivity jvm) {
    }

    private Baseline baseline() throws SQLException {
        return new Baseline(count("SELECT count(*) FROM webhook.attempts"), receiver.posts.get(), deliveryUpdates(), JvmActivity.start());
    }

    /** Waits for every delivery of the events named by {@code prefix} to have its attempt, and times first to last attempt. */
    private Throughput measure(Baseline before, String prefix, int count, long started, String tag, boolean withStatistics) throws Exception {
        // Phase boundaries in the output, to line a profile up with the phases.
        System.out.printf("bench phase %s started %s%n", tag, Instant.now());
        long target = before.attempts() + count;
        long recorded = before.attempts();
        while (recorded < target && System.nanoTime() - started < Duration.ofMinutes(10).toNanos()) {
            // The rate comes from the attempt rows' own timestamps; this only waits for the last of them. Counting a
            // growing table every few milliseconds would take PostgreSQL's time from the path being measured.
            Thread.sleep(250);
            recorded = count("SELECT count(*) FROM webhook.attempts");
        }
        long allRecorded = System.nanoTime();
        JvmActivity.Delta jvm = before.jvm().sinceStart();
        System.out.printf("bench phase %s recorded %s (%s)%n", tag, Instant.now(), jvm);
        assertEquals(target, recorded, "every delivery of the " + tag + " batch has its attempt row");
        try (Connection db = dataSource.getConnection(); PreparedStatement span = db.prepareStatement("""
                SELECT count(*) FILTER (WHERE d.status = 'succeeded'), min(a.attempted_at), max(a.attempted_at)
                FROM webhook.deliveries d JOIN webhook.messages m ON m.id = d.message_id JOIN webhook.attempts a ON a.delivery_id = d.id
                WHERE m.event_id LIKE ? || '%'""")) {
            span.setString(1, prefix);
            try (ResultSet row = span.executeQuery()) {
                row.next();
                assertEquals(count, row.getLong(1), "every delivery of the " + tag + " batch succeeded");
                Instant first = row.getTimestamp(2).toInstant();
                Instant last = row.getTimestamp(3).toInstant();
                double seconds = Duration.between(first, last).toNanos() / 1e9;
                if (!withStatistics) {
                    return new Throughput(count, (count - 1) / seconds, count / ((allRecorded - started) / 1e9),
                            receiver.posts.get() - before.posts(), Double.NaN, jvm);
                }
                Thread.sleep(11_000); // an idle backend reports its table statistics within 10 s
                return new Throughput(count, (count - 1) / seconds, count / ((allRecorded - started) / 1e9), receiver.posts.get() - before.posts(),
                        (deliveryUpdates() - before.updates()) / (double) count, jvm);
            }
        }
    }

    // 2. Latency from the write that caused an event to the webhook's arrival.

    /** Quantiles over every event sent: one that had not arrived by the deadline counts as slower than all that did. */
    record Latency(int sent, int arrived, double achievedRate, String p50, String p95, String p99, String max, String arrivedP50,
                   JvmActivity.Delta jvm) {
    }

    private Latency latency(String orgId) throws Exception {
        RequestPrincipal principal = new RequestPrincipal(orgId, Set.of(RequestPrincipal.ADMIN_SCOPE), "bench", RequestPrincipal.CredentialType.OPERATOR);
        // The first events wait for the topic to appear in the consumer's subscription, and the relay's path is compiled
        // while they go: not measured. Warm-up rounds go on until the JIT compilers are quiet.
        // The tap and the receiver's bookkeeping run through the warm-up too, so that their own code is compiled by then.
        KafkaTap tap = KafkaTap.start(Topics.CONNECTIONS);
        latencyWarmup = LATENCY_WARMUP.toSeconds() + " s a round, " + warmUntilQuiet(() -> {
            publishPaced(principal, LATENCY_WARMUP, "warmup");
            Thread.sleep(1_000);
        });
        Thread.sleep(2_000);
        receiver.latencies.clear();
        receiver.stages.clear();
        long started = System.nanoTime();
        JvmActivity jvmBefore = JvmActivity.start();
        int sent = publishPaced(principal, LATENCY_RUN, "run");
        double achieved = sent / ((System.nanoTime() - started) / 1e9);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (receiver.latencies.size() < sent && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        JvmActivity.Delta jvm = jvmBefore.sinceStart();
        latencyStages = stages(orgId, tap.stop());
        long[] samples = receiver.latencies.snapshot();
        Arrays.sort(samples);
        return new Latency(sent, samples.length, achieved, millis(samples, sent, 0.50), millis(samples, sent, 0.95), millis(samples, sent, 0.99),
                millis(samples, sent, 1.0), millis(samples, samples.length, 0.50), jvm);
    }

    /** Open loop: each event is published at its scheduled time on its own virtual thread, whatever the earlier ones took. */
    private int publishPaced(RequestPrincipal principal, Duration length, String phase) throws Exception {
        int events = (int) (length.toSeconds() * EVENTS_PER_SECOND);
        long interval = 1_000_000_000L / EVENTS_PER_SECOND;
        List<CompletableFuture<Void>> writes = new ArrayList<>(events);
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                String aggregateId = "conn_" + (i % 997);
                writes.add(CompletableFuture.runAsync(() -> TenantContext.runAs(principal, () -> QuarkusTransaction.requiringNew().run(() -> {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("id", aggregateId);
                    data.put("provider", "postgres");
                    data.put("name", "Warehouse");
                    data.put("status", "active");
                    data.put("phase", phase);
                    data.put("sent_at_nanos", System.nanoTime());
                    data.put("sent_at_micros", arrivedMicros());
                    outbox.publish(DomainEvent.of(Topics.CONNECTIONS, "connection.updated", aggregateId, data));
                })), writers));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        }
        return events;
    }

    /** The signature headers of a delivery (fixed values), sent by both the sender-only diagnostic and the raw POSTs. */
    private static final Map<String, String> SIGNED_HEADERS = Map.of("Content-Type", "application/json",
            "webhook-id", "evt_01h455vb4pex5vsknk084sn02q", "webhook-timestamp", "1795000000",
            "webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
            "X-Weft-Signature", "2b9a197f337de59f5456ed44b1f4267d535086791bd698fda3d3437f1ffa48e", "X-Weft-Event-Type", "connection.updated");

    // Diagnostic: the service's OutboundClient alone (address checks, its client and timers), same concurrency, no
    // database, no signing: how much of the gap to the raw POST rate is the sender's.
    private double senderOnly(int[] ports, String body) throws Exception {
        URI[] urls = Arrays.stream(ports).mapToObj(p -> URI.create("http://127.0.0.1:" + p + "/hooks/x")).toArray(URI[]::new);
        return closedLoopRate(n -> sender.send(urls[n % urls.length], SIGNED_HEADERS, body, config.timeout()).thenApply(OutboundOutcome::succeeded),
                "send succeeded");
    }

    // 3a. Limit: raw keep-alive POSTs, same receiver, body, headers and concurrency, no database.

    private double rawPosts(int[] ports, String body) throws Exception {
        Buffer payload = Buffer.buffer(body);
        // The same pool bound as the service's sender (OutboundOptions.defaults: 50 connections per destination).
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(50));
        try {
            return closedLoopRate(n -> {
                RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(ports[n % ENDPOINTS])
                        .setURI("/hooks/" + (n % ENDPOINTS)).putHeader("User-Agent", "Weft-Webhooks/1");
                SIGNED_HEADERS.forEach(request::putHeader);
                return client.request(request).compose(r -> r.send(payload)).map(response -> response.statusCode() == 204).toCompletionStage();
            }, "raw POST was answered 204");
        } finally {
            client.close();
        }
    }

    /** Requests/s of {@code request}, 10 endpoints × their in-flight bound at a time, after a warm-up round. */
    private double closedLoopRate(IntFunction<CompletionStage<Boolean>> request, String success) throws Exception {
        int concurrency = ENDPOINTS * config.maxInFlightPerEndpoint();
        String warmup = warmUntilQuiet(() -> closedLoop(WARMUP_DELIVERIES, concurrency, request, success));
        JvmActivity measured = JvmActivity.start();
        long start = System.nanoTime();
        closedLoop(DELIVERIES, concurrency, request, success);
        double rate = DELIVERIES / ((System.nanoTime() - start) / 1e9);
        limitsJvm.add(success + ": warm-up " + warmup + "; measured " + measured.sinceStart());
        return rate;
    }

    /** Issues {@code total} requests, {@code concurrency} at a time, each finished one starting the next; all must succeed. */
    private static void closedLoop(int total, int concurrency, IntFunction<CompletionStage<Boolean>> request, String success) throws Exception {
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            int n = issued.getAndIncrement();
            if (n >= total) {
                return;
            }
            request.apply(n).whenComplete((ok, error) -> {
                if (error != null || !Boolean.TRUE.equals(ok)) {
                    failed.incrementAndGet();
                }
                if (answered.incrementAndGet() == total) {
                    done.complete(null);
                } else {
                    next[0].run();
                }
            });
        };
        for (int i = 0; i < concurrency; i++) {
            next[0].run();
        }
        done.get(5, TimeUnit.MINUTES);
        assertEquals(0, failed.get(), "every " + success);
    }

    // 3b. Limit: PostgreSQL's batched insert of the same attempt rows (reWriteBatchedInserts).

    private double batchedInserts(String orgId, List<UUID> endpoints) throws Exception {
        return onScratchTables(List.of("attempts"), (db, rows) -> insertAttempts(db, orgId, endpoints, rows));
    }

    /** Work timed on scratch copies of tables (their indexes included, no foreign keys). */
    private interface ScratchWork {
        void run(Connection db, int rows) throws SQLException;
    }

    /** Creates {@code <table>_scratch} for each table, warms up, empties them, and returns the timed run's rows/s. */
    private double onScratchTables(List<String> tables, ScratchWork work) throws Exception {
        String url = WeftTestInfra.jdbcUrl() + (WeftTestInfra.jdbcUrl().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        try (Connection db = DriverManager.getConnection(url, WeftTestInfra.username(), WeftTestInfra.password())) {
            try (Statement ddl = db.createStatement()) {
                for (String table : tables) {
                    ddl.execute("CREATE TABLE webhook." + table + "_scratch (LIKE webhook." + table + " INCLUDING ALL)");
                }
            }
            String scratch = String.join(", ", tables.stream().map(t -> "webhook." + t + "_scratch").toList());
            try {
                String warmup = warmUntilQuiet(() -> work.run(db, WARMUP_DELIVERIES));
                try (Statement truncate = db.createStatement()) {
                    truncate.execute("TRUNCATE " + scratch);
                }
                db.commit();
                JvmActivity measured = JvmActivity.start();
                long start = System.nanoTime();
                work.run(db, DELIVERIES);
                double rate = DELIVERIES / ((System.nanoTime() - start) / 1e9);
                limitsJvm.add(scratch + ": warm-up " + warmup + "; measured " + measured.sinceStart());
                return rate;
            } finally {
                try (Statement ddl = db.createStatement()) {
                    db.setAutoCommit(true);
                    ddl.execute("DROP TABLE " + scratch);
                }
            }
        }
    }

    /** The recorder's row, batches of one claim round (500) committed each. */
    private static void insertAttempts(Connection db, String orgId, List<UUID> endpoints, int rows) throws SQLException {
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO webhook.attempts_scratch (id, org_id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, succeeded,
                                                      response_excerpt, error, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (int i = 0; i < rows; i++) {
                Timestamp now = Timestamp.from(Instant.now());
                insert.setObject(1, TypeId.uuidV7());
                insert.setString(2, orgId);
                insert.setObject(3, TypeId.uuidV7());
                insert.setObject(4, endpoints.get(i % endpoints.size()));
                insert.setTimestamp(5, now);
                insert.setObject(6, 204);
                insert.setInt(7, 1);
                insert.setBoolean(8, true);
                insert.setString(9, null);
                insert.setString(10, null);
                insert.setTimestamp(11, null);
                insert.setTimestamp(12, now);
                insert.setTimestamp(13, now);
                insert.addBatch();
                if ((i + 1) % INSERT_BATCH == 0 || i + 1 == rows) {
                    insert.executeBatch();
                    db.commit();
                }
            }
        }
    }

    // 3c. Reference: PostgreSQL doing every write of a delivery on the live path, and nothing else.

    /**
     * Per batch of 500 (one transaction): insert the deliveries (as fan-out does, one message per ten), mark them
     * succeeded, and insert their attempts, on scratch copies of the tables with their indexes; no HTTP, no signing.
     */
    private double deliveryWrites(String orgId, List<UUID> endpoints) throws Exception {
        return onScratchTables(List.of("messages", "deliveries", "attempts"), (db, rows) -> writeDeliveries(db, orgId, endpoints, rows));
    }

    private static void execute(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        statement.executeUpdate();
    }

    private static void writeDeliveries(Connection db, String orgId, List<UUID> endpoints, int rows) throws SQLException {
        db.setAutoCommit(false);
        for (int done = 0; done < rows; done += INSERT_BATCH) {
            int size = Math.min(INSERT_BATCH, rows - done);
            UUID[] ids = new UUID[size];
            UUID[] messageIds = new UUID[size];
            UUID[] endpointIds = new UUID[size];
            for (int i = 0; i < size; i++) {
                ids[i] = TypeId.uuidV7();
                messageIds[i] = i % ENDPOINTS == 0 ? TypeId.uuidV7() : messageIds[i - 1];
                endpointIds[i] = endpoints.get(i % endpoints.size());
            }
            Timestamp now = Timestamp.from(Instant.now());
            try (PreparedStatement messages = db.prepareStatement("""
                    INSERT INTO webhook.messages_scratch (id, org_id, event_id, type, aggregate_id, payload, created_at)
                    SELECT DISTINCT m, ?::text, m::text, 'connection.updated', 'conn_1', repeat('x', 290), ?::timestamptz FROM unnest(?::uuid[]) AS m""");
                 PreparedStatement deliveries = db.prepareStatement("""
                    INSERT INTO webhook.deliveries_scratch (id, org_id, endpoint_id, message_id, event_type, aggregate_id, status, next_attempt_at,
                                                            created_at, updated_at)
                    SELECT v.id, ?, v.endpoint_id, v.message_id, 'connection.updated', 'conn_1', 'pending', ?, ?, ?
                    FROM unnest(?::uuid[], ?::uuid[], ?::uuid[]) AS v(id, endpoint_id, message_id)""");
                 PreparedStatement succeeded = db.prepareStatement("""
                    UPDATE webhook.deliveries_scratch d SET status = 'succeeded', attempts = 1, next_attempt_at = NULL, last_status_code = 204,
                           succeeded_at = ?, updated_at = ?
                    FROM unnest(?::uuid[]) AS v(id) WHERE d.id = v.id""");
                 PreparedStatement attempts = db.prepareStatement("""
                    INSERT INTO webhook.attempts_scratch (id, org_id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, succeeded,
                                                          created_at, updated_at)
                    SELECT gen_random_uuid(), ?, v.id, v.endpoint_id, ?, 204, 1, true, ?, ?
                    FROM unnest(?::uuid[], ?::uuid[]) AS v(id, endpoint_id)""")) {
                java.sql.Array deliveryIds = db.createArrayOf("uuid", ids);
                java.sql.Array endpointArray = db.createArrayOf("uuid", endpointIds);
                execute(messages, orgId, now, db.createArrayOf("uuid", messageIds));
                execute(deliveries, orgId, now, now, now, deliveryIds, endpointArray, db.createArrayOf("uuid", messageIds));
                db.commit();
                execute(succeeded, now, now, deliveryIds);
                execute(attempts, orgId, now, now, now, deliveryIds, endpointArray);
                db.commit();
            }
        }
    }

    // The receiver: 204 with keep-alive; counts POSTs, and times the latency endpoint's arrivals.

    /** An event's way to the receiver: its total latency, and the wall-clock times it was published and arrived. */
    record Stage(String eventId, long totalNanos, long sentMicros, long arrivedMicros) {
    }

    private static long arrivedMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    static final class Receiver {
        final AtomicLong posts = new AtomicLong();
        final Samples latencies = new Samples();
        final java.util.Queue<Stage> stages = new java.util.concurrent.ConcurrentLinkedQueue<>();

        void handle(io.vertx.core.http.HttpServerRequest request) {
            request.body().onComplete(body -> {
                long arrived = System.nanoTime();
                posts.incrementAndGet();
                if (body.succeeded() && request.path().equals("/latency")) {
                    try {
                        JsonNode data = JSON.readTree(body.result().getBytes()).path("data");
                        if ("run".equals(data.path("phase").asText()) || "warmup".equals(data.path("phase").asText())) {
                            latencies.add(arrived - data.path("sent_at_nanos").asLong());
                            stages.add(new Stage(request.getHeader("webhook-id"), arrived - data.path("sent_at_nanos").asLong(),
                                    data.path("sent_at_micros").asLong(), arrivedMicros()));
                        }
                    } catch (java.io.IOException unreadable) {
                        // counted as a missing sample
                    }
                }
                request.response().setStatusCode(204).end();
            });
        }
    }

    static final class Samples {
        private long[] values = new long[16_384];
        private int size;

        synchronized void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        synchronized int size() {
            return size;
        }

        synchronized void clear() {
            size = 0;
        }

        synchronized long[] snapshot() {
            return Arrays.copyOf(values, size);
        }
    }

    // Setup and report.

    private static void register(String orgId, String url) {
        RestAssured.given().header("Authorization", TestCredentials.bearer(orgId, "webhooks:manage")).contentType(ContentType.JSON)
                .body(Map.of("url", url, "events", List.of("connection.*"))).post("/v1/webhooks").then().statusCode(201);
    }

    private List<UUID> endpointIds(String orgId) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("SELECT id FROM webhook.endpoints WHERE org_id = ? ORDER BY url")) {
            select.setString(1, orgId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getObject(1, UUID.class));
                }
            }
        }
        assertEquals(ENDPOINTS, ids.size());
        return ids;
    }

    /** A webhook body as FanOut builds it for a connection.updated event; @ID@ becomes each message's event id. */
    private static String sampleBody(String orgId) throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", "conn_01h455vb4pex5vsknk084sn02q");
        data.put("provider", "postgres");
        data.put("name", "Warehouse");
        data.put("status", "active");
        data.put("phase", "throughput");
        data.put("sent_at_nanos", 1_795_000_000_000_000L);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "@ID@");
        body.put("type", "connection.updated");
        body.put("created_at", Instant.now().toString());
        body.put("org_id", orgId);
        body.put("data", data);
        return JSON.writeValueAsString(body);
    }

    /** Row updates of webhook.deliveries so far: a claim (the lease), a postponement and the recording each update a delivery once. */
    private long deliveryUpdates() throws SQLException {
        return count("SELECT n_tup_upd FROM pg_stat_user_tables WHERE schemaname = 'webhook' AND relname = 'deliveries'");
    }

    /** How the platform's consumer saw the run: how many polled batches, their mean size and handling time. */
    private String batches() {
        var sizes = metrics.find("weft.events.batch.size").summary();
        var times = metrics.find("weft.events.batch.duration").timer();
        if (sizes == null || times == null) {
            return "not measured";
        }
        return String.format("%,d batches, %.1f records and %.2f ms each on average, largest %.0f records", sizes.count(), sizes.mean(),
                times.mean(TimeUnit.MILLISECONDS), sizes.max());
    }

    private long count(String sql) throws SQLException {
        try (Connection db = dataSource.getConnection(); Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static String millis(long[] sorted, int sent, double quantile) {
        if (sent == 0) {
            return "none";
        }
        int rank = Math.max(1, (int) Math.ceil(quantile * sent));
        return rank <= sorted.length ? String.format("%.1f", sorted[rank - 1] / 1e6) : "not arrived";
    }

    private String report(Throughput streamed, Throughput delivered, Latency latency, double rawPosts, double senderOnly, double inserts, double writes,
                          int bodyBytes) {
        // The live path costs at least a send and a delivery's writes, done one after the other on the same two cores:
        // 1 / (1/sender + 1/writes) deliveries/s is what it could reach if nothing else took any time.
        double summedCost = 1 / (1 / senderOnly + 1 / writes);
        return String.format("""
                | measure | figure |
                |---|---|
                | **live path ÷ summed-cost limit** (goal ≥ 0.80): sustained deliveries/s ÷ 1 / (1/sender alone + 1/PostgreSQL alone doing a delivery's writes) | **%.2f** |
                | summed-cost limit, deliveries/s | %,.0f |
                | **sustained signed, recorded deliveries/s**, live path (%,d events on Kafka × %d endpoints; first to last attempt recorded) | **%,.0f** |
                | same, from the first publish to the last attempt row | %,.0f |
                | **sustained deliveries/s ÷ insert limit** (goal ≥ 0.50) | **%.3f** |
                | backlog drain: signed, recorded deliveries/s (%,d preloaded, %d endpoints; claimed, sent, recorded) | %,.0f |
                | same, from the preload's commit to the last attempt row | %,.0f |
                | raw keep-alive POSTs/s to the same receivers (%d ports), %d in flight, at most %d connections per port, no database (limit) | %,.0f |
                | diagnostic: the service's OutboundClient alone, same concurrency, headers and body, no database or signing, sends/s | %,.0f |
                | PostgreSQL batched INSERT of the same attempt rows, rows/s (batches of %d, reWriteBatchedInserts) (limit) | %,.0f |
                | backlog drain ÷ insert limit | %.3f |
                | reference: PostgreSQL alone doing a delivery's writes (fan-out insert, success update, attempt insert; two commits per 500), deliveries/s | %,.0f |
                | sustained deliveries/s ÷ that reference | %.3f |
                | sustained deliveries/s ÷ raw POST rate | %.3f |
                | event-to-webhook latency at %d events/s for %d s (achieved %,.0f/s; %,d of %,d arrived within 60 s of the last): p50 / p95 / p99 / max ms | %s / %s / %s / %s |
                | diagnostic: p50 of the events that did arrive, ms | %s |

                Goals: ≥ 10,000 deliveries/s and ≥ 0.50 of the insert limit; p99 < 100 ms. Body %d bytes; claim batch %d, %d in flight per
                endpoint. Each delivery row was updated %.1f times on average on the live path and %.1f times in the backlog (claim lease,
                postponements, recording); the receiver answered %,d and %,d POSTs. PostgreSQL %s, Kafka in-process KRaft.
                Polled batches of domain events over the whole run: %s.
                Live path warm-up: %s. Latency warm-up: %s. The JVM's own work during the measured phases (the JIT compilers' CPU time, stop-the-world collections):
                live path %s; backlog drain %s; latency run %s.
                Backlog drain: %s.
                Latency by stage (medians): %s.
                Limits: %s.
                """,
                streamed.perSecond() / summedCost, summedCost,
                streamed.deliveries() / ENDPOINTS, ENDPOINTS, streamed.perSecond(), streamed.commitToLastPerSecond(), streamed.perSecond() / inserts,
                delivered.deliveries(), ENDPOINTS, delivered.perSecond(), delivered.commitToLastPerSecond(),
                ENDPOINTS, ENDPOINTS * config.maxInFlightPerEndpoint(), 50, rawPosts, senderOnly, INSERT_BATCH, inserts,
                delivered.perSecond() / inserts, writes, streamed.perSecond() / writes, streamed.perSecond() / rawPosts,
                EVENTS_PER_SECOND, LATENCY_RUN.toSeconds(), latency.achievedRate(), latency.arrived(), latency.sent(),
                latency.p50(), latency.p95(), latency.p99(), latency.max(), latency.arrivedP50(),
                bodyBytes, config.claimBatch(), config.maxInFlightPerEndpoint(), streamed.updatesPerDelivery(), delivered.updatesPerDelivery(),
                streamed.receivedPosts(), delivered.receivedPosts(),
                System.getenv("WEFT_TEST_PG_URL") == null ? "embedded" : "local server", batches(), streamWarmup, latencyWarmup, streamed.jvm(), delivered.jvm(),
                latency.jvm(), drainClaims, latencyStages, String.join("; ", limitsJvm));
    }
}
