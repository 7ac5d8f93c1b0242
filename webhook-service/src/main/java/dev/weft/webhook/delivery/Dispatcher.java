package dev.weft.webhook.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
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
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
                WHERE id IN (
                    SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
                    WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now() AND e.status = 'active'
                      AND (NOT e.ordered OR d.aggregate_id IS NULL OR NOT EXISTS (
                          SELECT 1 FROM deliveries o
                          WHERE o.endpoint_id = d.endpoint_id AND o.aggregate_id = d.aggregate_id
                            AND o.status IN ('pending', 'retrying') AND (o.created_at, o.id) < (d.created_at, d.id)))
                    ORDER BY d.next_attempt_at
                    LIMIT ?
                    FOR UPDATE OF d SKIP LOCKED)
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
    private final ExecutorService recorders = Executors.newVirtualThreadPerTaskExecutor();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private volatile boolean woken;
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

    /** A delivery claimed for sending, with what its send needs. */
    record Claimed(UUID id, String orgId, UUID endpointId, int attempts, String eventId, String eventType, String payload, String url,
                   String secret, String previousSecret, Instant previousSecretExpiresAt, String headers, Integer rateLimit) {
    }

    void start(@Observes StartupEvent startup) {
        running = true;
        Thread.ofPlatform().name("webhook-dispatcher").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        wake();
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
                for (Claimed delivery : claim()) {
                    claimed++;
                    dispatch(delivery);
                }
            } catch (RuntimeException e) {
                Log.warnf("event=webhook_dispatch_round_failed error=%s message=\"%s\"", e.getClass().getSimpleName(), e.getMessage());
            }
            if (claimed < config.claimBatch()) {
                awaitWork();
            }
        }
    }

    // 1. Claim.
    private List<Claimed> claim() {
        List<Claimed> claimed = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(CLAIM)) {
            select.setLong(1, config.timeout().toSeconds() + 30);
            select.setInt(2, config.claimBatch());
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
    private void dispatch(Claimed delivery) {
        EndpointState state = endpoints.computeIfAbsent(delivery.endpointId(), id -> new EndpointState(config));
        Optional<Instant> notBefore = state.admit(delivery.rateLimit());
        if (notBefore.isPresent()) {
            recorders.execute(() -> postpone(delivery.id(), notBefore.get()));
            return;
        }
        Map<String, String> headers = headers(delivery, state);
        long started = System.nanoTime();
        sender.send(URI.create(delivery.url()), headers, delivery.payload(), config.timeout())
                .whenComplete((outcome, error) -> {
                    state.finished();
                    SendOutcome result = outcome != null ? outcome
                            : SendOutcome.failed(SendOutcome.Failure.IO, (System.nanoTime() - started) / 1_000_000, String.valueOf(error));
                    state.record(result.succeeded());
                    recorders.execute(() -> record(delivery, result));
                });
    }

    private Map<String, String> headers(Claimed delivery, EndpointState state) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (delivery.headers() != null) {
            try {
                headers.putAll(json.readValue(delivery.headers(), new TypeReference<Map<String, String>>() {
                }));
            } catch (Exception e) {
                Log.warnf("event=webhook_headers_unreadable webhook_id=%s", TypeId.format(Endpoint.ID_PREFIX, delivery.endpointId()));
            }
        }
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

    // 3. Record the attempt and decide what comes next.
    private void record(Claimed delivery, SendOutcome outcome) {
        try {
            TenantContext.runAs(system(delivery.orgId()), () -> QuarkusTransaction.requiringNew().run(() -> recordInTransaction(delivery, outcome)));
        } catch (RuntimeException e) {
            // The lease runs out and the delivery is claimed again: at-least-once, never lost.
            Log.warnf("event=webhook_record_failed delivery_id=%s message=\"%s\"", delivery.id(), e.getMessage());
        }
    }

    private void recordInTransaction(Claimed delivery, SendOutcome outcome) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int attempts = delivery.attempts() + 1;
        boolean succeeded = outcome.succeeded();
        boolean gone = outcome.statusCode() == 410;
        Optional<Duration> retryIn = succeeded || gone ? Optional.empty() : schedule.next(attempts, retryAfter(outcome));
        Instant nextAttempt = retryIn.map(now::plus).orElse(null);
        String status = succeeded ? "succeeded" : nextAttempt != null ? "retrying" : "failed";
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement update = db.prepareStatement("""
                    UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?,
                           succeeded_at = ?, updated_at = ? WHERE id = ?""")) {
                update.setString(1, status);
                update.setInt(2, attempts);
                update.setTimestamp(3, nextAttempt == null ? null : Timestamp.from(nextAttempt));
                update.setObject(4, outcome.statusCode() == 0 ? null : outcome.statusCode());
                update.setString(5, succeeded ? null : describe(outcome));
                update.setTimestamp(6, succeeded ? Timestamp.from(now) : null);
                update.setTimestamp(7, Timestamp.from(now));
                update.setObject(8, delivery.id());
                update.executeUpdate();
            }
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO attempts (id, org_id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, succeeded,
                                          response_excerpt, error, next_attempt_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setObject(1, TypeId.uuidV7());
                insert.setString(2, delivery.orgId());
                insert.setObject(3, delivery.id());
                insert.setObject(4, delivery.endpointId());
                insert.setTimestamp(5, Timestamp.from(now));
                insert.setObject(6, outcome.statusCode() == 0 ? null : outcome.statusCode());
                insert.setInt(7, (int) Math.min(Integer.MAX_VALUE, outcome.latencyMillis()));
                insert.setBoolean(8, succeeded);
                insert.setString(9, outcome.responseExcerpt());
                insert.setString(10, succeeded ? null : describe(outcome));
                insert.setTimestamp(11, nextAttempt == null ? null : Timestamp.from(nextAttempt));
                insert.setTimestamp(12, Timestamp.from(now));
                insert.setTimestamp(13, Timestamp.from(now));
                insert.executeUpdate();
            }
            if (succeeded) {
                try (PreparedStatement healthy = db.prepareStatement("UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL")) {
                    healthy.setObject(1, delivery.endpointId());
                    healthy.executeUpdate();
                }
            } else {
                endpointFailed(db, delivery, outcome, gone, now);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("recording the attempt failed: " + e.getMessage(), e);
        }
        Log.debugf("event=webhook_attempt delivery_id=%s status=%s code=%d latency_ms=%d", delivery.id(), status, outcome.statusCode(), outcome.latencyMillis());
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

    private void postpone(UUID deliveryId, Instant until) {
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND status IN ('pending', 'retrying')")) {
            update.setTimestamp(1, Timestamp.from(until));
            update.setObject(2, deliveryId);
            update.executeUpdate();
        } catch (SQLException e) {
            Log.warnf("event=webhook_postpone_failed delivery_id=%s message=\"%s\"", deliveryId, e.getMessage());
        }
    }

    static Optional<Duration> retryAfter(SendOutcome outcome) {
        if (outcome.retryAfter().isEmpty() || !(outcome.statusCode() == 429 || outcome.statusCode() == 503)) {
            return Optional.empty();
        }
        String value = outcome.retryAfter().get().trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException notSeconds) {
            try {
                return Optional.of(Duration.between(Instant.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
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
