package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.WriteMode;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A table or view with the column details the SQL builders need, and its public {@link ObjectSchema}.
 * {@code schemaName} and {@code name} are the catalog's spelling (what SQL quotes); {@code objectName}
 * is the data API's ({@code leads} in the connection's default schema, {@code raw.contacts} elsewhere).
 */
public record TableInfo(String schemaName, String name, boolean view, List<ColumnInfo> columns, List<String> primaryKey, String cursorField,
                        String objectName) {

    /** Column names that, in this order, name the column incremental reads follow (when timestamp typed). */
    /** Field types a read can follow as its cursor on request: values the databases order as Java does. */
    static final Set<String> CURSOR_TYPES = Set.of("integer", "number", "date", "datetime");

    static final List<String> CURSOR_FIELD_NAMES = List.of("updated_at", "modified_at", "last_modified_at", "last_modified", "updatedat");

    public TableInfo {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /** A table of the connection's default schema, named bare. */
    public TableInfo(String schemaName, String name, boolean view, List<ColumnInfo> columns, List<String> primaryKey, String cursorField) {
        this(schemaName, name, view, columns, primaryKey, cursorField, name);
    }

    public TableRef ref() {
        return new TableRef(schemaName, name);
    }

    /** The column of this exact name or, failing that, the one differing only in case. */
    public Optional<ColumnInfo> resolve(String field) {
        if (field == null) {
            return Optional.empty();
        }
        return columns.stream().filter(c -> c.name().equals(field)).findFirst()
                .or(() -> columns.stream().filter(c -> c.name().equalsIgnoreCase(field)).findFirst());
    }

    /** Like {@link #resolve} but an unknown name is the caller's mistake. */
    public ColumnInfo require(String field, String requestField) {
        return resolve(field).orElseThrow(() -> ConnectorException.invalid(requestField, "known_field",
                objectName + " has no field " + field));
    }

    /** The columns a request's {@code fields} name, each once, in request order; all columns when it names none. */
    public List<ColumnInfo> requireAll(List<String> fields, String requestField) {
        if (fields == null || fields.isEmpty()) {
            return columns;
        }
        LinkedHashSet<ColumnInfo> wanted = new LinkedHashSet<>();
        for (String field : fields) {
            wanted.add(require(field, requestField));
        }
        return List.copyOf(wanted);
    }

    /** The column incremental reads follow: the requested schema's cursor field if this table has it, else the guessed one, else null. */
    public ColumnInfo cursorColumn(ObjectSchema requested) {
        if (requested != null && requested.cursorField() != null) {
            Optional<ColumnInfo> column = resolve(requested.cursorField());
            if (column.isPresent()) {
                return column.get();
            }
        }
        return cursorField == null ? null : resolve(cursorField).orElse(null);
    }

    public List<ColumnInfo> primaryKeyColumns() {
        return primaryKey.stream().map(k -> require(k, "object")).toList();
    }

    public Optional<ColumnInfo> generatedKeyColumn() {
        return columns.stream().filter(ColumnInfo::generatedKey).findFirst();
    }

    public ObjectSchema schema() {
        List<FieldSchema> fields = columns.stream()
                .map(c -> new FieldSchema(c.name(), c.kind().fieldType(), c.nativeType(), c.nullable(), c.readOnly() || view))
                .toList();
        Set<WriteMode> modes = view ? Set.of()
                : primaryKey.isEmpty() ? EnumSet.of(WriteMode.INSERT, WriteMode.UPDATE, WriteMode.DELETE)
                : EnumSet.allOf(WriteMode.class);
        return new ObjectSchema(objectName, objectName, fields, primaryKey, cursorField, modes);
    }

    /** Can a read follow {@code field} instead of the default cursor field: an integer, number, date or timestamp column? */
    public static boolean readableBy(FieldSchema field) {
        return CURSOR_TYPES.contains(field.type());
    }

    /** The first column named like a last-modified timestamp, or null. */
    public static String guessCursorField(List<ColumnInfo> columns) {
        for (String candidate : CURSOR_FIELD_NAMES) {
            for (ColumnInfo column : columns) {
                if (column.name().toLowerCase(Locale.ROOT).equals(candidate)
                        && (column.kind() == ValueKind.TIMESTAMP || column.kind() == ValueKind.TIMESTAMP_TZ)) {
                    return column.name();
                }
            }
        }
        return null;
    }
}
