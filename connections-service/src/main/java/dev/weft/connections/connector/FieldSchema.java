package dev.weft.connections.connector;

/**
 * A field of an object. {@code type} is one of {@code string, integer, number, boolean, date,
 * datetime, object, array}; {@code nativeType} is what the system calls it ({@code varchar},
 * {@code currency}, ...).
 */
public record FieldSchema(String name, String type, String nativeType, boolean nullable, boolean readOnly) {

    public static FieldSchema of(String name, String type) {
        return new FieldSchema(name, type, type, true, false);
    }
}
