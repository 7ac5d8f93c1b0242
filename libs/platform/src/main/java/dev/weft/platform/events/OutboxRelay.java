package dev.weft.platform.events;

import dev.weft.platform.config.PlatformConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes committed outbox rows to Kafka as CloudEvents (binary mode, aggregate id as key),
 * then deletes them. One replica publishes at a time: the one holding a PostgreSQL advisory
 * lock on a dedicated connection; the others retry the lock and take over within
 * {@code lease-retry} when that connection dies. A commit that wrote events wakes the leader at once
 * ({@link OutboxWakeup}: in memory on this replica, a NOTIFY from another one, which a second connection LISTENs
 * for), so publication starts at once, not at the next poll, unless the last round started less than
 * {@code linger} ago: then it waits for that, and carries what else was committed meanwhile.
 * Rows are read in id order and only deleted after Kafka acknowledged them: at-least-once, in
 * commit order per aggregate, and anything written while Kafka is down waits in the table.
 */
@ApplicationScoped
public class OutboxRelay {
    /**
     * The oldest rows, up to ? of them, whose events (a pack counts its own) begin within the first ? of the round: at
     * least one row, and never a pack's worth more than the round's size.
     */
    private static final String SELECT_BATCH = """
            SELECT id, event_id, topic, aggregate_id, type, source, subject, org_id, occurred_at, data, traceparent, pack
            FROM (SELECT o.*, sum(COALESCE(o.pack_size, 1)) OVER (ORDER BY o.id) AS events_to_here FROM outbox o ORDER BY o.id LIMIT ?) o
            WHERE events_to_here - COALESCE(pack_size, 1) < ?
            ORDER BY id""";

    private final PlatformConfig config;
    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final String bootstrapServers;
    private final String schema;
    private volatile boolean running;
    private volatile boolean leader;
    /** Set by a commit's wake-up; the publishing loop clears it before each read of the table. */
    private final java.util.concurrent.atomic.AtomicBoolean wakeRequested = new java.util.concurrent.atomic.AtomicBoolean();
    private Thread worker;
    private KafkaProducer<String, byte[]> producer;

    public OutboxRelay(PlatformConfig config,
                       @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
                       @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres") String username,
                       @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password.orElse("");
        this.bootstrapServers = bootstrapServers;
        this.schema = config.schema();
    }

    void start(@Observes StartupEvent event) {
        if (!config.outbox().relayEnabled()) {
            Log.info("event=outbox_relay_disabled");
            return;
        }
        running = true;
        worker = Thread.ofPlatform().name("weft-outbox-relay").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProducer();
    }

    /** Whether this replica currently holds the publisher lease. */
    public boolean isLeader() {
        return leader;
    }

