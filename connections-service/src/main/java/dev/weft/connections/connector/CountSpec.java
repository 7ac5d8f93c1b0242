package dev.weft.connections.connector;

import dev.weft.platform.filter.Filter;

/**
 * A checked count: records of {@code object} matching {@code filter} (null: all) whose {@code cursorField} is after
 * {@code cursor} (both null: no such bound). {@code cursorField} is spelled as {@code schema} spells it; {@code cursor}
 * is a value of that field as records carry it (an RFC 3339 timestamp, a number, a string). {@code afterRead}, when set,
 * is a cursor this connector's read answered (unsealed): count what reads from there would still return (a sync run's
 * total when it reads incrementally); a connector that cannot tells so with an empty count.
 */
public record CountSpec(String object, Filter filter, String cursorField, Object cursor, ObjectSchema schema, String afterRead) {
    public CountSpec(String object, Filter filter, String cursorField, Object cursor, ObjectSchema schema) {
        this(object, filter, cursorField, cursor, schema, null);
    }
}
