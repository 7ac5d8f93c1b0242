package dev.weft.connections.capture;

import dev.weft.platform.db.ArrayColumns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The statements of running streams, by id (sources run outside any request): their leases, their stored positions and
 * schema history, and what a committed batch changes on the stream. Every write of a running stream is fenced by its
 * lease: it changes nothing unless this replica still holds the stream and it still runs.
 */
@ApplicationScoped
public class StreamStore {
    private final DataSource dataSource;

    public StreamStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Extends the leases this replica holds on running streams; returns the ids it still holds. */
    public Set<UUID> renew(String replica, Set<UUID> held, Duration lease) {
        Set<UUID> renewed = new HashSet<>();
        if (held.isEmpty()) {
            return renewed;
        }
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("UPDATE streams SET leased_until = now() + make_interval(secs => ?)"
                     + " WHERE id = ANY(?) AND leased_by = ? AND status IN " + StreamStatus.RUNNING_SQL + " RETURNING id")) {
            update.setDouble(1, lease.toMillis() / 1000.0);
            update.setArray(2, db.createArrayOf("uuid", held.toArray()));
            update.setString(3, replica);
            try (ResultSet rows = update.executeQuery()) {
                while (rows.next()) {
                    renewed.add(rows.getObject(1, UUID.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("renewing stream leases failed: " + e.getMessage(), e);
        }
        return renewed;
    }

    /** Gives up this replica's leases at once (a clean shutdown), so another replica takes the streams over without waiting. */
    public void release(String replica, Set<UUID> held) {
        if (held.isEmpty()) {
            return;
        }
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement(
                     "UPDATE streams SET leased_by = NULL, leased_until = NULL WHERE id = ANY(?) AND leased_by = ?")) {
            update.setArray(1, db.createArrayOf("uuid", held.toArray()));
            update.setString(2, replica);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("releasing stream leases failed: " + e.getMessage(), e);
        }
    }

    /** Lets go of a stream this replica could not start, so any replica tries again once {@code wait} has passed. */
    public void postpone(UUID streamId, String replica, Duration wait) {
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("UPDATE streams SET leased_by = NULL, leased_until = now() + make_interval(secs => ?)"
                     + " WHERE id = ? AND leased_by = ?")) {
            update.setDouble(1, wait.toMillis() / 1000.0);
            update.setObject(2, streamId);
            update.setString(3, replica);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("postponing stream " + streamId + " failed: " + e.getMessage(), e);
        }
    }

    public Map<String, String> offsets(UUID streamId) {
        Map<String, String> offsets = new LinkedHashMap<>();
        try (Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement("SELECT name, value FROM stream_offsets WHERE stream_id = ? ORDER BY name")) {
            select.setObject(1, streamId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    offsets.put(rows.getString(1), rows.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the position of stream " + streamId + " failed: " + e.getMessage(), e);
        }
        return offsets;
    }

    /**
     * A committed batch's side of the stream, in the caller's transaction: counters, position and lag, streaming once
     * changes flow, and the source's offsets. Throws {@link LeaseLost} (rolling the batch back) unless this replica
     * still holds the running stream.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void committed(UUID streamId, String streamPublicId, String replica, int events, ChangeBatch batch, Instant lastCommittedAt) {
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement update = db.prepareStatement("""
                    UPDATE streams SET events_published = events_published + ?, position = COALESCE(?, position),
                           last_event_at = CASE WHEN ? > 0 THEN now() ELSE last_event_at END,
                           lag_seconds = CASE WHEN ?::timestamptz IS NULL THEN lag_seconds
                                              ELSE GREATEST(0, extract(epoch FROM now() - ?::timestamptz)) END,
                           updated_at = now()
                    WHERE id = ? AND leased_by = ? AND status IN """ + StreamStatus.RUNNING_SQL)) {
                Timestamp committed = lastCommittedAt == null ? null : Timestamp.from(lastCommittedAt);
                update.setLong(1, events);
                update.setString(2, batch.position());
                update.setInt(3, events);
                update.setTimestamp(4, committed);
                update.setTimestamp(5, committed);
                update.setObject(6, streamId);
                update.setString(7, replica);
                if (update.executeUpdate() == 0) {
                    throw new LeaseLost(streamPublicId);
                }
            }
            if (!batch.offsets().isEmpty()) {
                ArrayColumns offsets = new ArrayColumns("text", "text");
                batch.offsets().forEach(offsets::add);
                try (PreparedStatement upsert = db.prepareStatement("""
                        INSERT INTO stream_offsets (stream_id, name, value) SELECT ?, v.name, v.value FROM unnest(?::text[], ?::text[]) AS v(name, value)
                        ON CONFLICT (stream_id, name) DO UPDATE SET value = EXCLUDED.value""")) {
                    upsert.setObject(1, streamId);
                    offsets.bind(db, upsert, 2);
                    upsert.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("committing a batch of stream " + streamPublicId + " failed: " + e.getMessage(), e);
        }
    }

    /** Moves a running stream this replica holds to {@code status} (e.g. streaming); false when it no longer holds it. */
    public boolean status(UUID streamId, String replica, StreamStatus status, String reason) {
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("UPDATE streams SET status = ?, status_reason = ?, updated_at = now()"
                     + " WHERE id = ? AND leased_by = ? AND status IN " + StreamStatus.RUNNING_SQL)) {
            update.setString(1, status.wire());
            update.setString(2, reason);
            update.setObject(3, streamId);
            update.setString(4, replica);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("updating stream " + streamId + " failed: " + e.getMessage(), e);
        }
    }

    public List<String> schemaHistory(UUID streamId) {
        List<String> records = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement("SELECT record FROM stream_schema_history WHERE stream_id = ? ORDER BY seq")) {
            select.setObject(1, streamId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    records.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the schema history of stream " + streamId + " failed: " + e.getMessage(), e);
        }
        return records;
    }

    public void recordSchemaHistory(UUID streamId, String record) {
        try (Connection db = dataSource.getConnection();
             PreparedStatement insert = db.prepareStatement("INSERT INTO stream_schema_history (stream_id, record) VALUES (?, ?)")) {
            insert.setObject(1, streamId);
            insert.setString(2, record);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("recording the schema history of stream " + streamId + " failed: " + e.getMessage(), e);
        }
    }
}
