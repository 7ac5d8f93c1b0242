package dev.weft.sync.run;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Realtime changes held back while a run of their sync is queued or running (table {@code sync_realtime_deferred}),
 * in the caller's transaction. Whoever defers or applies a sync's changes first takes {@link #lock}, so that a change
 * is deferred exactly while a run is active or older changes still wait, and the held-back ones are applied before
 * any later one.
 */
@ApplicationScoped
public class DeferredChanges {
    /** A held-back change: its place in the sync's order, and the event as received. */
    public record Deferred(long seq, String type, String data) {
    }

    /** A sync whose changes wait with no run active any more: theirs to apply. */
    public record Waiting(UUID syncId, String orgId) {
    }

    private static final String RUN_ACTIVE = "SELECT 1 FROM sync_runs WHERE sync_id = ? AND status IN ('queued', 'running')";

    private final DataSource dataSource;

    public DeferredChanges(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The sync's lock for realtime changes, held until the caller's transaction ends. */
    public void lock(UUID syncId) throws SQLException {
        try (Connection db = dataSource.getConnection();
             PreparedStatement lock = db.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            // Two syncs that share the 64-bit key only wait for each other.
            lock.setLong(1, syncId.getMostSignificantBits() ^ syncId.getLeastSignificantBits());
            lock.execute();
        }
    }

    /** Whether a run of the sync is queued or running. */
    public boolean runActive(UUID syncId) throws SQLException {
        return exists(RUN_ACTIVE, syncId);
    }

    /** Whether a change must wait: a run is active, or changes before it still wait (they go first). */
    public boolean mustWait(UUID syncId) throws SQLException {
        return exists(RUN_ACTIVE + " UNION ALL SELECT 1 FROM sync_realtime_deferred WHERE sync_id = ?", syncId, syncId);
    }

    public void defer(UUID syncId, String orgId, String type, String data) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO sync_realtime_deferred (sync_id, org_id, event_type, data) VALUES (?, ?, ?, ?)")) {
            insert.setObject(1, syncId);
            insert.setString(2, orgId);
            insert.setString(3, type);
            insert.setString(4, data);
            insert.executeUpdate();
        }
    }

    /** The sync's oldest held-back changes, at most {@code limit}, in order. */
    public List<Deferred> oldest(UUID syncId, int limit) throws SQLException {
        List<Deferred> page = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(
                "SELECT seq, event_type, data FROM sync_realtime_deferred WHERE sync_id = ? ORDER BY seq LIMIT ?")) {
            select.setObject(1, syncId);
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    page.add(new Deferred(rows.getLong(1), rows.getString(2), rows.getString(3)));
                }
            }
        }
        return page;
    }

    /** Removes the sync's held-back changes up to {@code seq}, applied in this transaction. */
    public void applied(UUID syncId, long seq) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement delete = db.prepareStatement(
                "DELETE FROM sync_realtime_deferred WHERE sync_id = ? AND seq <= ?")) {
            delete.setObject(1, syncId);
            delete.setLong(2, seq);
            delete.executeUpdate();
        }
    }

    /** Syncs, of any org, with changes waiting and no run active: at most {@code limit}. */
    public List<Waiting> waiting(int limit) throws SQLException {
        List<Waiting> found = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT DISTINCT d.sync_id, d.org_id FROM sync_realtime_deferred d
                WHERE NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.sync_id = d.sync_id AND r.status IN ('queued', 'running'))
                LIMIT ?""")) {
            select.setInt(1, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(new Waiting(rows.getObject(1, UUID.class), rows.getString(2)));
                }
            }
        }
        return found;
    }

    private boolean exists(String sql, UUID... syncIds) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(sql)) {
            for (int i = 0; i < syncIds.length; i++) {
                select.setObject(i + 1, syncIds[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }
}
