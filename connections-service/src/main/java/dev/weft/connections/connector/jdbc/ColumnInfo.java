package dev.weft.connections.connector.jdbc;

/**
 * A column as a dialect read it from the catalog. {@code generatedKey} marks a serial, identity or
 * auto-increment column whose value the database fills on insert; {@code arrayElementType} is the
 * element type name of an array column (PostgreSQL), else null.
 */
public record ColumnInfo(String table, String name, ValueKind kind, String nativeType, boolean nullable,
                         boolean readOnly, boolean generatedKey, String arrayElementType) {
}
