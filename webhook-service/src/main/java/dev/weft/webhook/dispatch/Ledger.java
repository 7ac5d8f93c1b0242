package dev.weft.webhook.dispatch;

import dev.weft.platform.db.ArrayColumns;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.http.RetryAfter;
import dev.weft.platform.http.outbound.OutboundOutcome;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.webhook.WebhooksConfig;
import dev.weft.webhook.endpoint.Endpoint;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every statement of the delivery pipeline: claiming due deliveries, recording attempts and what
 * comes next, postponing held-back deliveries, and marking or disabling a failing endpoint.
 */
@ApplicationScoped
public class Ledger {
    /**
     * Due deliveries of active endpoints, except those the dispatcher holds back; for an ordered endpoint only the oldest
     * unfinished delivery of each aggregate, so a failing event holds back the later ones of the same aggregate.
     */
    private static final DueWork.Claim DUE = new DueWork.Claim("deliveries", """
            c.status IN %1$s AND c.next_attempt_at <= now() AND NOT (c.endpoint_id = ANY(?))
              AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = c.endpoint_id AND e.status = 'active'
                AND (NOT e.ordered OR c.aggregate_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM deliveries o WHERE o.endpoint_id = c.endpoint_id AND o.aggregate_id = c.aggregate_id
                      AND o.status IN %1$s AND (o.created_at, o.id) < (c.created_at, c.id))))""".formatted(DeliveryStatus.OPEN_SQL),
            "c.next_attempt_at", "next_attempt_at", """
            SELECT c.id, c.org_id, c.endpoint_id, c.attempts, m.event_id, m.type, m.payload,
                   e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.headers, e.rate_limit
            FROM claimed c JOIN messages m ON m.id = c.message_id JOIN endpoints e ON e.id = c.endpoint_id""");

    private final DataSource dataSource;
    private final DueWork dueWork;
    private final Outbox outbox;
    private final SystemPrincipal system;
    private final RetrySchedule schedule;
    private final WebhooksConfig config;

    public Ledger(DataSource dataSource, DueWork dueWork, Outbox outbox, SystemPrincipal system, WebhooksConfig config) {
        this.dataSource = dataSource;
        this.dueWork = dueWork;
        this.outbox = outbox;
        this.system = system;
        this.config = config;
        this.schedule = new RetrySchedule(config.retrySchedule());
    }

    /** A send that completed, waiting to be recorded. */
    public record Finished(Deliverable delivery, OutboundOutcome outcome) {
    }

    /** Claims up to {@code limit} due deliveries for {@code lease}, passing over the endpoints in {@code heldBack}. */
    public List<Deliverable> claim(UUID[] heldBack, Duration lease, int limit) {
        return dueWork.claim(DUE, (statement, first) -> {
            statement.setArray(first, statement.getConnection().createArrayOf("uuid", heldBack));
            return first + 1;
        }, lease, limit, row -> {
            Timestamp previousExpires = row.getTimestamp(11);
            return new Deliverable(row.getObject(1, UUID.class), row.getString(2), row.getObject(3, UUID.class), row.getInt(4),
                    row.getString(5), row.getString(6), row.getString(7).getBytes(StandardCharsets.UTF_8), row.getString(8), row.getString(9),
                    row.getString(10),
                    previousExpires == null ? null : previousExpires.toInstant(), row.getString(12), (Integer) row.getObject(13));
        });
    }

