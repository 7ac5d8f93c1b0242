package dev.weft.sync.run;

import dev.weft.platform.db.DueWork;
import dev.weft.platform.db.Timestamps;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The worker's writes to a run, each fenced by its claim ({@code lease_owner}): a replica whose lease ran out and was
 * taken over finds its update matching nothing and stops, so only the current holder ever checkpoints. Each method
 * works in the caller's transaction.
 */
@ApplicationScoped
public class RunStore {
    /** Queued runs, and running ones whose replica stopped renewing the lease (killed): oldest first. */
    static final DueWork.Claim CLAIM = new DueWork.Claim("sync_runs",
            "c.status IN ('queued', 'running') AND (c.lease_until IS NULL OR c.lease_until <= now())", "c.queued_at", "lease_until",
            "SELECT id, org_id, sync_id FROM claimed").ownedBy("lease_owner");

    static final String PHASE_DELETE = "delete";

    private final DataSource dataSource;

    public RunStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record Claimed(UUID id, String orgId, UUID syncId) {
        static Claimed read(ResultSet row) throws SQLException {
            return new Claimed(row.getObject("id", UUID.class), row.getString("org_id"), row.getObject("sync_id", UUID.class));
        }
    }

    /** A run as the worker holds it: where it stands after its last checkpoint. */
    public record State(UUID id, String orgId, UUID syncId, String trigger, String cursor, boolean firstStart, boolean cancelRequested, int attempts,
                        long read, long written, long created, long updated, long deleted, long skipped, long failed, int batches, String errors,
                        Instant startedAt, String phase, String deleteCursor, boolean fullRefresh) {
        /** Whether the run had read the whole source and was deleting what it did not see (a mirror, a full refresh). */
        public boolean deleting() {
            return PHASE_DELETE.equals(phase);
        }

        static State read(ResultSet row) throws SQLException {
            return new State(row.getObject("id", UUID.class), row.getString("org_id"), row.getObject("sync_id", UUID.class), row.getString("trigger"),
                    row.getString("cursor"), row.getBoolean("first_start"), row.getBoolean("cancel_requested"), row.getInt("attempts"),
                    row.getLong("records_read"), row.getLong("records_written"), row.getLong("records_created"), row.getLong("records_updated"),
                    row.getLong("records_deleted"), row.getLong("records_skipped"), row.getLong("records_failed"), row.getInt("batches"),
                    row.getString("errors"), Timestamps.instant(row, "started_at"), row.getString("phase"), row.getString("delete_cursor"),
                    row.getBoolean("full_refresh"));
        }
    }

    /** What one batch added. */
    public record Delta(long read, long written, long created, long updated, long deleted, long skipped, long failed) {
    }

    /** A finished run's figures, for its event. */
    public record Finished(String status, String trigger, boolean fullRefresh, long read, long written, long created, long updated, long deleted,
                           long skipped, long failed, Instant startedAt, Instant finishedAt, String error) {
    }

    public List<Claimed> claim(DueWork dueWork, String owner, Duration lease, int limit) {
        return dueWork.claim(CLAIM, owner, DueWork.Parameters.NONE, lease, limit, Claimed::read);
    }

