package dev.weft.connections.connector.jdbc;

/**
 * How a column's values travel between Weft records and JDBC: the Weft field type it maps to and
 * the conversion {@link JdbcValues} applies in each direction.
 */
public enum ValueKind {
    STRING("string"),
    INTEGER("integer"),
    NUMBER("number"),
    BOOLEAN("boolean"),
    DATE("date"),
    /** A timestamp without zone, read and written as UTC. */
    TIMESTAMP("datetime"),
    TIMESTAMP_TZ("datetime"),
    /** Times of day and intervals: strings, left to the database to parse. */
    TIME("string"),
    JSON("object"),
    ARRAY("array"),
    /** Bytes, exchanged as base64 strings. */
    BINARY("string"),
    /** Anything else the database can parse from text (uuid, enum, inet, ...). */
    OTHER("string");

    private final String fieldType;

    ValueKind(String fieldType) {
        this.fieldType = fieldType;
    }

    public String fieldType() {
        return fieldType;
    }

    /** Kinds whose values the databases can compare and order (json, arrays and bytes are not reliably). */
    public boolean orderable() {
        return this != JSON && this != ARRAY && this != BINARY;
    }
}
