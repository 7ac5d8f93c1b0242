package dev.weft.platform.auth;

import dev.weft.platform.config.PlatformConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The replay store of signed requests, in the service's own PostgreSQL schema: every replica
 * shares it, and the primary key makes "first use" one atomic insert. PostgreSQL rather than
 * Redis because every service already has it (Redis is only there when rate limits are shared),
 * so replay protection needs no extra component and stays correct with any replica count.
 */
@ApplicationScoped
public class SeenSignatures {
    private final DataSource dataSource;
    private final Duration cleanupInterval;
    private ScheduledExecutorService cleaner;

    public SeenSignatures(DataSource dataSource, PlatformConfig config) {
        this.dataSource = dataSource;
        this.cleanupInterval = config.auth().signedRequests().cleanupInterval();
    }

    /** @return true the first time this signature of this key is seen; false for a replay. */
    public boolean firstUse(String keyId, String signature, Instant expiresAt) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO seen_signatures (key_id, signature, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, keyId);
            insert.setString(2, signature);
            insert.setTimestamp(3, Timestamp.from(expiresAt));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not record a signed request's signature", e);
        }
    }

    void start(@Observes StartupEvent event) {
        long every = Math.max(1, cleanupInterval.toSeconds());
        cleaner = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("weft-seen-signatures-cleanup").daemon().factory());
        cleaner.scheduleWithFixedDelay(this::deleteExpired, every, every, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (cleaner != null) {
            cleaner.shutdownNow();
        }
    }

    /** Every replica runs this; the DELETE is idempotent, so overlapping runs are harmless. */
    void deleteExpired() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM seen_signatures WHERE expires_at < now()")) {
            int deleted = delete.executeUpdate();
            if (deleted > 0) {
                Log.debugf("event=seen_signatures_cleaned deleted=%d", deleted);
            }
        } catch (SQLException | RuntimeException e) {
            Log.warnf("event=seen_signatures_cleanup_failed error=\"%s\"", e.getClass().getSimpleName());
        }
    }
}
