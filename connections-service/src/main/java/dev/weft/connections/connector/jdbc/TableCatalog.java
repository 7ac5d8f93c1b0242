package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A connection's tables indexed by data API name and by (schema, table), exact and ignoring case, so a
 * lookup costs the same however many schemas there are. Shared by the JDBC connectors and Snowflake;
 * each keeps its own freshness rule around it.
 */
public final class TableCatalog {
    private final String schema;
    private final List<TableInfo> tables;
    private final Map<String, TableInfo> byName = new HashMap<>();
    private final Map<TableRef, TableInfo> byRef = new HashMap<>();
    private final Map<TableRef, TableInfo> byRefIgnoringCase = new HashMap<>();

    /** {@code tables} default schema first, then by name: of names equal but for case, the first wins. */
    public TableCatalog(String schema, List<TableInfo> tables) {
        this.schema = schema;
        this.tables = List.copyOf(tables);
        for (TableInfo table : this.tables) {
            byName.put(table.objectName(), table);
            byRef.put(table.ref(), table);
            byRefIgnoringCase.putIfAbsent(table.ref().lowerCase(), table);
        }
    }

    public String schema() {
        return schema;
    }

    public List<TableInfo> tables() {
        return tables;
    }

    /** The exact data API name, else the name read as (schema, table), exactly and then ignoring case. */
    public Optional<TableInfo> find(String object) {
        if (object == null) {
            return Optional.empty();
        }
        TableInfo table = byName.get(object);
        if (table == null) {
            TableRef ref = TableRef.parse(object, schema);
            table = byRef.get(ref);
            if (table == null) {
                table = byRefIgnoringCase.get(ref.lowerCase());
            }
        }
        return Optional.ofNullable(table);
    }

    /**
     * The table or view named {@code object} from {@code catalog} (called with {@code reload}): a name not in the
     * cached catalog triggers one reload before it is refused.
     */
    public static TableInfo require(Function<Boolean, TableCatalog> catalog, String object) {
        Optional<TableInfo> found = catalog.apply(false).find(object);
        if (found.isPresent()) {
            return found.get();
        }
        TableCatalog reloaded = catalog.apply(true);
        return reloaded.find(object).orElseThrow(() -> ConnectorException.invalid("object", "known_object",
                "no table or view " + object + " (bare names are in " + reloaded.schema + ", others are schema.table)"));
    }
}
