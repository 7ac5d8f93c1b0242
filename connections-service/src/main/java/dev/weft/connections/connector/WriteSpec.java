package dev.weft.connections.connector;

import java.util.List;
import java.util.Map;

/**
 * A checked batch write: every record's fields exist on {@code schema}; {@code key} names the
 * fields that identify a record for update, upsert and delete (the primary key when not given).
 * {@code writeId}, when set, makes the write happen once: a connector that can record it with the rows (the SQL
 * databases) answers a second write of the same id with the first one's answer, writing nothing
 * ({@link WriteResult#replayed}); the others write again.
 */
public record WriteSpec(String object, WriteMode mode, List<String> key, List<Map<String, Object>> records, ObjectSchema schema, String writeId) {

    public WriteSpec(String object, WriteMode mode, List<String> key, List<Map<String, Object>> records, ObjectSchema schema) {
        this(object, mode, key, records, schema, null);
    }
}
