package dev.weft.connections.connector;

import dev.weft.platform.filter.Filter;

import java.util.List;

/**
 * A checked query: {@code fields} and every field the {@code filter} names exist on
 * {@code schema} (spelled as the schema spells them); {@code filter} may be null; {@code cursor}
 * is a value this connector returned earlier as {@link RecordPage#nextCursor()}, or null.
 */
public record QuerySpec(String object, List<String> fields, Filter filter, int limit, String cursor, ObjectSchema schema) {
}
