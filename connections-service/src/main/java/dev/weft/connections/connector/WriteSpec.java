package dev.weft.connections.connector;

import java.util.List;
import java.util.Map;

/**
 * A checked batch write: every record's fields exist on {@code schema}; {@code key} names the
 * fields that identify a record for update, upsert and delete (the primary key when not given).
 */
public record WriteSpec(String object, WriteMode mode, List<String> key, List<Map<String, Object>> records, ObjectSchema schema) {
}
