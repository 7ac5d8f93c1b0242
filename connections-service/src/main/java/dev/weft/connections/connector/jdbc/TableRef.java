package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;

import java.util.Comparator;
import java.util.Locale;

/**
 * A table or view by its schema (a database, on MySQL) and name, as the catalog spells them.
 * Only names read from the catalog ever reach SQL, and then quoted by the dialect: a parsed
 * request name is a lookup key, never text to run.
 */
public record TableRef(String schema, String table) {

    /**
     * A data API object name: {@code schema.table} splits at the first dot (a dot inside a quoted
     * identifier is not supported); a name without a dot is in {@code defaultSchema}.
     */
    public static TableRef parse(String object, String defaultSchema) {
        int dot = object.indexOf('.');
        return dot < 0 ? new TableRef(defaultSchema, object) : new TableRef(object.substring(0, dot), object.substring(dot + 1));
    }

    /**
     * {@link #parse}, for a table about to be created: {@code db.schema.table} (a warehouse's three-part name) would
     * create a table named {@code "schema.table"}, never what was meant, so a name with a further dot is refused.
     */
    public static TableRef toCreate(String object, String defaultSchema) {
        TableRef ref = parse(object, defaultSchema);
        if (ref.table().isBlank() || ref.schema().isBlank() || ref.table().indexOf('.') >= 0) {
            throw ConnectorException.invalid("object", "name", object + " is not a table name Weft creates: write table or schema.table,"
                    + " with no further dot");
        }
        return ref;
    }

    /** The name the data API shows: bare in the connection's default schema, else {@code schema.table}. */
    public String objectName(String defaultSchema) {
        return schema.equals(defaultSchema) ? table : qualifiedName();
    }

    /** Catalog order: the default schema's tables first, then by schema and name. */
    public static Comparator<TableRef> defaultSchemaFirst(String defaultSchema) {
        return Comparator.comparing((TableRef ref) -> !ref.schema().equals(defaultSchema))
                .thenComparing(TableRef::schema).thenComparing(TableRef::table);
    }

    public String qualifiedName() {
        return schema + "." + table;
    }

    TableRef lowerCase() {
        return new TableRef(schema.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT));
    }
}
