package dev.weft.platform.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * The outbox as metrics: {@code weft_outbox_backlog} (events waiting for Kafka) and
 * {@code weft_outbox_oldest_age_seconds} (how long the oldest has waited; 0 when none). A growing
 * age means the relay is not publishing (Kafka down, no replica holds the lease). Read from the
 * table at most every few seconds, however often it is scraped.
 */
@ApplicationScoped
public class OutboxMetrics {
    private static final Duration FRESH_FOR = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private volatile Snapshot snapshot = new Snapshot(0, 0, Instant.MIN);

    private record Snapshot(long backlog, double oldestAgeSeconds, Instant readAt) {
    }

    public OutboxMetrics(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void register(@Observes StartupEvent startup, MeterRegistry metrics) {
        Gauge.builder("weft.outbox.backlog", this, m -> m.read().backlog()).description("Events in the outbox waiting for Kafka")
                .register(metrics);
        Gauge.builder("weft.outbox.oldest_age_seconds", this, m -> m.read().oldestAgeSeconds())
                .description("How long the oldest event in the outbox has waited").register(metrics);
    }

    private synchronized Snapshot read() {
        Snapshot current = snapshot;
        if (current.readAt().plus(FRESH_FOR).isAfter(Instant.now())) {
            return current;
        }
        try (Connection db = dataSource.getConnection();
             PreparedStatement query = db.prepareStatement(
                     "SELECT COALESCE(sum(COALESCE(pack_size, 1)), 0), COALESCE(extract(epoch FROM now() - min(occurred_at)), 0) FROM outbox");
             ResultSet row = query.executeQuery()) {
            row.next();
            current = new Snapshot(row.getLong(1), row.getDouble(2), Instant.now());
        } catch (SQLException e) {
            Log.debugf("event=outbox_metrics_unreadable message=\"%s\"", e.getMessage());
            current = new Snapshot(current.backlog(), current.oldestAgeSeconds(), Instant.now());
        }
        snapshot = current;
        return current;
    }
}