    /**
     * Marks the run running. The first start takes the sync's cursor as its own; a resumed run keeps the cursor of its
     * last checkpoint. A mirror run, and a run asked for as a full refresh, reads the whole source, so it starts from no
     * cursor (it can only tell what is gone from the destination after seeing everything). Empty if the claim was lost
     * meanwhile or the run ended.
     */
    public Optional<State> start(UUID runId, String owner) throws SQLException {
        String sql = """
                UPDATE sync_runs r SET status = 'running', attempts = r.attempts + 1, updated_at = now(),
                    started_at = COALESCE(r.started_at, now()),
                    cursor_start = CASE WHEN r.started_at IS NULL THEN s.cursor ELSE r.cursor_start END,
                    cursor = CASE WHEN r.started_at IS NOT NULL THEN r.cursor
                                  WHEN r.full_refresh OR (s.destination::jsonb ->> 'mode') = 'mirror' THEN NULL ELSE s.cursor END
                FROM syncs s
                WHERE r.id = ? AND r.lease_owner = ? AND s.id = r.sync_id AND r.status IN ('queued', 'running')
                RETURNING r.*, (r.attempts = 1) AS first_start""";
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(sql)) {
            update.setObject(1, runId);
            update.setString(2, owner);
            try (ResultSet row = update.executeQuery()) {
                return row.next() ? Optional.of(State.read(row)) : Optional.empty();
            }
        }
    }

    /**
     * The checkpoint: the batch's counts, the cursor after it and the errors on the run; the cursor on its sync, while the
     * sync reads as {@code source} (the one the run planned from) does, {@link dev.weft.sync.sync.SyncDtos.Source#readsAs};
     * a renewed lease; and for a mirror's batch the destination keys it saw ({@code seen}, so a resumed run knows exactly
     * what the replayed cursor covers), all in one transaction. Returns whether a cancel was asked for; empty when this
     * replica no longer holds the run (nothing was written).
     */
    public Optional<Boolean> checkpoint(UUID runId, String owner, Delta delta, String cursor, String errors, Duration lease, List<String> seen,
                                        dev.weft.sync.sync.SyncDtos.Source source) throws SQLException {
        String sql = """
                UPDATE sync_runs SET records_read = records_read + ?, records_written = records_written + ?,
                    records_created = records_created + ?, records_updated = records_updated + ?, records_deleted = records_deleted + ?,
                    records_skipped = records_skipped + ?, records_failed = records_failed + ?, batches = batches + 1,
                    cursor = ?, errors = ?, lease_until = now() + make_interval(secs => ?), updated_at = now()
                WHERE id = ? AND lease_owner = ? AND status = 'running'
                RETURNING sync_id, cancel_requested""";
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(sql)) {
            // Not waiting for the WAL flush (a disk's flush was half of a batch's time in bench/sync, the destination's
            // own commit the other half): a checkpoint lost in a database crash leaves the run at the one before, which
            // reads those batches again and writes them again by key, as after a replica killed between write and
            // checkpoint. A replica killed with the database up loses nothing committed, and the run's finish, which
            // waits for the flush, makes every checkpoint before it durable.
            try (Statement asynchronous = db.createStatement()) {
                asynchronous.execute("SET LOCAL synchronous_commit TO off");
            }
            int i = 1;
            for (long n : new long[]{delta.read(), delta.written(), delta.created(), delta.updated(), delta.deleted(), delta.skipped(), delta.failed()}) {
                update.setLong(i++, n);
            }
            update.setString(i++, cursor);
            update.setString(i++, errors);
            update.setDouble(i++, lease.toMillis() / 1000.0);
            update.setObject(i++, runId);
            update.setString(i, owner);
            UUID syncId;
            boolean cancel;
            try (ResultSet row = update.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                syncId = row.getObject("sync_id", UUID.class);
                cancel = row.getBoolean("cancel_requested");
            }
            // Only while the sync reads as the run's source does (SyncDtos.Source.readsAs, in SQL): a change of connection, object
            // or cursor field drops the cursor, and a run that started just before must not bring the old position back.
            try (PreparedStatement sync = db.prepareStatement("""
                    UPDATE syncs SET cursor = ? WHERE id = ? AND source::jsonb ->> 'connection_id' = ? AND source::jsonb ->> 'object' = ?
                        AND (source::jsonb ->> 'cursor_field') IS NOT DISTINCT FROM ?""")) {
                sync.setString(1, cursor);
                sync.setObject(2, syncId);
                sync.setString(3, source.connectionId());
                sync.setString(4, source.object());
                sync.setString(5, source.cursorField());
                sync.executeUpdate();
            }
            if (!seen.isEmpty()) {
                try (PreparedStatement keys = db.prepareStatement(
                        "INSERT INTO sync_run_keys (run_id, key) SELECT ?, k FROM unnest(?::text[]) AS k ON CONFLICT DO NOTHING")) {
                    keys.setObject(1, runId);
                    keys.setArray(2, db.createArrayOf("text", seen.toArray()));
                    keys.executeUpdate();
                }
            }
            return Optional.of(cancel);
        }
    }

    /** The mirror (or full refresh) has read the whole source: from now on (and after a resume) it deletes. False if no longer held. */
    public boolean beginDeletes(UUID runId, String owner) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(
                "UPDATE sync_runs SET phase = 'delete', updated_at = now() WHERE id = ? AND lease_owner = ? AND status = 'running'")) {
            update.setObject(1, runId);
            update.setString(2, owner);
            return update.executeUpdate() == 1;
        }
    }

    /** Positions (0-based) of the destination keys this run did not see in the source. */
    public List<Integer> unseen(UUID runId, List<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return List.of();
        }
        try (Connection db = dataSource.getConnection(); PreparedStatement query = db.prepareStatement("""
                SELECT k.i - 1 AS i FROM unnest(?::text[]) WITH ORDINALITY AS k(key, i)
                WHERE NOT EXISTS (SELECT 1 FROM sync_run_keys s WHERE s.run_id = ? AND s.key = k.key) ORDER BY k.i""")) {
            query.setArray(1, db.createArrayOf("text", keys.toArray()));
            query.setObject(2, runId);
            List<Integer> positions = new java.util.ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    positions.add((int) row.getLong("i"));
                }
            }
            return positions;
        }
    }

    /**
     * The checkpoint of a deleted batch: its counts (deleted, failed), the destination read's cursor after it, the
     * errors and a renewed lease. The sync's own cursor is untouched. Returns whether a cancel was asked for; empty when
     * this replica no longer holds the run.
     */
    public Optional<Boolean> deleteCheckpoint(UUID runId, String owner, long deleted, long failed, String deleteCursor, String errors, Duration lease)
            throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement("""
                UPDATE sync_runs SET records_deleted = records_deleted + ?, records_failed = records_failed + ?, delete_cursor = ?, errors = ?,
                    lease_until = now() + make_interval(secs => ?), updated_at = now()
                WHERE id = ? AND lease_owner = ? AND status = 'running' AND phase = 'delete'
                RETURNING cancel_requested""")) {
            update.setLong(1, deleted);
            update.setLong(2, failed);
            update.setString(3, deleteCursor);
            update.setString(4, errors);
            update.setDouble(5, lease.toMillis() / 1000.0);
            update.setObject(6, runId);
            update.setString(7, owner);
            try (ResultSet row = update.executeQuery()) {
                return row.next() ? Optional.of(row.getBoolean("cancel_requested")) : Optional.empty();
            }
        }
    }

    /** Ends the run with {@code status}; empty if this replica no longer holds it. */
    public Optional<Finished> finish(UUID runId, String owner, String status, String error) throws SQLException {
        String sql = """
                UPDATE sync_runs SET status = ?, error = ?, finished_at = now(), lease_until = NULL, updated_at = now()
                WHERE id = ? AND lease_owner = ? AND status IN ('queued', 'running')
                RETURNING status, trigger, full_refresh, records_read, records_written, records_created, records_updated, records_deleted,
                          records_skipped, records_failed, COALESCE(started_at, now()) AS started_at, finished_at, error""";
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(sql)) {
            update.setString(1, status);
            update.setString(2, error);
            update.setObject(3, runId);
            update.setString(4, owner);
            try (ResultSet row = update.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                // A finished run's seen keys are of no further use (a failed or cancelled mirror deleted nothing).
                try (PreparedStatement keys = db.prepareStatement("DELETE FROM sync_run_keys WHERE run_id = ?")) {
                    keys.setObject(1, runId);
                    keys.executeUpdate();
                }
                return Optional.of(finished(row));
            }
        }
    }

    /** Records how many records the run will read (its percent and ETA). */
    public void total(UUID runId, String owner, long total) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(
                "UPDATE sync_runs SET records_total = ? WHERE id = ? AND lease_owner = ?")) {
            update.setLong(1, total);
            update.setObject(2, runId);
            update.setString(3, owner);
            update.executeUpdate();
        }
    }

    /** Changes a finished run's status (succeeded that turned out partially_succeeded), in the finishing transaction. */
    public Optional<Finished> relabel(UUID runId, String status) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(
                "UPDATE sync_runs SET status = ? WHERE id = ? RETURNING status, trigger, full_refresh, records_read, records_written, records_created,"
                        + " records_updated, records_deleted, records_skipped, records_failed, COALESCE(started_at, now()) AS started_at,"
                        + " finished_at, error")) {
            update.setString(1, status);
            update.setObject(2, runId);
            try (ResultSet row = update.executeQuery()) {
                return row.next() ? Optional.of(finished(row)) : Optional.empty();
            }
        }
    }

    private static Finished finished(ResultSet row) throws SQLException {
        return new Finished(row.getString("status"), row.getString("trigger"), row.getBoolean("full_refresh"), row.getLong("records_read"),
                row.getLong("records_written"), row.getLong("records_created"), row.getLong("records_updated"), row.getLong("records_deleted"),
                row.getLong("records_skipped"), row.getLong("records_failed"), Timestamps.instant(row, "started_at"), Timestamps.instant(row, "finished_at"),
                row.getString("error"));
    }

    /** Hands the run back for a later attempt (something it needs is down): any replica resumes it after {@code delay}. */
    public void postpone(UUID runId, String owner, Duration delay, String reason) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement("""
                UPDATE sync_runs SET lease_until = now() + make_interval(secs => ?), lease_owner = NULL, error = ?, updated_at = now()
                WHERE id = ? AND lease_owner = ? AND status = 'running'""")) {
            update.setDouble(1, delay.toMillis() / 1000.0);
            update.setString(2, reason);
            update.setObject(3, runId);
            update.setString(4, owner);
            update.executeUpdate();
        }
    }
}
