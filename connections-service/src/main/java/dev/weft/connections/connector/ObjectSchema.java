package dev.weft.connections.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An object of the external system (a table, an sObject, a CRM object type): its fields, the
 * fields that identify a record, the field incremental reads follow by default ({@code cursorField}),
 * every field a read can follow instead when asked ({@code cursorFields}, the default first), and the
 * write modes it takes.
 */
public record ObjectSchema(
        String name,
        String label,
        List<FieldSchema> fields,
        List<String> primaryKey,
        String cursorField,
        List<String> cursorFields,
        Set<WriteMode> writeModes) {

    public ObjectSchema {
        if (cursorFields == null) {
            cursorFields = cursorField == null ? List.of() : List.of(cursorField);
        }
    }

    /** An object whose reads follow its {@code cursorField} only (or nothing, when null). */
    public ObjectSchema(String name, String label, List<FieldSchema> fields, List<String> primaryKey, String cursorField,
                        Set<WriteMode> writeModes) {
        this(name, label, fields, primaryKey, cursorField, null, writeModes);
    }

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

    /** This object with {@code cursorFields}: its default cursor field, then every other field {@code readsBy} accepts. */
    public ObjectSchema withCursorFields(Predicate<FieldSchema> readsBy) {
        List<String> names = new ArrayList<>();
        if (cursorField != null) {
            names.add(cursorField);
        }
        for (FieldSchema field : fields) {
            if (!field.name().equals(cursorField) && readsBy.test(field)) {
                names.add(field.name());
            }
        }
        return new ObjectSchema(name, label, fields, primaryKey, cursorField, List.copyOf(names), writeModes);
    }

    /** This object as a read that follows {@code field} (one of {@link #cursorFields()}) sees it. */
    public ObjectSchema readBy(String field) {
        return field.equals(cursorField) ? this : new ObjectSchema(name, label, fields, primaryKey, field, cursorFields, writeModes);
    }
}
