package dev.weft.connections.capture.log;

import io.quarkus.arc.Arc;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

import javax.sql.DataSource;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debezium's offset storage for one stream, in connections-service's own schema ({@code stream_offsets}, rows named
 * {@code dbz:<base64 key>}). The batch consumer writes the same rows in the transaction that stores the batch's events
 * (see {@link DebeziumSource}); what the engine flushes here afterwards is the same value again, and what makes the
 * source acknowledge the position to its database (the replication slot advances). The engine creates this class by
 * name, so it finds the data source through the container.
 */
public class StreamOffsetStore extends MemoryOffsetBackingStore {
    static final String STREAM_PROPERTY = "weft.stream.id";
    static final String PREFIX = "dbz:";
    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    /**
     * Per stream, the offset rows the last stored batch committed with its events. The engine flushes the same values
     * after each batch: those are already durable, so that flush writes nothing (it was a second synchronous commit per
     * batch, which under I/O contention held the engine's consumer thread for tens of milliseconds every batch).
     */
    private static final Map<UUID, Map<String, String>> COMMITTED_WITH_BATCH = new ConcurrentHashMap<>();

    private UUID streamId;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        streamId = UUID.fromString(String.valueOf(config.originals().get(STREAM_PROPERTY)));
    }

    @Override
    public synchronized void start() {
        super.start();
        try (Connection db = dataSource().getConnection();
             PreparedStatement select = db.prepareStatement("SELECT name, value FROM stream_offsets WHERE stream_id = ? AND name LIKE 'dbz:%'")) {
            select.setObject(1, streamId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    data.put(decode(rows.getString(1).substring(PREFIX.length())), rows.getString(2) == null ? null : decode(rows.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the offsets of stream " + streamId + " failed: " + e.getMessage(), e);
        }
    }

    /** Called once a batch's events and these offset rows (as {@link #name}/{@link #encode} write them) are committed. */
    static void committedWithBatch(UUID streamId, Map<String, String> rows) {
        COMMITTED_WITH_BATCH.put(streamId, java.util.Collections.unmodifiableMap(new HashMap<>(rows)));
    }

    /** The stream's run ended here: the next run starts from what is stored. */
    static void forget(UUID streamId) {
        COMMITTED_WITH_BATCH.remove(streamId);
    }

    @Override
    protected void save() {
        Map<String, String> rows = new HashMap<>();
        for (Map.Entry<ByteBuffer, ByteBuffer> entry : data.entrySet()) {
            rows.put(name(entry.getKey()), encode(entry.getValue()));
        }
        Map<String, String> committed = COMMITTED_WITH_BATCH.get(streamId);
        if (committed != null && committed.entrySet().containsAll(rows.entrySet())) {
            return; // stored with the batch, durably: writing it again changes nothing
        }
        try (Connection db = dataSource().getConnection();
             PreparedStatement upsert = db.prepareStatement("""
                     INSERT INTO stream_offsets (stream_id, name, value) VALUES (?, ?, ?)
                     ON CONFLICT (stream_id, name) DO UPDATE SET value = EXCLUDED.value""")) {
            for (Map.Entry<String, String> row : rows.entrySet()) {
                upsert.setObject(1, streamId);
                upsert.setString(2, row.getKey());
                upsert.setString(3, row.getValue());
                upsert.addBatch();
            }
            upsert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("storing the offsets of stream " + streamId + " failed: " + e.getMessage(), e);
        }
    }

    /** Only Connect's distributed runtime lists partitions; the embedded engine never asks. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    static String name(ByteBuffer key) {
        return PREFIX + encode(key);
    }

    static String encode(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return ENCODER.encodeToString(copy);
    }

    private static ByteBuffer decode(String text) {
        return ByteBuffer.wrap(DECODER.decode(text));
    }

    private static DataSource dataSource() {
        return Arc.container().instance(DataSource.class).get();
    }
}
