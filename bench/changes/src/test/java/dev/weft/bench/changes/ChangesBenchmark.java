package dev.weft.bench.changes;

import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import dev.weft.testing.bench.WarmUp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.io.File;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Change capture end to end, in one run: connections-service's beans in this JVM (real PostgreSQL for its own schema,
 * real in-process Kafka), a stream created through {@code POST /v1/connections/{id}/streams} on a table of an embedded
 * PostgreSQL with {@code wal_level=logical} (the customer's database), and a plain Kafka consumer counting the
 * {@code record.created} events on weft.records.events:
 * <ol>
 *   <li>throughput: {@value #ROWS_DEFAULT} rows inserted in transactions of {@value #BATCH} while the stream runs,
 *       timed from the first commit to the last event consumed;</li>
 *   <li>lag: rows committed at an offered 1,000 changes/s (transactions of 10 every 10 ms) for 30 s, each row's lag
 *       from the writer's commit returning to its event being consumed;</li>
 *   <li>catch-up: the stream paused while the same number of rows is committed, then resumed, timed from the first event
 *       consumed to the last: the slot read as the bare readers read theirs, with no writer beside it;</li>
 *   <li>the limit: {@code pg_recvlogical} (pgoutput, the same publication-per-table set-up the stream uses) reading a
 *       slot holding the same number of committed rows to its end, writing nowhere; and, to split where the time goes,
 *       a bare Debezium embedded engine (the connector the stream runs) discarding every record, measured as the
 *       stream is (streaming while the same rows are committed), and once more started on a slot already holding
 *       them (beside the catch-up).</li>
 * </ol>
 * Throughput, catch-up and the bare readers each run {@link #REPEATS} times (3 by default), their medians the figures;
 * before them, warm-up until the JIT compilers are quiet over 20 s. Writes its table to target/changes-benchmark.md.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ChangesBenchmark {
    private static final int ROWS_DEFAULT = 200_000;
    /** At most 400,000: the throughput and catch-up phases' row ids must not overlap. */
    private static final int ROWS = Math.min(Integer.getInteger("bench.rows", ROWS_DEFAULT), 400_000);
    /**
     * Rows streamed in each warm-up round before the measured phase. Rounds go on until the JIT compilers are quiet: one
     * fixed round of 20,000 rows left C2 compiling through the phase (a flight recording counted 60 compilations in it).
     */
    private static final int WARMUP_ROWS = Math.min(Integer.getInteger("bench.warmup-rows", 20_000), 1_999_000);
    /**
     * Quiet means the compilers used under 5 % of the last 20 s of warm-up rounds (one quiet round of half a second, the
     * criterion until 2026-12-06, still left C2 with a sixth of a core through the measured phases: code run once a batch
     * reaches C2's thresholds only after minutes). At most 4 minutes; warm-up ids are used again once they run out.
     */
    private static final Duration WARMUP_WINDOW = Duration.ofSeconds(Integer.getInteger("bench.warmup-window-seconds", 20));
    private static final Duration MAX_WARMUP = Duration.ofSeconds(Integer.getInteger("bench.max-warmup-seconds", 240));
    /** The first id of the next warm-up rows (below RUN_BASE). */
    private long nextWarmupId = WARMUP_BASE;
    private String warmupSummary = "none";
    /**
     * Rows of each catch-up warm-up round. A resumed stream (and a freshly started bare engine) takes paths the live phase
     * never takes (a full engine queue, full relay rounds): unwarmed, C2 deoptimised and recompiled about 200 methods in
     * the measured catch-up, 6 s of compiler CPU in a 15 s phase (flight recording, 2026-12-05 21:05).
     */
    private static final int CATCHUP_WARMUP_ROWS = Integer.getInteger("bench.catchup-warmup-rows", 100_000);
    private static final Duration MAX_CATCHUP_WARMUP = Duration.ofSeconds(Integer.getInteger("bench.max-catchup-warmup-seconds", 120));
    private static final Duration MAX_BARE_CATCHUP_WARMUP = Duration.ofSeconds(Integer.getInteger("bench.max-bare-catchup-warmup-seconds", 60));
    private String catchUpWarmupSummary = "none";
    private String bareCatchUpWarmupSummary = "none";
    /**
     * Each measured phase runs this many times, and its median is the figure: phases of a few seconds moved by ±25 %
     * between runs of the same code (a GC cycle, a burst of compilation), and the ratio sat at that edge.
     */
    private static final int REPEATS = Math.max(1, Integer.getInteger("bench.repeats", 3));
    private static final int BATCH = 1_000;
    private static final int LAG_RATE = 1_000;
    private static final int LAG_TX_ROWS = 10;
    private static final int LAG_SECONDS = Integer.getInteger("bench.lag-seconds", 30);
    private static final int BARE_LAG_SECONDS = 10;
    /** poll.interval.ms as PostgresLog sets it for a stream. */
    private static final int STREAM_POLL_MILLIS = 50;
    private static final String SCHEMA = "bench_changes";

    // Disjoint id ranges, so one consumer tells the phases apart by the record key alone.
    private static final long WARMUP_BASE = 0;
    private static final long RUN_BASE = 2_000_000;
    private static final long BACKLOG_BASE = 2_400_000;
    private static final long LAG_BASE = 3_000_000;
    private static final int ID_SPACE = 3_100_000;
    private static final int LAG_CAPACITY = (int) (ID_SPACE - LAG_BASE);

    private int port;
    private final AtomicLongArray arrivedAt = new AtomicLongArray(ID_SPACE);
    /** Events arrived by phase: warm-up, throughput, lag, catch-up. */
    private final AtomicLong[] arrivedIn = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong();
    private volatile String keyPrefix = "\u0000";
    private volatile boolean consuming = true;
    // For the lag rows only (index id - LAG_BASE), wall-clock milliseconds: when Weft turned the change into an event
    // (the event's occurred_at) and when the outbox relay handed it to the producer (the Kafka record's timestamp).
    private final AtomicLongArray lagConverted = new AtomicLongArray(LAG_CAPACITY);
    private final AtomicLongArray lagSent = new AtomicLongArray(LAG_CAPACITY);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @Test
    void change_capture_throughput_lag_and_bare_reader() throws Exception {
        port = WeftTestInfra.sourcePostgresPort();
        execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        String table = createTable("rows");
        String org = TypeId.generate("org");
        String connection = api(org).body(Map.of("provider", "postgres", "name", "Bench source",
                        "config", Map.of("host", "127.0.0.1", "port", port, "database", "postgres", "schema", SCHEMA, "ssl_mode", "disable"),
                        "credentials", Map.of("username", "postgres")))
                .when().post("/v1/connections").then().statusCode(201).extract().path("id");
        keyPrefix = connection + "/";

        Thread consumer = Thread.ofPlatform().name("bench-consumer").start(this::consume);
        Throughput run;
        List<Throughput> runs = new ArrayList<>();
        List<CatchUp> catchUps = new ArrayList<>();
        Lag lag;
        CatchUp catchUp;
        String stream;
        try {
            stream = api(org).body(Map.of("object", table)).when().post("/v1/connections/" + connection + "/streams").then().statusCode(201)
                    .extract().path("id");
            awaitStatus(org, connection, stream, "streaming");

            phase("warmup");
            int[] rounds = {0};
            warmupSummary = WarmUp.untilQuietOver(WARMUP_WINDOW, MAX_WARMUP, () -> {
                arrivedIn[0].set(0);
                Throughput warmup = insertAndAwait(table, warmupBase(table, WARMUP_ROWS), WARMUP_ROWS, 0, stream);
                System.out.printf("bench warmup round %d: %,d rows, %,.0f changes/s%n", ++rounds[0], WARMUP_ROWS, warmup.perSecond());
            });
            phase("throughput");
            for (int r = 0; r < REPEATS; r++) {
                if (r > 0) {
                    forget(table, RUN_BASE, ROWS, 1);
                }
                runs.add(insertAndAwait(table, RUN_BASE, ROWS, 1, stream));
                System.out.printf("bench throughput %d: %,.0f changes/s%n", r + 1, runs.getLast().perSecond());
            }
            run = median(runs, Throughput::perSecond);
            phase("lag");
            lag = lag(table, LAG_SECONDS, true);
            System.out.printf("bench lag: p50 %.1f ms, p99 %.1f ms; %s%n", lag.p50() / 1e6, lag.p99() / 1e6, stageSummary);
            phase("catch-up warm-up");
            catchUpWarmupSummary = WarmUp.untilQuietOver(WARMUP_WINDOW, MAX_CATCHUP_WARMUP, () -> {
                arrivedIn[0].set(0);
                CatchUp warm = catchUp(org, connection, table, stream, warmupBase(table, CATCHUP_WARMUP_ROWS), CATCHUP_WARMUP_ROWS, 0);
                System.out.printf("bench catch-up warm-up: %s%n", warm);
            });
            phase("catch-up");
            for (int r = 0; r < REPEATS; r++) {
                if (r > 0) {
                    forget(table, BACKLOG_BASE, ROWS, 3);
                }
                catchUps.add(catchUp(org, connection, table, stream, BACKLOG_BASE, ROWS, 3));
                System.out.printf("bench catch-up %d: %s%n", r + 1, catchUps.getLast());
            }
            catchUp = median(catchUps, CatchUp::perSecond);
            // The stream's slot would decode the bare readers' WAL too: gone before they run, as a stream deleted leaves no slot.
            api(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
        } finally {
            // A flag, not an interrupt: an interrupted KafkaConsumer cannot close cleanly.
            consuming = false;
            consumer.join(10_000);
        }

        phase("bare");
        List<Bare> recvlogicals = new ArrayList<>();
        List<Bare> debeziums = new ArrayList<>();
        for (int r = 0; r < REPEATS; r++) {
            recvlogicals.add(pgRecvlogical());
            System.out.printf("bench pg_recvlogical %d: %s%n", r + 1, recvlogicals.getLast());
            // The lag offer once; the throughput each time.
            debeziums.add(bareDebezium(STREAM_POLL_MILLIS, true, r == 0 ? BARE_LAG_SECONDS : 0));
            System.out.printf("bench bare debezium %d: %s%n", r + 1, debeziums.getLast());
        }
        Bare recvlogical = median(recvlogicals, Bare::perSecond);
        Bare debezium = median(debeziums, Bare::perSecond);
        Lag bareLag = debeziums.getFirst().lag();
        // The same engine with Debezium's default poll interval (500 ms): how much of the lag the poll interval makes.
        Bare defaultPoll = bareDebezium(null, false, BARE_LAG_SECONDS);
        System.out.printf("bench bare debezium: %s%n", defaultPoll);
        bareCatchUpWarmupSummary = WarmUp.untilQuietOver(WARMUP_WINDOW.dividedBy(2), MAX_BARE_CATCHUP_WARMUP, () ->
                System.out.printf("bench bare debezium catch-up warm-up: %s%n", bareDebeziumCatchUp()));
        List<CatchUp> bareCatchUps = new ArrayList<>();
        for (int r = 0; r < REPEATS; r++) {
            bareCatchUps.add(bareDebeziumCatchUp());
            System.out.printf("bench bare debezium catch-up %d: %s%n", r + 1, bareCatchUps.getLast());
        }
        CatchUp bareCatchUp = median(bareCatchUps, CatchUp::perSecond);
        String repetitions = String.format(Locale.ROOT, "Each figure is the median of %d repetitions (CPU tables: the median one's); all of them, changes/s:"
                        + " Weft live %s; bare engine live %s; pg_recvlogical %s; Weft catch-up %s; bare engine catch-up %s.", REPEATS,
                rates(runs, Throughput::perSecond), rates(debeziums, Bare::perSecond), rates(recvlogicals, Bare::perSecond),
                rates(catchUps, CatchUp::perSecond), rates(bareCatchUps, CatchUp::perSecond));

        String report = report(run, lag, recvlogical, debezium, bareLag, defaultPoll, catchUp, bareCatchUp, repetitions);
        System.out.println(report);
        Path target = Path.of("target", "changes-benchmark.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, report, StandardCharsets.UTF_8);
    }

    // 1. Throughput: rows committed in transactions of BATCH while the stream runs.

    record Throughput(int rows, double writeSeconds, double outboxSeconds, double totalSeconds, double firstToLastSeconds, long duplicates,
                      Map<String, Double> cpu, String load) {
        double perSecond() {
            return rows / totalSeconds;
        }
    }

    private Throughput insertAndAwait(String table, long base, int rows, int phase, String stream) throws Exception {
        long publishedBefore = eventsPublished(stream);
        long duplicatesBefore = duplicates.get();
        long[] outboxDone = {0};
        String load = CpuAccount.loadAverage();
        CpuAccount cpu = new CpuAccount(walsenderOf(slotOf(stream)));
        long started = System.nanoTime();
        // Polls the stream's own counter (committed with each batch's events in the outbox) beside the writer, so the
        // figure splits into capture-to-outbox and outbox-to-Kafka.
        Thread watcher = Thread.ofPlatform().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (eventsPublished(stream) - publishedBefore >= rows) {
                        outboxDone[0] = System.nanoTime();
                        return;
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        insertRows(table, base, rows);
        long written = System.nanoTime();
        long deadline = written + TimeUnit.MINUTES.toNanos(3);
        while (arrivedIn[phase].get() < rows && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        watcher.join(5_000);
        watcher.interrupt();
        assertEquals(rows, arrivedIn[phase].get(), "every inserted row's event arrived");
        long last = lastArrival.get();
        long first = firstArrival(base, rows);
        Map<String, Double> used = cpu.finish();
        return new Throughput(rows, seconds(written - started), outboxDone[0] == 0 ? Double.NaN : seconds(outboxDone[0] - started),
                seconds(last - started), seconds(last - first), duplicates.get() - duplicatesBefore, used, load);
    }

    /**
     * The first id of a warm-up's next rows: ids below RUN_BASE, used again from the start once they run out (the table
     * emptied, a truncate being no record's change, and their arrivals forgotten).
     */
    private long warmupBase(String table, int rows) throws SQLException {
        if (nextWarmupId + rows > RUN_BASE) {
            forget(table, WARMUP_BASE, (int) (RUN_BASE - WARMUP_BASE), 0);
            nextWarmupId = WARMUP_BASE;
        }
        long base = nextWarmupId;
        nextWarmupId += rows;
        return base;
    }

    /** Empties the table and forgets the arrivals of ids base+1..base+rows, so a phase can run again on the same ids. */
    private void forget(String table, long base, int rows, int phase) throws SQLException {
        execute("TRUNCATE " + SCHEMA + "." + table);
        for (long id = base + 1; id <= base + rows; id++) {
            arrivedAt.set((int) id, 0);
        }
        arrivedIn[phase].set(0);
    }

    /** The middle of the runs by {@code rate} (the lower middle of an even number). */
    private static <T> T median(List<T> runs, java.util.function.ToDoubleFunction<T> rate) {
        List<T> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(rate));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static <T> String rates(List<T> runs, java.util.function.ToDoubleFunction<T> rate) {
        return String.join(" / ", runs.stream().map(r -> String.format(Locale.ROOT, "%,.0f", rate.applyAsDouble(r))).toList());
    }

    private long firstArrival(long base, int rows) {
        long first = Long.MAX_VALUE;
        for (long id = base + 1; id <= base + rows; id++) {
            first = Math.min(first, arrivedAt.get((int) id));
        }
        return first;
    }

    // 1b. Catch-up: a slot that already holds ROWS committed rows, read to its end (as pg_recvlogical is measured), with no
    // writer competing for the two cores. The stream is paused while they are committed, then resumed.

    /** {@code startToOutboxSeconds}: from the resume until the stream's last batch was committed to the outbox (NaN for the bare engine). */
    record CatchUp(String reader, int rows, double firstToLastSeconds, double startToLastSeconds, double startToOutboxSeconds,
                   Map<String, Double> cpu) {
        double perSecond() {
            return rows / firstToLastSeconds;
        }

        @Override
        public String toString() {
            return String.format("%s: %,.0f changes/s first to last (%,d rows in %.2f s; %.2f s from the resume or start; %.2f s to the outbox)", reader,
                    perSecond(), rows, firstToLastSeconds, startToLastSeconds, startToOutboxSeconds);
        }
    }

    /** Rows base+1..base+rows committed while the stream is paused, then read after the resume; their events count in arrivedIn[phase]. */
    private CatchUp catchUp(String org, String connection, String table, String stream, long base, int rows, int phase) throws Exception {
        String path = "/v1/connections/" + connection + "/streams/" + stream;
        api(org).contentType("application/json").when().post(path + "/pause").then().statusCode(200);
        awaitStatus(org, connection, stream, "paused");
        insertRows(table, base, rows);
        long publishedBefore = eventsPublished(stream);
        // How much WAL the stream's slot makes the server decode again on the resume (from restart_lsn), against what it holds.
        try (Connection db = source(); Statement statement = db.createStatement(); ResultSet slots = statement.executeQuery(
                "SELECT slot_name, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)"
                        + " FROM pg_replication_slots WHERE slot_name LIKE 'weft%'")) {
            while (slots.next()) {
                System.out.printf("bench catch-up: slot %s: restart_lsn %,d bytes behind the server's WAL, confirmed_flush %,d bytes%n",
                        slots.getString(1), slots.getLong(2), slots.getLong(3));
            }
        }
        CpuAccount cpu = new CpuAccount(0);
        long started = System.nanoTime();
        api(org).contentType("application/json").when().post(path + "/resume").then().statusCode(200);
        long deadline = started + TimeUnit.MINUTES.toNanos(3);
        long inOutbox = 0;
        long nextLook = 0;
        // Where the time goes: the engine and the outbox commits (events_published), or the relay, Kafka and the consumer after.
        while ((arrivedIn[phase].get() < rows || inOutbox == 0) && System.nanoTime() < deadline) {
            if (inOutbox == 0 && System.nanoTime() >= nextLook) {
                if (eventsPublished(stream) - publishedBefore >= rows) {
                    inOutbox = System.nanoTime();
                }
                nextLook = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            }
            Thread.sleep(5);
        }
        assertEquals(rows, arrivedIn[phase].get(), "every row committed while the stream was paused arrived after the resume");
        long last = lastArrival.get();
        Map<String, Double> used = cpu.finish();
        return new CatchUp("Weft stream resumed", rows, seconds(last - firstArrival(base, rows)), seconds(last - started),
                inOutbox == 0 ? Double.NaN : seconds(inOutbox - started), used);
    }

    // 2. Lag at an offered 1,000 changes/s.

    record Lag(int offered, double achievedRate, int arrived, long p50, long p95, long p99, long max) {
    }

    private Lag lag(String table, int lagSeconds, boolean weft) throws Exception {
        int total = LAG_RATE * lagSeconds;
        long[] committedAt = new long[total + 1];
        long[] committedWall = new long[total + 1];
        long interval = TimeUnit.SECONDS.toNanos(1) * LAG_TX_ROWS / LAG_RATE;
        long started;
        long ended;
        try (Connection db = source(); PreparedStatement insert = db.prepareStatement("INSERT INTO " + SCHEMA + "." + table
                + " (id, email, status, score, note) SELECT g, 'user' || g || '@example.com', 'new', (g % 10000) / 100.0, repeat('x', 80)"
                + " FROM generate_series(?::bigint, ?::bigint) AS g")) {
            started = System.nanoTime();
            for (int done = 0; done < total; done += LAG_TX_ROWS) {
                // A fixed schedule: a late transaction is not made up for by bunching the next ones.
                long due = started + (done / LAG_TX_ROWS) * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                insert.setLong(1, LAG_BASE + done + 1);
                insert.setLong(2, LAG_BASE + done + LAG_TX_ROWS);
                insert.executeUpdate();
                long committed = System.nanoTime();
                long wall = System.currentTimeMillis();
                for (int i = 1; i <= LAG_TX_ROWS; i++) {
                    committedAt[done + i] = committed;
                    committedWall[done + i] = wall;
                }
            }
            ended = System.nanoTime();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (arrivedIn[2].get() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long[] lags = new long[total];
        int arrived = 0;
        for (int i = 1; i <= total; i++) {
            long at = arrivedAt.get((int) (LAG_BASE + i));
            if (at != 0) {
                lags[arrived++] = at - committedAt[i];
            }
        }
        long[] sorted = Arrays.copyOf(lags, arrived);
        Arrays.sort(sorted);
        if (!weft) {
            return new Lag(total, total / seconds(ended - started), arrived, quantile(sorted, total, 0.50), quantile(sorted, total, 0.95),
                    quantile(sorted, total, 0.99), arrived == 0 ? Long.MAX_VALUE : sorted[arrived - 1]);
        }
        // Where the lag goes, per stage, from wall clocks of this one machine (millisecond resolution).
        long[] toConverted = new long[total];
        long[] toSent = new long[total];
        long[] toConsumed = new long[total];
        int staged = 0;
        for (int i = 1; i <= total; i++) {
            long converted = lagConverted.get(i);
            long sent = lagSent.get(i);
            long at = arrivedAt.get((int) (LAG_BASE + i));
            if (converted > 0 && sent > 0 && at != 0) {
                toConverted[staged] = converted - committedWall[i];
                toSent[staged] = sent - converted;
                toConsumed[staged] = (at - committedAt[i]) / 1_000_000 - (sent - committedWall[i]);
                staged++;
            }
        }
        stageSummary = String.format("commit → Weft has the change (event occurred_at) %s; → outbox relay sent it (Kafka timestamp) %s;"
                        + " → consumed %s (p50 / p99 ms, %,d rows)", stage(toConverted, staged), stage(toSent, staged), stage(toConsumed, staged),
                staged);
        // Missing events count as infinitely late: the quantiles are of everything offered.
        return new Lag(total, total / seconds(ended - started), arrived, quantile(sorted, total, 0.50), quantile(sorted, total, 0.95),
                quantile(sorted, total, 0.99), arrived == 0 ? Long.MAX_VALUE : sorted[arrived - 1]);
    }

    private String stageSummary = "not measured";

    private static String stage(long[] values, int size) {
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return size == 0 ? "none" : sorted[(int) Math.ceil(0.5 * size) - 1] + " / " + sorted[(int) Math.ceil(0.99 * size) - 1];
    }

    private static long quantile(long[] sorted, int offered, double q) {
        int rank = Math.max(1, (int) Math.ceil(q * offered));
        return rank <= sorted.length ? sorted[rank - 1] : Long.MAX_VALUE;
    }

    // The consumer: weft.records.events from its start, this connection's events by their key.

    private void consume() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-changes-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.RECORDS));
            while (consuming) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.nanoTime();
                for (ConsumerRecord<String, byte[]> record : records) {
                    String key = record.key();
                    if (key == null || !key.startsWith(keyPrefix)) {
                        continue;
                    }
                    long id = idOf(key);
                    if (id <= 0 || id >= ID_SPACE) {
                        continue;
                    }
                    if (arrivedAt.compareAndSet((int) id, 0, now)) {
                        if (id > LAG_BASE) {
                            stages((int) (id - LAG_BASE), record);
                        }
                        arrivedIn[id > LAG_BASE ? 2 : id > BACKLOG_BASE ? 3 : id > RUN_BASE ? 1 : 0].incrementAndGet();
                        lastArrival.set(now);
                    } else {
                        duplicates.incrementAndGet();
                    }
                }
            }
        }
    }

    private void stages(int index, ConsumerRecord<String, byte[]> record) {
        lagSent.set(index, record.timestamp());
        try {
            var occurred = JSON.readTree(record.value()).path("occurred_at");
            long millis = occurred.isNumber() ? (long) (occurred.asDouble() * 1000)
                    : occurred.isTextual() ? java.time.Instant.parse(occurred.asText()).toEpochMilli() : 0;
            lagConverted.set(index, millis);
        } catch (java.io.IOException | java.time.format.DateTimeParseException unreadable) {
            // counted as a missing stage sample
        }
    }

    /** The row id from the event's Kafka key, {@code <connection>/<object>/{"id":<n>}}. */
    private static long idOf(String key) {
        int start = key.lastIndexOf(':');
        int end = key.lastIndexOf('}');
        if (start < 0 || end <= start) {
            return -1;
        }
        try {
            return Long.parseLong(key, start + 1, end, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // 3. The limits: bare readers of the same kind of slot, each on a backlog of ROWS committed rows.

    record Bare(String reader, int rows, double seconds, String note, Map<String, Double> cpu, Lag lag) {
        double perSecond() {
            return rows / seconds;
        }

        @Override
        public String toString() {
            return String.format("%s: %,.0f changes/s (%,d rows in %.2f s; %s)%s", reader, perSecond(), rows, seconds, note,
                    lag == null ? "" : String.format("; lag p50 %s ms, p99 %s ms", millis(lag.p50()), millis(lag.p99())));
        }
    }

    /**
     * pg_recvlogical from the machine's PostgreSQL client binaries, with pgoutput and a publication of one table, as the
     * stream's slot is set up; the slot made before the rows are committed, read from its start to the LSN after them.
     */
    private Bare pgRecvlogical() throws Exception {
        String binary = findPgRecvlogical();
        if (binary == null) {
            return new Bare("pg_recvlogical", ROWS, Double.NaN, "not found on this machine", Map.of(), null);
        }
        String table = createTable("bare");
        String slot = "bench_bare_" + Long.toString(System.nanoTime(), 36);
        execute("CREATE PUBLICATION " + slot + " FOR TABLE " + SCHEMA + "." + table,
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            insertBacklog(table);
            String end = single("SELECT pg_current_wal_lsn()::text");
            File output = Path.of("target", "pg_recvlogical.out").toFile();
            Process process = new ProcessBuilder(binary, "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres",
                    "--slot", slot, "--start", "--endpos", end, "--no-loop", "-o", "proto_version=1", "-o", "publication_names=" + slot,
                    "-f", "/dev/null")
                    .redirectErrorStream(true).redirectOutput(output).start();
            long started = System.nanoTime();
            boolean exited = process.waitFor(3, TimeUnit.MINUTES);
            long done = System.nanoTime();
            if (!exited) {
                process.destroyForcibly();
            }
            String confirmed = single("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
            String note = String.format("%s, exit %s, read to %s, slot confirmed %s", binary, exited ? process.exitValue() : "none (killed)", end,
                    confirmed);
            return new Bare("pg_recvlogical", ROWS, seconds(done - started), note, Map.of(), null);
        } finally {
            execute("SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION " + slot, "DROP TABLE " + SCHEMA + "." + table);
        }
    }

    private static String findPgRecvlogical() {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        if (versions != null) {
            Arrays.sort(versions);
            for (int i = versions.length - 1; i >= 0; i--) {
                File candidate = new File(versions[i], "bin/pg_recvlogical");
                if (candidate.canExecute()) {
                    return candidate.getPath();
                }
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "pg_recvlogical");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        return null;
    }

    /**
     * The connector the stream runs (Debezium's PostgreSQL connector in the embedded engine, pgoutput, the same batch
     * and queue sizes) with its offsets in memory and every record discarded, measured as the stream is: streaming
     * before the rows are committed, timed from the first commit to the last change handed over. What the stream costs
     * before Weft turns the records into events and commits them.
     */
    private Bare bareDebezium(Integer pollIntervalMillis, boolean throughput, int lagSeconds) throws Exception {
        String table = createTable("debezium");
        String slot = "bench_dbz_" + Long.toString(System.nanoTime(), 36);
        execute("CREATE PUBLICATION " + slot + " FOR TABLE " + SCHEMA + "." + table);
        AtomicLong changes = new AtomicLong();
        AtomicLong lastChange = new AtomicLong();
        Properties properties = bareEngineProperties(slot, table, pollIntervalMillis);
        var engine = io.debezium.engine.DebeziumEngine.create(io.debezium.engine.format.ChangeEventFormat.of(io.debezium.embedded.Connect.class))
                .using(properties)
                .using(getClass().getClassLoader())
                .notifying((List<io.debezium.engine.RecordChangeEvent<org.apache.kafka.connect.source.SourceRecord>> records,
                            io.debezium.engine.DebeziumEngine.RecordCommitter<io.debezium.engine.RecordChangeEvent<org.apache.kafka.connect.source.SourceRecord>> committer) -> {
                    long data = 0;
                    long now = System.nanoTime();
                    for (var event : records) {
                        if (event.record().value() instanceof org.apache.kafka.connect.data.Struct value && value.schema().field("op") != null) {
                            data++;
                            org.apache.kafka.connect.data.Struct after = value.getStruct("after");
                            Object id = after == null ? null : after.get("id");
                            if (id instanceof Long row && row > LAG_BASE && row < ID_SPACE && arrivedAt.compareAndSet((int) (long) row, 0, now)) {
                                arrivedIn[2].incrementAndGet();
                            }
                        }
                        committer.markProcessed(event);
                    }
                    committer.markBatchFinished();
                    if (data > 0) {
                        changes.addAndGet(data);
                        lastChange.set(System.nanoTime());
                    }
                })
                .build();
        var runner = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            runner.execute(engine);
            // Streaming once a probe row's change comes through.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int probe = 1; changes.get() == 0 && System.nanoTime() < deadline; probe++) {
                execute("INSERT INTO " + SCHEMA + "." + table + " (id, email) VALUES (" + -probe + ", 'probe@example.com')");
                Thread.sleep(500);
            }
            Thread.sleep(1_000);
            String label = "bare Debezium engine, poll.interval.ms " + (pollIntervalMillis == null ? "default (500)" : pollIntervalMillis + " (as the stream)");
            double rate = Double.NaN;
            String note = "throughput not measured";
            Map<String, Double> used = Map.of();
            if (throughput) {
                long before = changes.get();
                CpuAccount cpu = new CpuAccount(walsenderOf(slot));
                long started = System.nanoTime();
                insertRows(table, 0, ROWS);
                long written = System.nanoTime();
                deadline = written + TimeUnit.MINUTES.toNanos(3);
                while (changes.get() - before < ROWS && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                long done = lastChange.get();
                used = cpu.finish();
                note = String.format("%,d of %,d changes handed over; writer %.2f s", changes.get() - before, ROWS, seconds(written - started));
                rate = seconds(done - started);
            }
            Lag lag = null;
            if (lagSeconds > 0) {
                for (int i = 1; i <= LAG_RATE * lagSeconds; i++) {
                    arrivedAt.set((int) (LAG_BASE + i), 0);
                }
                arrivedIn[2].set(0);
                lag = lag(table, lagSeconds, false);
            }
            return new Bare(label, ROWS, rate, note, used, lag);
        } finally {
            engine.close();
            runner.shutdown();
            runner.awaitTermination(30, TimeUnit.SECONDS);
            execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'",
                    "DROP PUBLICATION " + slot, "DROP TABLE " + SCHEMA + "." + table);
        }
    }

    /** The stream's connector and settings (LogSources, PostgresLog), offsets in memory. */
    private Properties bareEngineProperties(String slot, String table, Integer pollIntervalMillis) {
        Properties properties = new Properties();
        properties.setProperty("name", slot);
        properties.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        properties.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        properties.setProperty("offset.flush.interval.ms", "0");
        properties.setProperty("topic.prefix", slot);
        properties.setProperty("database.hostname", "127.0.0.1");
        properties.setProperty("database.port", String.valueOf(port));
        properties.setProperty("database.dbname", "postgres");
        properties.setProperty("database.user", "postgres");
        properties.setProperty("database.sslmode", "disable");
        properties.setProperty("plugin.name", "pgoutput");
        properties.setProperty("slot.name", slot);
        properties.setProperty("publication.name", slot);
        properties.setProperty("publication.autocreate.mode", "disabled");
        properties.setProperty("table.include.list", SCHEMA + "\\." + table);
        properties.setProperty("snapshot.mode", "no_data");
        properties.setProperty("decimal.handling.mode", "precise");
        properties.setProperty("tombstones.on.delete", "false");
        properties.setProperty("include.schema.changes", "false");
        properties.setProperty("heartbeat.interval.ms", "10000");
        properties.setProperty("max.batch.size", "2048");
        properties.setProperty("max.queue.size", "8192");
        if (pollIntervalMillis != null) {
            properties.setProperty("poll.interval.ms", pollIntervalMillis.toString());
        }
        return properties;
    }

    /**
     * The bare engine on a slot made before ROWS rows were committed (as pg_recvlogical's and the resumed stream's), started
     * afterwards: timed from the first change handed over to the last.
     */
    private CatchUp bareDebeziumCatchUp() throws Exception {
        String table = createTable("dbzbacklog");
        String slot = "bench_dbzb_" + Long.toString(System.nanoTime(), 36);
        execute("CREATE PUBLICATION " + slot + " FOR TABLE " + SCHEMA + "." + table,
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        AtomicLong changes = new AtomicLong();
        AtomicLong firstChange = new AtomicLong();
        AtomicLong lastChange = new AtomicLong();
        try {
            insertBacklog(table);
            var engine = io.debezium.engine.DebeziumEngine.create(io.debezium.engine.format.ChangeEventFormat.of(io.debezium.embedded.Connect.class))
                    .using(bareEngineProperties(slot, table, STREAM_POLL_MILLIS))
                    .using(getClass().getClassLoader())
                    .notifying((List<io.debezium.engine.RecordChangeEvent<org.apache.kafka.connect.source.SourceRecord>> records,
                                io.debezium.engine.DebeziumEngine.RecordCommitter<io.debezium.engine.RecordChangeEvent<org.apache.kafka.connect.source.SourceRecord>> committer) -> {
                        long data = 0;
                        for (var event : records) {
                            if (event.record().value() instanceof org.apache.kafka.connect.data.Struct value && value.schema().field("op") != null) {
                                data++;
                            }
                            committer.markProcessed(event);
                        }
                        committer.markBatchFinished();
                        if (data > 0) {
                            long now = System.nanoTime();
                            firstChange.compareAndSet(0, now);
                            changes.addAndGet(data);
                            lastChange.set(now);
                        }
                    })
                    .build();
            var runner = java.util.concurrent.Executors.newSingleThreadExecutor();
            CpuAccount cpu = new CpuAccount(0);
            long started = System.nanoTime();
            try {
                runner.execute(engine);
                long deadline = started + TimeUnit.MINUTES.toNanos(3);
                while (changes.get() < ROWS && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            } finally {
                engine.close();
                runner.shutdown();
                runner.awaitTermination(30, TimeUnit.SECONDS);
            }
            assertEquals(ROWS, changes.get(), "the bare engine read every committed row");
            Map<String, Double> used = cpu.finish();
            return new CatchUp("bare Debezium engine started on the slot", ROWS, seconds(lastChange.get() - firstChange.get()),
                    seconds(lastChange.get() - started), Double.NaN, used);
        } finally {
            execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'",
                    "DROP PUBLICATION " + slot, "DROP TABLE " + SCHEMA + "." + table);
        }
    }

    private void insertBacklog(String table) throws SQLException {
        insertRows(table, 0, ROWS);
    }

    /** Rows base+1..base+rows, committed in transactions of BATCH, as fast as one connection goes. */
    private void insertRows(String table, long base, int rows) throws SQLException {
        try (Connection db = source(); PreparedStatement insert = db.prepareStatement("INSERT INTO " + SCHEMA + "." + table
                + " (id, email, status, score, note) SELECT g, 'user' || g || '@example.com', 'new', (g % 10000) / 100.0, repeat('x', 80)"
                + " FROM generate_series(?::bigint, ?::bigint) AS g")) {
            for (long from = base + 1; from <= base + rows; from += BATCH) {
                insert.setLong(1, from);
                insert.setLong(2, Math.min(from + BATCH - 1, base + rows));
                insert.executeUpdate();
            }
        }
    }
    // Set-up and report.

    private String createTable(String prefix) throws SQLException {
        String table = prefix + "_" + Long.toString(System.nanoTime(), 36);
        execute("CREATE TABLE " + SCHEMA + "." + table + " (id bigint PRIMARY KEY, email text NOT NULL, status text, score numeric(10,2),"
                + " note text, updated_at timestamptz NOT NULL DEFAULT now())");
        return table;
    }

    private static RequestSpecification api(String org) {
        return RestAssured.given().header("Authorization", TestCredentials.bearer(org, "connections:read", "connections:write"))
                .contentType(ContentType.JSON);
    }

    private static void awaitStatus(String org, String connection, String stream, String status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String current = null;
        while (System.nanoTime() < deadline) {
            current = api(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200).extract().path("status");
            if (status.equals(current)) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(status, current, "stream status");
    }

    /** events_published of the stream, straight from connections-service's table (an API call per poll would load the JVM more). */
    private static long eventsPublished(String stream) throws SQLException {
        UUID id = TypeId.parse("strm", stream).orElseThrow();
        try (Connection db = DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             PreparedStatement select = db.prepareStatement("SELECT events_published FROM connections.streams WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    /**
     * A session on the source database. The embedded server runs with synchronous_commit=off, which leaves a commit's WAL
     * to the WAL writer (up to wal_writer_delay, 200 ms, before a walsender may send it); writers here commit as
     * PostgreSQL's default does, flushed at commit, so the lag is what a customer's database would show.
     */
    private Connection source() throws SQLException {
        Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        try (Statement statement = db.createStatement()) {
            statement.execute("SET synchronous_commit = on");
        }
        return db;
    }

    private void execute(String... statements) throws SQLException {
        try (Connection db = source(); Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private String single(String sql) throws SQLException {
        try (Connection db = source(); Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    /** The replication slot PostgresLog names after the stream. */
    private static String slotOf(String stream) {
        return "weft_" + TypeId.parse("strm", stream).orElseThrow().toString().replace("-", "");
    }

    /** The walsender process serving a slot (a child of the embedded PostgreSQL, on this machine). */
    private int walsenderOf(String slot) throws SQLException {
        String pid = single("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        return pid == null ? 0 : Integer.parseInt(pid);
    }

    private static String cpuTable(Map<String, Double> weft, int weftRows, Map<String, Double> bare, int bareRows) {
        StringBuilder table = new StringBuilder("| CPU during the phase | Weft stream: CPU-s | µs per change | bare Debezium: CPU-s | µs per change |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, Double> row : weft.entrySet()) {
            Double bareCpu = bare.get(row.getKey());
            boolean perChange = !row.getKey().startsWith("machine capacity") && !row.getKey().equals("wall");
            table.append(String.format("| %s | %.2f | %s | %s | %s |%n", row.getKey(), row.getValue(),
                    perChange ? String.format("%.1f", row.getValue() * 1e6 / weftRows) : "",
                    bareCpu == null ? "" : String.format("%.2f", bareCpu),
                    bareCpu == null || !perChange ? "" : String.format("%.1f", bareCpu * 1e6 / bareRows)));
        }
        return table.toString();
    }

    private static void phase(String name) {
        // Phase boundaries in the output, to line a profile up with the phases.
        System.out.printf("bench phase %s started %s%n", name, java.time.Instant.now());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String millis(long nanos) {
        return nanos == Long.MAX_VALUE ? "not arrived" : String.format("%.0f", nanos / 1e6);
    }

    private String report(Throughput run, Lag lag, Bare recvlogical, Bare debezium, Lag bareLag, Bare defaultPoll, CatchUp catchUp,
                          CatchUp bareCatchUp, String repetitions) throws SQLException {
        double ratio = run.perSecond() / recvlogical.perSecond();
        double engineRatio = run.perSecond() / debezium.perSecond();
        double catchUpRatio = catchUp.perSecond() / bareCatchUp.perSecond();
        String goals = String.format("≥ 20,000 changes/s: **%s**; ≥ 0.50 of the bare reader: pg_recvlogical **%s**, bare Debezium engine live **%s**,"
                        + " catch-up **%s**; lag p99 < 1 s: **%s**",
                run.perSecond() >= 20_000 ? "met" : "not met", ratio >= 0.5 ? "met" : "not met", engineRatio >= 0.5 ? "met" : "not met",
                catchUpRatio >= 0.5 ? "met" : "not met", lag.p99() < 1_000_000_000L ? "met" : "not met");
        return String.format("""
                | measure | figure |
                |---|---|
                | **Weft changes/s**: %,d rows inserted in transactions of %,d while the stream runs, first commit to last record.* event consumed from Kafka | **%,.0f** |
                | writer alone: the same rows committed, s | %.2f |
                | first commit to the stream's last batch committed to the outbox (events_published), s | %.2f |
                | first commit to last event consumed, s | %.2f |
                | first to last event consumed (the drain alone), changes/s | %,.0f |
                | events consumed twice | %,d |
                | **bare reader: pg_recvlogical** (pgoutput, same publication-per-table set-up), a slot holding %,d committed rows read to its end, changes/s | **%,.0f** |
                | **Weft ÷ pg_recvlogical** (goal ≥ 0.50) | **%.2f** |
                | diagnostic: bare Debezium embedded engine (the stream's connector and settings, pgoutput), the same rows committed while it streams, records discarded, changes/s | %,.0f |
                | Weft ÷ bare Debezium engine | %.2f |
                | **catch-up: Weft**, the stream paused while %,d rows were committed, then resumed: first to last event consumed, changes/s (from the resume: %.2f s) | **%,.0f** |
                | **catch-up: bare Debezium engine**, started on a slot holding the same number of committed rows: first to last change handed over, changes/s (from its start: %.2f s) | **%,.0f** |
                | **Weft ÷ bare Debezium engine, catch-up** | **%.2f** |
                | catch-up JVM CPU per change, Weft / bare engine, µs | %.1f / %.1f |
                | **lag, commit to event consumed**, at %,d changes/s offered (transactions of %d) for %d s (achieved %,.0f/s; %,d of %,d arrived): p50 / p95 / p99 / max ms | **%s / %s / %s / %s** |
                | diagnostic: bare Debezium engine's lag, commit to change handed over, same offer for %d s, poll.interval.ms 50 as the stream: p50 / p99 ms | %s / %s |
                | diagnostic: the same with Debezium's default poll.interval.ms (500): p50 / p99 ms | %s / %s |

                %s

                Lag by stage: %s.

                %s
                CPU while catching up (from the resume, or the bare engine's start, to the last change):

                %s
                Load average before the throughput phase: %s. Warm-up: rounds of %,d rows, %s. Catch-up warm-up: rounds of %,d rows
                (paused, committed, resumed), %s; the bare engine's catch-up warm-up: %s.

                Goals: %s.
                pg_recvlogical: %s. Bare Debezium: %s.
                Rows: 6 columns (bigint key, two short texts, numeric, 80-byte text, timestamptz), default replica identity; every
                event is a record.created. Source: embedded PostgreSQL %s (wal_level=logical; server synchronous_commit=%s, writers'
                sessions on; wal_writer_delay %s); connections-service's own schema on %s;
                Kafka in-process KRaft.
                """,
                run.rows(), BATCH, run.perSecond(), run.writeSeconds(), run.outboxSeconds(), run.totalSeconds(), run.rows() / run.firstToLastSeconds(),
                run.duplicates(),
                recvlogical.rows(), recvlogical.perSecond(), ratio,
                debezium.perSecond(), engineRatio,
                catchUp.rows(), catchUp.startToLastSeconds(), catchUp.perSecond(), bareCatchUp.startToLastSeconds(), bareCatchUp.perSecond(), catchUpRatio,
                catchUp.cpu().getOrDefault("JVM total", Double.NaN) * 1e6 / catchUp.rows(), bareCatchUp.cpu().getOrDefault("JVM total", Double.NaN) * 1e6 / bareCatchUp.rows(),
                LAG_RATE, LAG_TX_ROWS, LAG_SECONDS, lag.achievedRate(), lag.arrived(), lag.offered(),
                millis(lag.p50()), millis(lag.p95()), millis(lag.p99()), millis(lag.max()),
                BARE_LAG_SECONDS, millis(bareLag.p50()), millis(bareLag.p99()), millis(defaultPoll.lag().p50()), millis(defaultPoll.lag().p99()),
                repetitions, stageSummary,
                cpuTable(run.cpu(), run.rows(), debezium.cpu(), debezium.rows()), cpuTable(catchUp.cpu(), catchUp.rows(), bareCatchUp.cpu(), bareCatchUp.rows()), run.load(), WARMUP_ROWS, warmupSummary, CATCHUP_WARMUP_ROWS, catchUpWarmupSummary, bareCatchUpWarmupSummary,
                goals,
                recvlogical.note(), debezium.note(),
                single("SHOW server_version"), single("SELECT reset_val FROM pg_settings WHERE name = 'synchronous_commit'"),
                single("SHOW wal_writer_delay"),
                System.getenv("WEFT_TEST_PG_URL") == null ? "embedded PostgreSQL" : "the local server (" + System.getenv("WEFT_TEST_PG_URL") + ")");
    }
}
