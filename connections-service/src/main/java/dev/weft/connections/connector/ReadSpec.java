package dev.weft.connections.connector;

import java.util.List;

/**
 * An incremental read: up to {@code batchSize} records changed after {@code cursor} (null: from
 * the beginning), oldest change first, with {@code fields} (empty: all fields).
 */
public record ReadSpec(String object, List<String> fields, String cursor, int batchSize, ObjectSchema schema) {
}