    /**
     * Records a batch of finished sends in one transaction: each delivery's new status and next attempt from the retry
     * schedule, an attempt row each, and the endpoints' failing periods (a failure may disable its endpoint, whose event
     * goes through the outbox with the attempts). If this fails the leases run out and the deliveries are claimed
     * again: at least once, never lost.
     */
    public void record(List<Finished> batch) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection db = dataSource.getConnection()) {
                    recordOn(db, batch);
                } catch (SQLException e) {
                    throw new IllegalStateException("recording " + batch.size() + " attempts failed: " + e.getMessage(), e);
                }
            });
        } catch (RuntimeException e) {
            Log.warnf("event=webhook_record_failed deliveries=%d message=\"%s\"", batch.size(), e.getMessage());
        }
    }

    private void recordOn(Connection db, List<Finished> batch) throws SQLException {
        // Not waiting for the WAL flush: a record lost in a database crash leaves its deliveries leased, and they are sent
        // again when the lease ends (at least once, as always; receivers drop a repeated webhook-id). The flush is the
        // commit's main cost on a busy disk, shared with every other commit of the service.
        try (Statement asynchronous = db.createStatement()) {
            asynchronous.execute("SET LOCAL synchronous_commit TO off");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Timestamp stamp = Timestamp.from(now);
        ArrayColumns deliveries = new ArrayColumns("uuid", "text", "int4", "timestamptz", "int4", "text", "timestamptz");
        ArrayColumns attempts = new ArrayColumns("uuid", "text", "uuid", "uuid", "int4", "int4", "bool", "text", "text", "timestamptz");
        List<UUID> healthy = new ArrayList<>();
        List<Finished> failures = new ArrayList<>();
        for (Finished finished : batch) {
            Deliverable delivery = finished.delivery();
            OutboundOutcome outcome = finished.outcome();
            boolean ok = outcome.succeeded();
            int attempt = delivery.attempts() + 1;
            Instant next = ok || gone(outcome) ? null : schedule.next(attempt, retryAfter(outcome)).map(now::plus).orElse(null);
            DeliveryStatus status = ok ? DeliveryStatus.SUCCEEDED : next != null ? DeliveryStatus.RETRYING : DeliveryStatus.FAILED;
            Timestamp nextAt = next == null ? null : Timestamp.from(next);
            Integer code = outcome.statusCode() == 0 ? null : outcome.statusCode();
            String error = ok ? null : describe(outcome);
            deliveries.add(delivery.id(), status.wire(), attempt, nextAt, code, error, ok ? stamp : null);
            attempts.add(TypeId.uuidV7(), delivery.orgId(), delivery.id(), delivery.endpointId(), code,
                    (int) Math.min(Integer.MAX_VALUE, outcome.latencyMillis()), ok, outcome.responseExcerpt(), error, nextAt);
            if (ok) {
                healthy.add(delivery.endpointId());
            } else {
                failures.add(finished);
            }
        }
        try (PreparedStatement update = db.prepareStatement("""
                UPDATE deliveries d SET status = v.status, attempts = v.attempts, next_attempt_at = v.next_at,
                       last_status_code = v.code, last_error = v.error, succeeded_at = v.succeeded_at, updated_at = ?
                FROM unnest(?::uuid[], ?::text[], ?::int[], ?::timestamptz[], ?::int[], ?::text[], ?::timestamptz[])
                     AS v(id, status, attempts, next_at, code, error, succeeded_at)
                WHERE d.id = v.id""")) {
            update.setTimestamp(1, stamp);
            deliveries.bind(db, update, 2);
            update.executeUpdate();
        }
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO attempts (id, org_id, delivery_id, endpoint_id, status_code, latency_ms, succeeded, response_excerpt, error,
                                      next_attempt_at, attempted_at, created_at, updated_at)
                SELECT v.id, v.org_id, v.delivery_id, v.endpoint_id, v.code, v.latency, v.ok, v.excerpt, v.error, v.next_at, ?, ?, ?
                FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::int[], ?::int[], ?::boolean[], ?::text[], ?::text[], ?::timestamptz[])
                     AS v(id, org_id, delivery_id, endpoint_id, code, latency, ok, excerpt, error, next_at)""")) {
            insert.setTimestamp(1, stamp);
            insert.setTimestamp(2, stamp);
            insert.setTimestamp(3, stamp);
            attempts.bind(db, insert, 4);
            insert.executeUpdate();
        }
        if (!healthy.isEmpty()) {
            try (PreparedStatement recovered = db.prepareStatement(
                    "UPDATE endpoints SET failing_since = NULL WHERE id = ANY(?) AND failing_since IS NOT NULL")) {
                recovered.setArray(1, db.createArrayOf("uuid", healthy.stream().distinct().toArray(UUID[]::new)));
                recovered.executeUpdate();
            }
        }
        for (Finished failure : failures) {
            system.runAs(failure.delivery().orgId(), () -> {
                try {
                    endpointFailed(db, failure.delivery(), failure.outcome(), now);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** A failure starts (or continues) the endpoint's failing period; 410, or failing past the limit, disables it. */
    private void endpointFailed(Connection db, Deliverable delivery, OutboundOutcome outcome, Instant now) throws SQLException {
        Instant failingSince;
        try (PreparedStatement mark = db.prepareStatement(
                "UPDATE endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ? AND status = 'active' RETURNING failing_since")) {
            mark.setTimestamp(1, Timestamp.from(now));
            mark.setObject(2, delivery.endpointId());
            try (ResultSet row = mark.executeQuery()) {
                if (!row.next()) {
                    return;
                }
                failingSince = row.getTimestamp(1).toInstant();
            }
        }
        String reason = gone(outcome) ? "gone" : failingSince.isBefore(now.minus(config.disableAfter())) ? "failing" : null;
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

    /** Gives held-back deliveries their new due time, in one statement. */
    public void postpone(Map<UUID, Instant> postponed) {
        if (postponed.isEmpty()) {
            return;
        }
        ArrayColumns rows = new ArrayColumns("uuid", "timestamptz");
        postponed.forEach((id, due) -> rows.add(id, Timestamp.from(due)));
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("UPDATE deliveries d SET next_attempt_at = v.due FROM unnest(?::uuid[], ?::timestamptz[])"
                     + " AS v(id, due) WHERE d.id = v.id AND d.status IN " + DeliveryStatus.OPEN_SQL)) {
            rows.bind(db, update, 1);
            update.executeUpdate();
        } catch (SQLException e) {
            Log.warnf("event=webhook_postpone_failed deliveries=%d message=\"%s\"", postponed.size(), e.getMessage());
        }
    }

    private static boolean gone(OutboundOutcome outcome) {
        return outcome.statusCode() == 410;
    }

    static Optional<Duration> retryAfter(OutboundOutcome outcome) {
        if (outcome.retryAfter().isEmpty() || !(outcome.statusCode() == 429 || outcome.statusCode() == 503)) {
            return Optional.empty();
        }
        return RetryAfter.parse(outcome.retryAfter().get());
    }

    /** What went wrong, for the delivery and attempt rows: the HTTP status, or the kind of failure. */
    static String describe(OutboundOutcome outcome) {
        if (outcome.failure() == OutboundOutcome.Failure.NONE) {
            return "HTTP " + outcome.statusCode();
        }
        return outcome.failure().name().toLowerCase(Locale.ROOT) + (outcome.error() == null ? "" : ": " + outcome.error());
    }
}
