package dev.weft.connections.connector;

import java.util.List;
import java.util.OptionalLong;

/**
 * The connector SPI: everything Weft does with an external system's data goes through one of
 * these. An implementation is an {@code @ApplicationScoped} bean found through CDI; its catalog
 * entry ({@link #catalogEntry()}) describes its auth types and JSON Schemas. Implementations are
 * stateless apart from caches keyed by connection id, released in {@link #release(String)}.
 *
 * <p>Failures are {@link ConnectorException}s: the data API turns them into 400 or 502
 * {@code UPSTREAM_ERROR}, the health monitor into a connection status.
 */
public interface Connector {

    /** The provider id, e.g. {@code postgres}; the catalog entry's {@code id}. */
    String provider();

    /** Classpath resource of this provider's catalog entry (see {@code providers/*.json}). */
    default String catalogEntry() {
        return "providers/" + provider() + ".json";
    }

    /** Can Weft reach the system with these credentials? Never throws: failures are a result. */
    CheckResult check(ConnectorContext context);

    /** The objects (tables, sObjects, CRM objects) and their fields. */
    List<ObjectSchema> describe(ConnectorContext context);

    /**
     * The name {@link #describe} gives an object the caller named another way (a SQL table by its
     * schema-qualified name, say), or {@code object} itself; asked only for a name matching no
     * described object, so the data API can accept every spelling the connector does.
     */
    default String describedName(ConnectorContext context, String object) {
        return object;
    }

    /** One page of records matching a filter; {@code query.cursor()} continues a previous page. */
    RecordPage query(ConnectorContext context, QuerySpec query);

    /**
     * Incremental read: the next batch of records changed after {@code read.cursor()} (all records
     * when null), oldest change first. The returned cursor is the new high-water mark, present
     * even when nothing changed, so a sync can store it.
     */
    RecordPage read(ConnectorContext context, ReadSpec read);

    /**
     * Can {@link #read} follow {@code field} of {@code object} instead of the object's default cursor field (a read asked
     * to arrives with {@code read.schema().cursorField()} set to it)? The default cursor field itself is always
     * readable; by default nothing else is.
     */
    default boolean readsBy(ObjectSchema object, FieldSchema field) {
        return false;
    }

    /** Insert, update, upsert by key or delete a batch; one result per record, in order. */
    WriteResult write(ConnectorContext context, WriteSpec write);

    /**
     * Creates {@code wanted} (a table: name, fields typed as {@link FieldSchema#type()}, primary key) when the system
     * has no object of that name, and answers the object as {@link #describe} now shows it; an existing object is
     * answered as it is, unchanged. Systems that cannot create objects refuse with a 400.
     */
    default EnsuredObject ensureObject(ConnectorContext context, ObjectSchema wanted) {
        throw ConnectorException.invalid("object", "creatable", provider() + " connections cannot create objects; "
                + wanted.name() + " must exist before records are written to it");
    }

    /** What {@link #ensureObject} found or made: the described object and whether this call created it. */
    record EnsuredObject(ObjectSchema schema, boolean created) {
    }

    /**
     * How many records match {@code count} (for a sync run's percent and ETA), or empty when this system cannot
     * count them cheaply; never an estimate presented as exact.
     */
    default OptionalLong count(ConnectorContext context, CountSpec count) {
        return OptionalLong.empty();
    }

    /**
     * Whether a sync's next batch may be read before it is asked for ({@code data.ReadAhead}): true only where a read
     * costs no quota and holds nothing open (a SQL query), so that a read never asked for (a run that stopped) wastes
     * nothing but the query.
     */
    default boolean readsAhead() {
        return false;
    }

    /** Drops what is cached for a connection (pools, schemas): it was updated or deleted. */
    default void release(String connectionId) {
    }
}
