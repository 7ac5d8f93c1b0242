package dev.weft.webhook.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.http.RetryAfter;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.webhook.WebhooksConfig;
import dev.weft.webhook.endpoint.Endpoint;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.sql.DataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The delivery pipeline, top to bottom: claim due deliveries, hold back what an endpoint's
 * breaker, rate limit or concurrency bound does not allow yet, sign, send, record the attempt, and
 * schedule the retry (or succeed, fail, or disable the endpoint).
 *
 * <p>Claims are {@code FOR UPDATE SKIP LOCKED} and push the row's next attempt past the send's
 * timeout (a lease), so each due delivery goes out once across replicas and a replica that dies
 * mid-send hands its deliveries back when the lease runs out. For an {@code ordered} endpoint only
 * the oldest unfinished delivery of each aggregate can be claimed, so a failing event holds back
 * the later ones of the same aggregate for that endpoint only. Sends are non-blocking; recording
 * runs on virtual threads.
 */
@ApplicationScoped
public class Dispatcher {
    private static final String CLAIM = """
            WITH claimed AS (
                UPDATE deliveries SET next_attempt_at = now() + make_interval(secs => ?)
                WHERE id = ANY(ARRAY(
                    SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
                    WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now() AND e.status = 'active'
                      AND NOT (d.endpoint_id = ANY(?))
                      AND (NOT e.ordered OR d.aggregate_id IS NULL OR NOT EXISTS (
                          SELECT 1 FROM deliveries o
                          WHERE o.endpoint_id = d.endpoint_id AND o.aggregate_id = d.aggregate_id
                            AND o.status IN ('pending', 'retrying') AND (o.created_at, o.id) < (d.created_at, d.id)))
                    ORDER BY d.next_attempt_at
                    LIMIT ?
                    FOR UPDATE OF d SKIP LOCKED))
                RETURNING id, org_id, endpoint_id, message_id, attempts)
            SELECT c.id, c.org_id, c.endpoint_id, c.attempts, m.event_id, m.type, m.payload,
                   e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.headers, e.rate_limit
            FROM claimed c JOIN messages m ON m.id = c.message_id JOIN endpoints e ON e.id = c.endpoint_id""";

