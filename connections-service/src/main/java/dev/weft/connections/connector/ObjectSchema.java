package dev.weft.connections.connector;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An object of the external system (a table, an sObject, a CRM object type): its fields, the
 * fields that identify a record, the field incremental reads follow, and the write modes it takes.
 */
public record ObjectSchema(
        String name,
        String label,
        List<FieldSchema> fields,
        List<String> primaryKey,
        String cursorField,
        Set<WriteMode> writeModes) {

    public Optional<FieldSchema> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The field of this exact name, or, failing that, the one that differs only in case. */
    public Optional<FieldSchema> resolve(String name) {
        return field(name).or(() -> fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).findFirst());
    }

    public List<String> fieldNames() {
        return fields.stream().map(FieldSchema::name).toList();
    }
}
