package dev.weft.connections.capture.log;

import dev.weft.connections.capture.CaptureContext;
import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Debezium's schema history for one stream, kept in connections-service's own schema through the stream's
 * {@link CaptureContext} ({@code stream_schema_history}). The binlog carries rows, not table definitions: the connector
 * records the captured table's definition (and every later DDL) here and replays it when a replica resumes the stream,
 * so a restart or a takeover decodes rows with the columns they were written with. The engine creates this class by
 * name, so the running stream's context is found by its id in {@link #register}'s map.
 *
 * <p>Records are appended, never rewritten. A DDL recorded by a replica that then died before committing the batch
 * behind it is replayed only up to the resumed offset (Debezium compares positions) and recorded again when the binlog
 * is read past it again: a duplicate entry at the same position, harmless.
 */
public class StreamSchemaHistory extends AbstractSchemaHistory {
    static final String STREAM_PROPERTY = "schema.history.internal.weft.stream.id";
    private static final Map<UUID, Registration> RUNNING = new ConcurrentHashMap<>();

    private final DocumentWriter writer = DocumentWriter.defaultWriter();
    private final DocumentReader reader = DocumentReader.defaultReader();
    private volatile CaptureContext context;
    private volatile Runnable recorded;

    private record Registration(CaptureContext context, Runnable recorded) {
    }

    /**
     * Makes a stream's context reachable by the history the engine creates for it; undone by {@link #unregister}.
     *
     * @param recorded told after each record is stored: the connector stores the table's definition once it has fixed
     *                 the binlog position it will read from
     */
    static void register(CaptureContext context, Runnable recorded) {
        RUNNING.put(context.streamId(), new Registration(context, recorded));
    }

    static void unregister(CaptureContext context) {
        RUNNING.computeIfPresent(context.streamId(), (id, registration) -> registration.context() == context ? null : registration);
    }

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener, boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        String id = config.getString(STREAM_PROPERTY);
        if (id == null) {
            throw new SchemaHistoryException("no " + STREAM_PROPERTY + " configured");
        }
        Registration registration = RUNNING.get(UUID.fromString(id));
        if (registration == null) {
            throw new SchemaHistoryException("stream " + id + " does not run here");
        }
        context = registration.context();
        recorded = registration.recorded();
    }

    @Override
    protected void storeRecord(HistoryRecord record) throws SchemaHistoryException {
        try {
            context.recordSchemaHistory(writer.write(record.document()));
            recorded.run();
        } catch (IOException | RuntimeException e) {
            throw new SchemaHistoryException("could not store the schema history of stream " + context.streamPublicId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void recoverRecords(Consumer<HistoryRecord> records) {
        for (String stored : context.schemaHistory()) {
            try {
                records.accept(new HistoryRecord(reader.read(stored)));
            } catch (IOException e) {
                throw new SchemaHistoryException("unreadable schema history of stream " + context.streamPublicId() + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public boolean exists() {
        return !context.schemaHistory().isEmpty();
    }

    /** The table is created by the service's migrations. */
    @Override
    public boolean storageExists() {
        return true;
    }

    @Override
    public String toString() {
        return "stream schema history";
    }
}
