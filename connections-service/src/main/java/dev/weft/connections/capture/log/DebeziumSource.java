package dev.weft.connections.capture.log;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.Change;
import dev.weft.connections.capture.ChangeBatch;
import dev.weft.connections.capture.ChangeSource;
import dev.weft.connections.capture.LeaseLost;
import dev.weft.connections.capture.StreamStatus;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.quarkus.logging.Log;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetStorageWriter;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A stream fed by the Debezium embedded engine (PostgreSQL logical decoding, the MySQL/MariaDB binlog), top to bottom:
 * the engine hands over a batch of change records; they become {@link Change}s; the batch's events and the engine's
 * offset after its last record are committed together ({@link CaptureContext#publish}); only then does the engine learn
 * the records were processed, flush its offset and acknowledge the position to the database. A replica killed at any
 * point resumes from the offset committed with the last stored batch: nothing lost, nothing published twice. A batch
 * this replica may no longer commit (its lease is gone) stops the engine without acknowledging anything.
 */
final class DebeziumSource implements ChangeSource {
    private final CaptureContext context;
    private final Properties properties;
    private final Function<Map<String, ?>, String> positionOf;
    private final Function<String, String> explain;
    private final JsonConverter offsetKeys = new JsonConverter();
    private final JsonConverter offsetValues = new JsonConverter();
    private final ExecutorService runner;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private volatile boolean closing;
    private volatile boolean streaming;
    private final boolean positionFixedAtStart;
    /** The fields of the last change envelope seen (the engine's thread reads and writes it, one batch at a time). */
    private volatile Envelope envelope;

    /**
     * @param positionOf the source's position, as its own tools show it, from a Connect offset
     * @param explain    an engine failure's message turned into a reason a user can act on (or null to keep it)
     */
    DebeziumSource(CaptureContext context, Properties properties, Function<Map<String, ?>, String> positionOf, Function<String, String> explain) {
        this(context, properties, positionOf, explain, true);
    }

    /**
     * @param positionFixedAtStart whether the position the stream reads from is fixed once the engine's task has started
     *                             (a replication slot, a stored offset); when not (a binlog reader that first reads the
     *                             server's current position and the table's definition), the stream is reported
     *                             streaming only at {@link #positionFixed()}, so no change made after it is said to
     *                             stream can fall before that position
     */
    DebeziumSource(CaptureContext context, Properties properties, Function<Map<String, ?>, String> positionOf, Function<String, String> explain,
                   boolean positionFixedAtStart) {
        this.positionFixedAtStart = positionFixedAtStart;
        this.context = context;
        this.properties = properties;
        this.positionOf = positionOf;
        this.explain = explain;
        // As the engine itself configures the converters of its offsets, so the rows written with a batch are the ones it reads.
        Map<String, String> internal = Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false");
        offsetKeys.configure(internal, true);
        offsetValues.configure(internal, false);
        this.runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("stream-" + context.streamPublicId()).daemon().factory());
    }

    @Override
    public void start() {
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties)
                .using(getClass().getClassLoader())
                .notifying(this::handleBatch)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        if (context.snapshot()) {
                            report(StreamStatus.SNAPSHOTTING);
                        } else if (positionFixedAtStart) {
                            streaming = true;
                            report(StreamStatus.STREAMING);
                        }
                    }
                })
                .using(this::completed)
                .build();
        runner.execute(engine);
    }

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Change> changes = new ArrayList<>(records.size());
        Map<String, ?> partition = null;
        Map<String, ?> offset = null;
        boolean snapshotEnded = false;
        boolean liveChange = false;
        Envelope fields = envelope;
        for (RecordChangeEvent<SourceRecord> event : records) {
            SourceRecord record = event.record();
            if (record.sourcePartition() != null && record.sourceOffset() != null) {
                partition = record.sourcePartition();
                offset = record.sourceOffset();
            }
            if (!(record.value() instanceof Struct value)) {
                continue; // a tombstone: it moves the position, nothing changed
            }
            if (fields == null || fields.schema() != value.schema()) {
                fields = Envelope.of(value.schema());
            }
            if (fields.op() == null) {
                continue; // a heartbeat: it moves the position, nothing changed
            }
            Struct source = fields.source() == null ? null : (Struct) value.get(fields.source());
            String snapshotMarker = source == null || fields.snapshot() == null ? null : String.valueOf(source.get(fields.snapshot()));
            snapshotEnded |= "last".equals(snapshotMarker);
            String op = (String) value.get(fields.op());
            liveChange |= !"r".equals(op);
            Change change = change(record, value, op, source, fields);
            if (change != null) {
                changes.add(change);
            }
        }
        envelope = fields;
        if (offset != null) {
            try {
                Map<String, String> offsetRows = offsets(partition, offset);
                context.publish(new ChangeBatch(changes, offsetRows, positionOf.apply(offset)));
                StreamOffsetStore.committedWithBatch(context.streamId(), offsetRows);
            } catch (LeaseLost e) {
                // Not acknowledged: the replica that holds the stream now resumes from the last committed batch.
                throw new IllegalStateException("stream " + context.streamPublicId() + " is no longer held here", e);
            }
        }
        if (!streaming && (snapshotEnded || liveChange)) {
            streaming = true;
            report(StreamStatus.STREAMING);
        }
        for (RecordChangeEvent<SourceRecord> event : records) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    private Change change(SourceRecord record, Struct value, String op, Struct source, Envelope fields) {
        Map<String, Object> before = fields.before() == null ? null : ConnectValues.row((Struct) value.get(fields.before()));
        Map<String, Object> after = fields.after() == null ? null : ConnectValues.row((Struct) value.get(fields.after()));
        Map<String, Object> key = record.key() instanceof Struct keyStruct ? ConnectValues.row(keyStruct) : keyOf(after != null ? after : before);
        Object committedMillis = source == null || fields.tsMs() == null ? null : source.get(fields.tsMs());
        Instant committedAt = committedMillis == null ? null : Instant.ofEpochMilli((Long) committedMillis);
        String position = positionOf.apply(record.sourceOffset());
        return switch (op) {
            case "c", "r" -> new Change(Change.Op.CREATED, key, after, null, position, committedAt);
            case "u" -> new Change(Change.Op.UPDATED, key, after, before, position, committedAt);
            case "d" -> new Change(Change.Op.DELETED, key, before, null, position, committedAt);
            default -> null; // truncate, message: not a record's change
        };
    }

    /**
     * A change envelope's fields, found once per envelope schema (a table's changes share one): looked up by name, they
     * were a dozen map look-ups per change.
     */
    private record Envelope(Schema schema, Field op, Field before, Field after, Field source, Field snapshot, Field tsMs) {
        static Envelope of(Schema schema) {
            Field source = schema.field("source");
            Schema sourceSchema = source == null ? null : source.schema();
            return new Envelope(schema, schema.field("op"), schema.field("before"), schema.field("after"), source,
                    sourceSchema == null ? null : sourceSchema.field("snapshot"), sourceSchema == null ? null : sourceSchema.field("ts_ms"));
        }
    }

    private Map<String, Object> keyOf(Map<String, Object> row) {
        Map<String, Object> key = new LinkedHashMap<>();
        if (row != null) {
            for (String field : context.object().primaryKey()) {
                key.put(field, row.get(field));
            }
        }
        return key;
    }

    /** The engine's offset after the batch, serialised exactly as its own offset writer does (same namespace, same converters). */
    private Map<String, String> offsets(Map<String, ?> partition, Map<String, ?> offset) {
        Capturing store = new Capturing();
        OffsetStorageWriter writer = new OffsetStorageWriter(store, properties.getProperty("name"), offsetKeys, offsetValues);
        writer.offset(partition, offset);
        writer.beginFlush();
        try {
            writer.doFlush((error, ignored) -> {
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not serialise the offset of stream " + context.streamPublicId(), e);
        }
        Map<String, String> rows = new LinkedHashMap<>();
        store.written().forEach((key, value) -> rows.put(StreamOffsetStore.name(key), StreamOffsetStore.encode(value)));
        return rows;
    }

    /** Catches what an offset writer would store. */
    private static final class Capturing extends MemoryOffsetBackingStore {
        Capturing() {
            start();
        }

        Map<ByteBuffer, ByteBuffer> written() {
            return data;
        }

        @Override
        public java.util.Set<Map<String, Object>> connectorPartitions(String connectorName) {
            return java.util.Set.of();
        }
    }

    /** The source now reads from a fixed position: a stream without a snapshot is streaming from here on. */
    void positionFixed() {
        if (!streaming && !context.snapshot()) {
            streaming = true;
            report(StreamStatus.STREAMING);
        }
    }

    private void report(StreamStatus status) {
        try {
            context.status(status);
        } catch (RuntimeException e) {
            Log.debugf("event=stream_status_not_reported stream_id=%s status=%s", context.streamPublicId(), status.wire());
        }
    }

    private void completed(boolean success, String message, Throwable error) {
        if (closing) {
            return;
        }
        String reason = message == null ? "the change capture engine stopped" : message;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof LeaseLost || (t.getCause() instanceof LeaseLost)) {
                return;
            }
            if (t.getMessage() != null) {
                reason = t.getMessage();
            }
        }
        String explained = explain.apply(reason);
        context.failed(explained != null ? explained : reason);
    }

    @Override
    public void close() {
        closing = true;
        try {
            if (engine != null) {
                engine.close();
            }
        } catch (Exception e) {
            Log.debugf("event=stream_engine_close_failed stream_id=%s message=\"%s\"", context.streamPublicId(), e.getMessage());
        }
        runner.shutdown();
        StreamOffsetStore.forget(context.streamId());
        try {
            if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
                runner.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