    private void run() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, username, password)) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET search_path TO " + quoteIdentifier(schema));
                    // The relay only deletes rows already on Kafka: a delete lost in a database crash publishes those rows
                    // again (consumers are idempotent), so it need not wait for the WAL flush that every service's own
                    // commits queue for.
                    statement.execute("SET synchronous_commit TO off");
                    // Both of the relay's statements want the primary key (the oldest rows; the rows just sent, by id). The
                    // planner, seeing few live rows in a table whose turnover leaves many dead ones between vacuums, would
                    // otherwise scan the whole table to delete a few ids.
                    statement.execute("SET enable_seqscan TO off");
                }
                if (!acquireLease(connection)) {
                    sleep(config.outbox().leaseRetry());
                    continue;
                }
                try (Connection listening = DriverManager.getConnection(jdbcUrl, username, password)) {
                    try (Statement statement = listening.createStatement()) {
                        statement.execute("LISTEN " + quoteIdentifier(channel()));
                    }
                    // Listening before leading: a NOTIFY sent from now on is not lost, and the first batch reads what came before.
                    // A platform thread: it blocks in the driver for up to a poll interval, which would pin a carrier on JDK 21.
                    Thread listener = Thread.ofPlatform().daemon().name("weft-outbox-listener").start(() -> listen(listening));
                    leader = true;
                    Log.infof("event=outbox_relay_leader schema=%s", schema);
                    backoff = Duration.ofMillis(200);
                    try {
                        publishUntilStopped(connection, listener);
                    } finally {
                        leader = false;
                        listener.interrupt();
                    }
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                Log.warnf("event=outbox_relay_error error=\"%s\" retry_in_ms=%d", e.getMessage(), backoff.toMillis());
                closeProducer();
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            } finally {
                leader = false;
            }
        }
    }

    private void publishUntilStopped(Connection connection, Thread listener) throws Exception {
        long pollNanos = config.outbox().pollInterval().toNanos();
        long lingerNanos = config.outbox().linger().toNanos();
        while (running) {
            if (!listener.isAlive()) {
                throw new SQLException("the outbox listener's connection closed");
            }
            // Cleared before reading the table: a commit from now on sets it again, and this loop does not sleep on it.
            wakeRequested.set(false);
            long roundStarted = System.nanoTime();
            int published = publishBatch(connection);
            if (published < config.outbox().batchSize()) {
                // The flag, not the park permit, says whether a commit came: JDBC and Kafka park this thread too, and
                // would swallow the permit of a wake-up that arrived while publishing. The timeout is a safety net.
                long until = System.nanoTime() + pollNanos;
                for (long left = pollNanos; left > 0 && running && !wakeRequested.get(); left = until - System.nanoTime()) {
                    LockSupport.parkNanos(this, left);
                }
                // Linger: the next round starts no sooner than this after the last one did, so a steady trickle of commits
                // is sent in rounds of many events. After a quiet spell the time has passed already and nothing waits.
                long lingerUntil = roundStarted + lingerNanos;
                for (long left = lingerUntil - System.nanoTime(); left > 0 && running; left = lingerUntil - System.nanoTime()) {
                    LockSupport.parkNanos(this, left);
                }
            }
        }
    }

    /** Relays each NOTIFY from another replica's commit to the publishing thread, until interrupted or disconnected. */
    private void listen(Connection listening) {
        PGConnection notifications;
        try {
            notifications = listening.unwrap(PGConnection.class);
            while (!Thread.currentThread().isInterrupted() && running) {
                org.postgresql.PGNotification[] received = notifications.getNotifications((int) config.outbox().pollInterval().toMillis());
                if (received != null && received.length > 0) {
                    wake();
                }
            }
        } catch (SQLException e) {
            if (running && !Thread.currentThread().isInterrupted()) {
                Log.warnf("event=outbox_listener_error error=\"%s\"", e.getMessage());
            }
        }
    }

    /**
     * Wakes the publishing thread if this replica leads; returns whether it does (the caller must tell the leader
     * otherwise).
     */
    boolean wake() {
        Thread publishing = worker;
        if (!leader || publishing == null) {
            return false;
        }
        wakeRequested.set(true);
        LockSupport.unpark(publishing);
        return true;
    }

    /**
     * Publishes one round; returns how many events it sent. When some sends fail (a broker coming back, a partition
     * without a leader yet, an event too large for Kafka), the rows whose events all reached Kafka are deleted all the
     * same, except rows holding an event of an aggregate that failed before them: those go again, in order, so an
     * aggregate's events never overtake each other. Then the failure is thrown, and the relay retries after its backoff.
     * A pack is handled event by event the same way: when some of its events are held, its row is rewritten to hold only
     * those.
     */
    int publishBatch(Connection connection) throws Exception {
        int limit = config.outbox().batchSize();
        List<Long> ids = new ArrayList<>();
        /** Per row, where its events start in {@code sent}. */
        List<Integer> firstEvent = new ArrayList<>();
        List<Sent> sent = new ArrayList<>(limit);
        KafkaProducer<String, byte[]> kafka = producer();
        // Aggregates whose send failed at once (an event too large for Kafka): their later events in this round are not
        // sent, so none overtakes the failed one.
        Set<String> refused = new HashSet<>();
        CloudEventHeaders headers = new CloudEventHeaders();
        try (PreparedStatement select = connection.prepareStatement(SELECT_BATCH)) {
            select.setInt(1, limit);
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                    firstEvent.add(sent.size());
                    String topic = rows.getString(3);
                    byte[] pack = rows.getBytes(12);
                    CloudEventHeaders.Shared shared = headers.shared(rows.getString(6), rows.getTimestamp(9).toInstant().atOffset(ZoneOffset.UTC),
                            rows.getString(8), rows.getString(11));
                    if (pack == null) {
                        sent.add(send(kafka, refused, topic + '\n' + rows.getString(4), toRecord(rows, headers, shared), null));
                    } else {
                        OutboxPack.forEach(pack, entry -> sent.add(send(kafka, refused, topic + '\n' + entry.aggregateId(),
                                toRecord(topic, headers, shared, entry), entry)));
                    }
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        kafka.flush();
        Exception failure = null;
        Set<String> failedAggregates = new HashSet<>();
        long[] published = new long[ids.size()];
        int publishedCount = 0;
        for (int row = 0; row < ids.size(); row++) {
            int from = firstEvent.get(row);
            int to = row + 1 < ids.size() ? firstEvent.get(row + 1) : sent.size();
            List<OutboxPack.Entry> held = new ArrayList<>();
            int heldCount = 0;
            for (int i = from; i < to; i++) {
                Sent event = sent.get(i);
                boolean eventHeld = event.ack() == null || failedAggregates.contains(event.aggregate());
                try {
                    if (event.ack() != null) {
                        event.ack().get();
                    }
                } catch (ExecutionException e) {
                    failure = failure == null ? e : failure;
                    eventHeld = true;
                }
                if (eventHeld) {
                    failedAggregates.add(event.aggregate());
                    heldCount++;
                    if (event.entry() != null) {
                        held.add(event.entry());
                    }
                }
            }
            if (heldCount == 0) {
                published[publishedCount++] = ids.get(row);
            } else if (heldCount < to - from) {
                keepOnly(connection, ids.get(row), held);
            }
        }
        if (publishedCount > 0) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE id = ANY (?)")) {
                // A primitive array: the driver sends it in binary, with no text literal to build and parse.
                Array array = connection.unwrap(PGConnection.class)
                        .createArrayOf("int8", publishedCount == published.length ? published : Arrays.copyOf(published, publishedCount));
                delete.setArray(1, array);
                delete.executeUpdate();
            }
        }
        if (failure != null) {
            throw failure;
        }
        return sent.size();
    }

    /** Hands an event to the producer, unless an earlier event of its aggregate was refused at once in this round. */
    private static Sent send(KafkaProducer<String, byte[]> kafka, Set<String> refused, String aggregate, ProducerRecord<String, byte[]> record,
                             OutboxPack.Entry entry) {
        if (refused.contains(aggregate)) {
            return new Sent(aggregate, null, entry);
        }
        Future<RecordMetadata> ack = kafka.send(record);
        if (ack.isDone()) {
            try {
                ack.get();
            } catch (ExecutionException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                refused.add(aggregate);
            }
        }
        return new Sent(aggregate, ack, entry);
    }

    /**
     * An event handed to the producer: its topic and aggregate (what must stay in order), Kafka's answer (none when it was
     * held back unsent), and its pack entry if any.
     */
    private record Sent(String aggregate, Future<RecordMetadata> ack, OutboxPack.Entry entry) {
    }

    /** Rewrites a pack whose other events reached Kafka to hold only {@code held}, so those others do not go again. */
    private static void keepOnly(Connection connection, long id, List<OutboxPack.Entry> held) throws SQLException {
        OutboxPack.Writer pack = new OutboxPack.Writer();
        for (OutboxPack.Entry entry : held) {
            pack.add(entry);
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE outbox SET pack = ?, pack_size = ? WHERE id = ?")) {
            update.setBinaryStream(1, pack.stream(), pack.bytes());
            update.setInt(2, pack.count());
            update.setLong(3, id);
            update.executeUpdate();
        }
    }

    /** Reads the row by column position (SELECT_BATCH's order); the data goes out as the bytes stored, never decoded. */
    private static ProducerRecord<String, byte[]> toRecord(ResultSet row, CloudEventHeaders headers, CloudEventHeaders.Shared shared)
            throws SQLException {
        // A text column's value as the server sent it: UTF-8 (the driver's client encoding), the JSON as written.
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(row.getString(3), row.getString(4), row.getBytes(10));
        headers.write(record.headers(), shared, row.getString(2), row.getString(5), row.getString(7));
        return record;
    }

    private static ProducerRecord<String, byte[]> toRecord(String topic, CloudEventHeaders headers, CloudEventHeaders.Shared shared,
                                                           OutboxPack.Entry event) {
        byte[] data = Arrays.copyOfRange(event.data(), event.dataOffset(), event.dataOffset() + event.dataLength());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.aggregateId(), data);
        headers.write(record.headers(), shared, event.eventId(), event.type(), event.subject());
        return record;
    }

    private boolean acquireLease(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            lock.setString(1, "weft-outbox:" + schema);
            try (ResultSet result = lock.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    String channel() {
        return "weft_outbox_" + schema;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> settings = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 1,
                    ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, config.outbox().compression().kafkaName(),
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                    ProducerConfig.CLIENT_ID_CONFIG, "weft-outbox-" + config.serviceName());
            // The value is the event's data as stored; its CloudEvents attributes are headers (CloudEventHeaders).
            producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** A producer that failed may hold a poisoned idempotence state; start the next try afresh. */
    private synchronized void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
            producer = null;
        }
    }

    private static String quoteIdentifier(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
