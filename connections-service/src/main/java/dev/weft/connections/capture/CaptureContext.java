package dev.weft.connections.capture;

import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ObjectSchema;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a source of changes gets for one stream: the stream, its connection, its stored position, and where to hand changes. */
public interface CaptureContext {

    UUID streamId();

    /** {@code strm_...}: names the stream in logs and events. */
    String streamPublicId();

    String orgId();

    /** {@code conn_...}. */
    String connectionId();

    /** The captured object as the connector describes it (name, fields, primary key). */
    ObjectSchema object();

    /**
     * The fields the stream's events carry (empty: every field); a polling source asks its API for only these (and the
     * key and cursor fields) when it can. Empty too when the stream has a filter, which may name any field.
     */
    default List<String> fields() {
        return List.of();
    }

    /** Whether the stream starts with a snapshot of the rows already there. */
    boolean snapshot();

    /** How often a polling source looks for changes. */
    Duration pollInterval();

    /** The connection as its connector sees it: config and decrypted credentials. */
    ConnectorContext connector();

    /** The position stored with the last batch whose events were committed (empty before the first). */
    Map<String, String> offsets();

    /**
     * Commits a batch: its events go to the outbox and its offsets to the stream, in one transaction, only while this
     * replica still holds the stream.
     *
     * @throws LeaseLost when it no longer does; the source must stop without acknowledging the batch to its system
     */
    void publish(ChangeBatch batch);

    /** Reports progress: snapshotting, then streaming. */
    void status(StreamStatus status);

    /** The source cannot go on: the stream becomes {@code failed} with this reason and stops here. */
    void failed(String reason);

    /** The stream's schema history, oldest first (log sources whose log carries no table definitions). */
    List<String> schemaHistory();

    /** Appends to the stream's schema history. */
    void recordSchemaHistory(String record);
}
