package dev.weft.connections.connector;

import dev.weft.platform.filter.Filter;

/**
 * A checked count: records of {@code object} matching {@code filter} (null: all) whose {@code cursorField} is after
 * {@code cursor} (both null: no such bound). {@code cursorField} is spelled as {@code schema} spells it; {@code cursor}
 * is a value of that field as records carry it (an RFC 3339 timestamp, a number, a string).
 */
public record CountSpec(String object, Filter filter, String cursorField, Object cursor, ObjectSchema schema) {
}
