package dev.weft.sync.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.db.Timestamps;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A realtime sync's counts and latest errors: what its changes did, which are applied as they come and so have no run to
 * count them. Changes are counted in the caller's transaction, the one that claims their change events, so a
 * redelivered event counts once.
 */
@ApplicationScoped
public class RealtimeChanges {
    /** Errors kept per sync, newest first. */
    public static final int KEPT_ERRORS = 100;

    /** What applying one change to one sync came to. */
    public enum Outcome {
        WRITTEN, DELETED, SKIPPED, FAILED
    }

    /**
     * Adds a tally to the sync's counts: the lag is the latest change's, and the tally's errors (newest first) go before
     * the ones kept, all stamped with the transaction's time, as last_error_at is.
     */
    private static final String COUNT = """
            INSERT INTO sync_realtime (sync_id, org_id, written, deleted, skipped, failed, last_lag_ms, last_change_at, last_error_at, errors)
            SELECT ?, ?, ?, ?, ?, ?, ?, now(), CASE WHEN ? THEN now() END,
                   (SELECT coalesce(jsonb_agg(e || jsonb_build_object('at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
                                              ORDER BY n), '[]'::jsonb)
                    FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS new_errors(e, n))
            ON CONFLICT (sync_id) DO UPDATE SET
                written = sync_realtime.written + EXCLUDED.written,
                deleted = sync_realtime.deleted + EXCLUDED.deleted,
                skipped = sync_realtime.skipped + EXCLUDED.skipped,
                failed = sync_realtime.failed + EXCLUDED.failed,
                last_lag_ms = COALESCE(EXCLUDED.last_lag_ms, sync_realtime.last_lag_ms),
                last_change_at = EXCLUDED.last_change_at,
                last_error_at = COALESCE(EXCLUDED.last_error_at, sync_realtime.last_error_at),
                errors = CASE WHEN EXCLUDED.last_error_at IS NULL THEN sync_realtime.errors
                    ELSE (SELECT jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(EXCLUDED.errors || sync_realtime.errors)
                          WITH ORDINALITY AS kept(e, n) WHERE n <= %d) END
            """.formatted(KEPT_ERRORS);

    private final DataSource dataSource;
    private final ObjectMapper json;

    public RealtimeChanges(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** What applying some of a sync's changes came to, to be counted at once ({@link #count(Sync, Tally)}). */
    public static final class Tally {
        private final long[] counts = new long[Outcome.values().length];
        /** Newest first, at most {@link #KEPT_ERRORS}: older ones would be dropped at once. */
        private final java.util.ArrayDeque<Map<String, String>> errors = new java.util.ArrayDeque<>();
        private Instant lastHappenedAt;

        /** One change's outcome; a failure's {@code key} and {@code reason} join the errors; {@code happenedAt} when known. */
        public void add(Outcome outcome, String key, String reason, Instant happenedAt) {
            counts[outcome.ordinal()]++;
            if (outcome == Outcome.FAILED) {
                errors.addFirst(Map.of("key", key == null ? "" : key,
                        "reason", reason == null ? "" : reason.length() > 500 ? reason.substring(0, 500) + "..." : reason));
                if (errors.size() > KEPT_ERRORS) {
                    errors.removeLast();
                }
            }
            if (happenedAt != null) {
                lastHappenedAt = happenedAt;
            }
        }

        public boolean isEmpty() {
            return java.util.Arrays.stream(counts).allMatch(c -> c == 0);
        }

        long count(Outcome outcome) {
            return counts[outcome.ordinal()];
        }
    }

    /** Counts a tally of changes applied to {@code sync}, in one statement. */
    public void count(Sync sync, Tally tally) throws SQLException {
        if (tally.isEmpty()) {
            return;
        }
        boolean failed = tally.count(Outcome.FAILED) > 0;
        try (Connection db = dataSource.getConnection(); PreparedStatement upsert = db.prepareStatement(COUNT)) {
            upsert.setObject(1, sync.id);
            upsert.setString(2, sync.orgId);
            upsert.setLong(3, tally.count(Outcome.WRITTEN));
            upsert.setLong(4, tally.count(Outcome.DELETED));
            upsert.setLong(5, tally.count(Outcome.SKIPPED));
            upsert.setLong(6, tally.count(Outcome.FAILED));
            if (tally.lastHappenedAt == null) {
                upsert.setNull(7, java.sql.Types.BIGINT);
            } else {
                upsert.setLong(7, Math.max(0, Duration.between(tally.lastHappenedAt, Instant.now()).toMillis()));
            }
            upsert.setBoolean(8, failed);
            upsert.setString(9, json.writeValueAsString(List.copyOf(tally.errors)));
            upsert.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sync's counts (all zeros before its first change) and its changes waiting for a run to end. */
    public SyncDtos.Realtime of(Sync sync) {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT r.written, r.deleted, r.skipped, r.failed, r.last_lag_ms, r.last_change_at, r.last_error_at, r.errors::text AS errors,
                       (SELECT count(*) FROM sync_realtime_deferred d WHERE d.sync_id = s.id) AS pending
                FROM (SELECT ?::uuid AS id) s LEFT JOIN sync_realtime r ON r.sync_id = s.id""")) {
            select.setObject(1, sync.id);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long lagValue = row.getLong("last_lag_ms");
                Long lag = row.wasNull() ? null : lagValue;
                String errors = row.getString("errors");
                return new SyncDtos.Realtime(row.getLong("written"), row.getLong("deleted"), row.getLong("skipped"), row.getLong("failed"),
                        row.getLong("pending"), lag, Timestamps.instant(row, "last_change_at"), Timestamps.instant(row, "last_error_at"),
                        errors == null ? List.of() : json.readValue(errors, new TypeReference<List<SyncDtos.RealtimeError>>() { }));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