    private final DataSource dataSource;
    private final WebhookSender sender;
    private final SecretCipher cipher;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final WebhooksConfig config;
    private final RetrySchedule schedule;
    private final Map<UUID, EndpointState> endpoints = new ConcurrentHashMap<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    /** Deliveries waiting in the endpoints' queues on this replica, and their payloads' characters. */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedChars = new AtomicLong();
    private final java.util.concurrent.ScheduledExecutorService timers =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("webhook-rate-timer").daemon().factory());
    private static final int RECORD_BATCH = 1000;
    private static final Duration RECORD_LINGER = Duration.ofMillis(20);
    /**
     * Deliveries wait in an endpoint's queue here for at most this many rounds of its timeout (the lease covers it):
     * an endpoint whose queue holds what it sends in that time is not claimed for, nor handed more, until it drains.
     */
    private static final int QUEUE_FACTOR = 4;
    /** Bounds on what waits in memory, whatever the endpoints' pace. */
    private static final int MAX_QUEUED_PER_ENDPOINT = 5_000;
    private static final int MAX_QUEUED = 50_000;
    /** Payload characters waiting in memory, so that large events cannot fill the heap: about 128 MB. */
    private static final long MAX_QUEUED_CHARS = 64L * 1024 * 1024;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private volatile boolean woken;
    /** The last claim round took a full batch, so more deliveries are probably due. */
    private volatile boolean moreDue;
    /** Endpoints the last claim round passed over because their queues here were full. */
    private volatile Set<UUID> heldBack = Set.of();
    private volatile boolean running;

    public Dispatcher(DataSource dataSource, WebhookSender sender, SecretCipher cipher, Outbox outbox, ObjectMapper json, WebhooksConfig config) {
        this.dataSource = dataSource;
        this.sender = sender;
        this.cipher = cipher;
        this.outbox = outbox;
        this.json = json;
        this.config = config;
        this.schedule = new RetrySchedule(config.retrySchedule());
    }

    /** A delivery claimed (or stored leased by fan-out) for sending, with what its send needs. */
    public record Claimed(UUID id, String orgId, UUID endpointId, int attempts, String eventId, String eventType, String payload, String url,
                   String secret, String previousSecret, Instant previousSecretExpiresAt, String headers, Integer rateLimit) {
    }

    /** A send that completed, waiting to be recorded. */
    record Finished(Claimed delivery, SendOutcome outcome) {
    }

    void start(@Observes StartupEvent startup) {
        running = true;
        Thread.ofPlatform().name("webhook-dispatcher").daemon().start(this::run);
        Thread.ofPlatform().name("webhook-recorder").daemon().start(this::recordLoop);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        wake();
        // Deliveries queued here but not yet sent are due again at once, for the next replica (or this one restarted),
        // instead of waiting out their leases.
        Map<UUID, Instant> release = new LinkedHashMap<>();
        Instant now = Instant.now();
        endpoints.values().forEach(state -> state.drain().forEach(d -> release.put(d.id(), now)));
        postpone(release);
    }

    /** New deliveries were committed: look for work now rather than at the next tick. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            int claimed = 0;
            try {
                // Claim only while what was claimed before is mostly sent: queued deliveries hold a lease.
                if (queued.get() < config.claimBatch()) {
                    List<Claimed> batch = claim();
                    claimed = batch.size();
                    moreDue = claimed == config.claimBatch();
                    take(batch);
                }
            } catch (RuntimeException e) {
                Log.warnf("event=webhook_dispatch_round_failed error=%s message=\"%s\"", e.getClass().getSimpleName(), e.getMessage());
            }
            if (claimed < config.claimBatch()) {
                awaitWork();
            }
        }
    }

    /**
     * Queues deliveries this replica holds the lease of (claimed here, or stored leased by fan-out) on their endpoints
     * and sends what each endpoint admits now.
     */
    public void take(List<Claimed> deliveries) {
        Set<EndpointState> touched = new java.util.HashSet<>();
        for (Claimed delivery : deliveries) {
            EndpointState state = endpoints.computeIfAbsent(delivery.endpointId(), id -> new EndpointState(id, config));
            state.enqueue(delivery);
            queued.incrementAndGet();
            queuedChars.addAndGet(delivery.payload().length());
            touched.add(state);
        }
        touched.forEach(this::pump);
    }

    /**
     * Whether one more new delivery to this endpoint (after {@code alreadyTaken} of the same batch) can be sent from
     * memory, rather than stored due and claimed once its queue here has drained.
     */
    public boolean takesNow(UUID endpointId, int alreadyTaken) {
        if (!running || queued.get() >= MAX_QUEUED || queuedChars.get() >= MAX_QUEUED_CHARS) {
            return false;
        }
        EndpointState state = endpoints.get(endpointId);
        if (state == null) {
            return alreadyTaken < queueFloor();
        }
        return !state.breakerOpen() && state.queued() + alreadyTaken < queueCap(state);
    }

    /** What any endpoint's queue may hold, its pace unknown or slow: QUEUE_FACTOR rounds of its in-flight bound. */
    private int queueFloor() {
        return QUEUE_FACTOR * config.maxInFlightPerEndpoint();
    }

    private int queueCap(EndpointState state) {
        return state.queueCap(config.timeout().toMillis() * QUEUE_FACTOR, queueFloor(), Math.max(queueFloor(), MAX_QUEUED_PER_ENDPOINT));
    }

    /** How long a claim holds a delivery: its wait in the endpoint's queue (at most QUEUE_FACTOR rounds of the timeout) and the send. */
    public long leaseSeconds() {
        return config.timeout().toSeconds() * (QUEUE_FACTOR + 1) + 30;
    }

    private UUID[] saturated() {
        return endpoints.entrySet().stream().filter(e -> e.getValue().queued() >= queueCap(e.getValue())).map(Map.Entry::getKey)
                .toArray(UUID[]::new);
    }

    // 1. Claim.
    private List<Claimed> claim() {
        List<Claimed> claimed = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(CLAIM)) {
            select.setLong(1, leaseSeconds());
            UUID[] saturated = saturated();
            heldBack = Set.of(saturated);
            select.setArray(2, db.createArrayOf("uuid", saturated));
            select.setInt(3, config.claimBatch());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Timestamp previousExpires = row.getTimestamp(11);
                    claimed.add(new Claimed(row.getObject(1, UUID.class), row.getString(2), row.getObject(3, UUID.class), row.getInt(4),
                            row.getString(5), row.getString(6), row.getString(7), row.getString(8), row.getString(9), row.getString(10),
                            previousExpires == null ? null : previousExpires.toInstant(), row.getString(12), (Integer) row.getObject(13)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("claiming deliveries failed: " + e.getMessage(), e);
        }
        return claimed;
    }

    // 2. Hold back, sign, send.
    /** Sends what the endpoint's state admits now; hands back what its breaker holds; looks again when its rate limit allows. */
    private void pump(EndpointState state) {
        EndpointState.Admission admission = state.admit();
        for (Claimed delivery : admission.send()) {
            leftQueue(delivery);
            send(delivery, state);
        }
        if (!admission.handBack().isEmpty()) {
            Map<UUID, Instant> postponed = new LinkedHashMap<>();
            admission.handBack().forEach(d -> {
                leftQueue(d);
                postponed.put(d.id(), admission.handBackUntil());
            });
            Thread.ofVirtual().start(() -> postpone(postponed));
        }
        if (admission.lookAgainAt() != null) {
            long delay = Math.max(1, Duration.between(Instant.now(), admission.lookAgainAt()).toMillis());
            timers.schedule(() -> pump(state), delay, TimeUnit.MILLISECONDS);
        }
        // Refill early only when more is probably due: the last claim came back full, or it passed over this endpoint
        // while its queue was full and the queue has drained since. Otherwise every finished send would start a claim
        // round that finds nothing; the periodic round and the wake-ups from fan-out find new work anyway.
        boolean drainedSinceHeldBack = heldBack.contains(state.endpointId())
                && state.queued() < queueCap(state) / 2;
        if ((moreDue || drainedSinceHeldBack) && queued.get() < config.claimBatch() / 2) {
            wake();
        }
    }

    private void leftQueue(Claimed delivery) {
        queued.decrementAndGet();
        queuedChars.addAndGet(-delivery.payload().length());
    }

    private void send(Claimed delivery, EndpointState state) {
        EndpointState.Target target = state.target(delivery.url(), delivery.headers(), this::parseHeaders);
        Map<String, String> headers = headers(delivery, state, target.headers());
        long started = System.nanoTime();
        sender.send(target.uri(), headers, delivery.payload(), config.timeout())
                .whenComplete((outcome, error) -> {
                    SendOutcome result = outcome != null ? outcome
                            : SendOutcome.failed(SendOutcome.Failure.IO, (System.nanoTime() - started) / 1_000_000, String.valueOf(error));
                    state.finished(result.succeeded(), result.latencyMillis());
                    finished.add(new Finished(delivery, result));
                    pump(state);
                });
    }

    private Map<String, String> parseHeaders(String headersJson) {
        try {
            return Map.copyOf(json.readValue(headersJson, new TypeReference<Map<String, String>>() {
            }));
        } catch (Exception e) {
            Log.warnf("event=webhook_headers_unreadable");
            return Map.of();
        }
    }

    private Map<String, String> headers(Claimed delivery, EndpointState state, Map<String, String> custom) {
        Map<String, String> headers = new LinkedHashMap<>(custom);
        long timestamp = Instant.now().getEpochSecond();
        StandardWebhooks current = state.signer(delivery.secret(), () -> cipher.decrypt(delivery.secret(), Endpoint.secretAad(delivery.endpointId())));
        String signatures = current.sign(delivery.eventId(), timestamp, delivery.payload()).signature();
        if (delivery.previousSecret() != null && delivery.previousSecretExpiresAt() != null && delivery.previousSecretExpiresAt().isAfter(Instant.now())) {
            StandardWebhooks previous = state.signer(delivery.previousSecret(),
                    () -> cipher.decrypt(delivery.previousSecret(), Endpoint.secretAad(delivery.endpointId())));
            signatures = signatures + " " + previous.sign(delivery.eventId(), timestamp, delivery.payload()).signature();
        }
        headers.put("Content-Type", "application/json");
        headers.put(StandardWebhooks.ID_HEADER, delivery.eventId());
        headers.put(StandardWebhooks.TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(StandardWebhooks.SIGNATURE_HEADER, signatures);
        headers.put("X-Weft-Signature", current.hexSignature(delivery.payload()));
        headers.put("X-Weft-Event-Type", delivery.eventType());
        return headers;
    }

    // 3. Record the attempts and decide what comes next: in batches, one transaction each, so that
    //    recording keeps up with thousands of sends a second.
    private void recordLoop() {
        List<Finished> batch = new ArrayList<>(RECORD_BATCH);
        while (running || !finished.isEmpty()) {
            try {
                Finished first = finished.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (finished.size() < RECORD_BATCH - 1) {
                    // Let a batch gather: a transaction per handful of sends would cost more than the sends. This
                    // delays only the bookkeeping, never a send.
                    Thread.sleep(RECORD_LINGER);
                }
                finished.drainTo(batch, RECORD_BATCH - 1);
                record(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void record(List<Finished> batch) {
        try {
            // One transaction: a failure may disable its endpoint, whose event goes through the outbox with the attempts.
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection db = dataSource.getConnection()) {
                    recordOn(db, batch);
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (RuntimeException e) {
            // The leases run out and the deliveries are claimed again: at-least-once, never lost.
            Log.warnf("event=webhook_record_failed deliveries=%d message=\"%s\"", batch.size(), e.getMessage());
        }
    }

    private void recordOn(Connection db, List<Finished> batch) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int size = batch.size();
        UUID[] ids = new UUID[size];
        String[] statuses = new String[size];
        Integer[] attempts = new Integer[size];
        Timestamp[] nextAttempts = new Timestamp[size];
        Integer[] codes = new Integer[size];
        String[] errors = new String[size];
        Timestamp[] succeededAt = new Timestamp[size];
        UUID[] attemptIds = new UUID[size];
        String[] orgIds = new String[size];
        UUID[] endpointIds = new UUID[size];
        Integer[] latencies = new Integer[size];
        Boolean[] succeeded = new Boolean[size];
        String[] excerpts = new String[size];
        List<UUID> healthyEndpoints = new ArrayList<>();
        List<Finished> failures = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Claimed delivery = batch.get(i).delivery();
            SendOutcome outcome = batch.get(i).outcome();
            boolean ok = outcome.succeeded();
            boolean gone = outcome.statusCode() == 410;
            int attempt = delivery.attempts() + 1;
            Instant next = ok || gone ? null : schedule.next(attempt, retryAfter(outcome)).map(now::plus).orElse(null);
            ids[i] = delivery.id();
            statuses[i] = ok ? "succeeded" : next != null ? "retrying" : "failed";
            attempts[i] = attempt;
            nextAttempts[i] = next == null ? null : Timestamp.from(next);
            codes[i] = outcome.statusCode() == 0 ? null : outcome.statusCode();
            errors[i] = ok ? null : describe(outcome);
            succeededAt[i] = ok ? Timestamp.from(now) : null;
            attemptIds[i] = TypeId.uuidV7();
            orgIds[i] = delivery.orgId();
            endpointIds[i] = delivery.endpointId();
            latencies[i] = (int) Math.min(Integer.MAX_VALUE, outcome.latencyMillis());
            succeeded[i] = ok;
            excerpts[i] = outcome.responseExcerpt();
            if (ok) {
                healthyEndpoints.add(delivery.endpointId());
            } else {
                failures.add(batch.get(i));
            }
        }
        Timestamp stamp = Timestamp.from(now);
        try {
            try (PreparedStatement update = db.prepareStatement("""
                    UPDATE deliveries d SET status = v.status, attempts = v.attempts, next_attempt_at = v.next_at,
                           last_status_code = v.code, last_error = v.error, succeeded_at = v.succeeded_at, updated_at = ?
                    FROM unnest(?::uuid[], ?::text[], ?::int[], ?::timestamptz[], ?::int[], ?::text[], ?::timestamptz[])
                         AS v(id, status, attempts, next_at, code, error, succeeded_at)
                    WHERE d.id = v.id""")) {
                update.setTimestamp(1, stamp);
                update.setArray(2, db.createArrayOf("uuid", ids));
                update.setArray(3, db.createArrayOf("text", statuses));
                update.setArray(4, db.createArrayOf("int4", attempts));
                update.setArray(5, db.createArrayOf("timestamptz", nextAttempts));
                update.setArray(6, db.createArrayOf("int4", codes));
                update.setArray(7, db.createArrayOf("text", errors));
                update.setArray(8, db.createArrayOf("timestamptz", succeededAt));
                update.executeUpdate();
            }
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO attempts (id, org_id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, succeeded,
                                          response_excerpt, error, next_attempt_at, created_at, updated_at)
                    SELECT v.id, v.org_id, v.delivery_id, v.endpoint_id, ?, v.code, v.latency, v.ok, v.excerpt, v.error, v.next_at, ?, ?
                    FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::int[], ?::int[], ?::boolean[], ?::text[], ?::text[], ?::timestamptz[])
                         AS v(id, org_id, delivery_id, endpoint_id, code, latency, ok, excerpt, error, next_at)""")) {
                insert.setTimestamp(1, stamp);
                insert.setTimestamp(2, stamp);
                insert.setTimestamp(3, stamp);
                insert.setArray(4, db.createArrayOf("uuid", attemptIds));
                insert.setArray(5, db.createArrayOf("text", orgIds));
                insert.setArray(6, db.createArrayOf("uuid", ids));
                insert.setArray(7, db.createArrayOf("uuid", endpointIds));
                insert.setArray(8, db.createArrayOf("int4", codes));
                insert.setArray(9, db.createArrayOf("int4", latencies));
                insert.setArray(10, db.createArrayOf("bool", succeeded));
                insert.setArray(11, db.createArrayOf("text", excerpts));
                insert.setArray(12, db.createArrayOf("text", errors));
                insert.setArray(13, db.createArrayOf("timestamptz", nextAttempts));
                insert.executeUpdate();
            }
            if (!healthyEndpoints.isEmpty()) {
                try (PreparedStatement healthy = db.prepareStatement(
                        "UPDATE endpoints SET failing_since = NULL WHERE id = ANY(?) AND failing_since IS NOT NULL")) {
                    healthy.setArray(1, db.createArrayOf("uuid", healthyEndpoints.stream().distinct().toArray(UUID[]::new)));
                    healthy.executeUpdate();
                }
            }
            for (Finished failure : failures) {
                TenantContext.runAs(system(failure.delivery().orgId()), () -> {
                    try {
                        endpointFailed(db, failure.delivery(), failure.outcome(), failure.outcome().statusCode() == 410, now);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } catch (SQLException e) {
            throw new IllegalStateException("recording " + size + " attempts failed: " + e.getMessage(), e);
        }
    }

    /** A failure starts (or continues) the endpoint's failing period; 410, or failing past the limit, disables it. */
    private void endpointFailed(Connection db, Claimed delivery, SendOutcome outcome, boolean gone, Instant now) throws SQLException {
        Instant failingSince;
        try (PreparedStatement mark = db.prepareStatement(
                "UPDATE endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ? AND status = 'active' RETURNING failing_since, url")) {
            mark.setTimestamp(1, Timestamp.from(now));
            mark.setObject(2, delivery.endpointId());
            try (ResultSet row = mark.executeQuery()) {
                if (!row.next()) {
                    return;
                }
                failingSince = row.getTimestamp(1).toInstant();
            }
        }
        String reason = gone ? "gone" : failingSince.isBefore(now.minus(config.disableAfter())) ? "failing" : null;
        if (reason == null) {
            return;
        }
        try (PreparedStatement disable = db.prepareStatement(
                "UPDATE endpoints SET status = 'disabled', disabled_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'")) {
            disable.setString(1, reason);
            disable.setTimestamp(2, Timestamp.from(now));
            disable.setObject(3, delivery.endpointId());
            if (disable.executeUpdate() == 0) {
                return;
            }
        }
        String webhookId = TypeId.format(Endpoint.ID_PREFIX, delivery.endpointId());
        outbox.publish(DomainEvent.of(Topics.WEBHOOKS, "endpoint.disabled", webhookId,
                new EndpointDisabled(webhookId, delivery.url(), reason, failingSince, outcome.statusCode() == 0 ? null : outcome.statusCode())));
        Log.infof("event=webhook_endpoint_disabled org_id=%s webhook_id=%s reason=%s", delivery.orgId(), webhookId, reason);
    }

    /** Data of {@code endpoint.disabled}. */
    public record EndpointDisabled(String webhookId, String url, String reason, Instant failingSince, Integer lastStatusCode) {
    }

    /** Gives held-back deliveries their new due time, in one statement per round. */
    private void postpone(Map<UUID, Instant> postponed) {
        if (postponed.isEmpty()) {
            return;
        }
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("""
                     UPDATE deliveries d SET next_attempt_at = v.due FROM unnest(?::uuid[], ?::timestamptz[]) AS v(id, due)
                     WHERE d.id = v.id AND d.status IN ('pending', 'retrying')""")) {
            update.setArray(1, db.createArrayOf("uuid", postponed.keySet().toArray(UUID[]::new)));
            update.setArray(2, db.createArrayOf("timestamptz", postponed.values().stream().map(Timestamp::from).toArray(Timestamp[]::new)));
            update.executeUpdate();
        } catch (SQLException e) {
            Log.warnf("event=webhook_postpone_failed deliveries=%d message=\"%s\"", postponed.size(), e.getMessage());
        }
    }

    static Optional<Duration> retryAfter(SendOutcome outcome) {
        if (outcome.retryAfter().isEmpty() || !(outcome.statusCode() == 429 || outcome.statusCode() == 503)) {
            return Optional.empty();
        }
        return RetryAfter.parse(outcome.retryAfter().get());
    }

    /** What went wrong, for the delivery and attempt rows: the HTTP status, or the kind of failure. */
    static String describe(SendOutcome outcome) {
        if (outcome.failure() == SendOutcome.Failure.NONE) {
            return "HTTP " + outcome.statusCode();
        }
        return outcome.failure().name().toLowerCase(java.util.Locale.ROOT) + (outcome.error() == null ? "" : ": " + outcome.error());
    }

    private static RequestPrincipal system(String orgId) {
        return new RequestPrincipal(orgId, Set.of(RequestPrincipal.ADMIN_SCOPE), "system:webhook-service", RequestPrincipal.CredentialType.OPERATOR);
    }

    private void awaitWork() {
        lock.lock();
        try {
            if (!woken) {
                work.await(500, TimeUnit.MILLISECONDS);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }
}
