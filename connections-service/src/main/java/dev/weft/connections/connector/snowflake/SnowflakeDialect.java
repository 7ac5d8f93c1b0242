package dev.weft.connections.connector.snowflake;

import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.JdbcTarget;
import dev.weft.connections.connector.jdbc.SqlDialect;
import dev.weft.connections.connector.jdbc.TableRef;
import dev.weft.connections.connector.jdbc.ValueKind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Snowflake's SQL as far as the shared filter rendering ({@code JdbcFilterRenderer}) and keyset paging need it:
 * double-quoted identifiers, LIKE on text, expanded keyset predicates. Snowflake is reached over HTTP, not JDBC, so
 * the connection and batch parts of {@link SqlDialect} do not apply.
 */
final class SnowflakeDialect implements SqlDialect {
    static final SnowflakeDialect INSTANCE = new SnowflakeDialect();

    @Override
    public String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String likeOperand(String quotedColumn, ColumnInfo column) {
        return column.kind() == ValueKind.STRING ? quotedColumn : "TO_VARCHAR(" + quotedColumn + ")";
    }

    /** {@code (a, b) > (?, ?)} written out, since Snowflake has no row-value comparison: {@code a > ? OR (a = ? AND b > ?)}. */
    @Override
    public String keysetAfter(List<String> quotedColumns, List<Integer> order) {
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < quotedColumns.size(); i++) {
            List<String> terms = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                terms.add(quotedColumns.get(j) + " = ?");
                order.add(j);
            }
            terms.add(quotedColumns.get(i) + " > ?");
            order.add(i);
            alternatives.add(terms.size() == 1 ? terms.getFirst() : "(" + String.join(" AND ", terms) + ")");
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "(" + String.join(" OR ", alternatives) + ")";
    }

    @Override
    public JdbcTarget target(ConnectorContext context) {
        throw new UnsupportedOperationException("snowflake is reached through its SQL API, not JDBC");
    }

    @Override
    public String defaultSchema(ConnectorContext context) {
        return SnowflakeConnector.defaultSchema(context);
    }

    @Override
    public String listedSchemas(String schemaColumn) {
        return schemaColumn + " <> 'INFORMATION_SCHEMA'";
    }

    @Override
    public Map<TableRef, List<ColumnInfo>> loadColumns(Connection connection) {
        throw new UnsupportedOperationException("snowflake is reached through its SQL API, not JDBC");
    }

    @Override
    public String upsert(String table, List<String> quotedColumns, List<String> quotedKey) {
        throw new UnsupportedOperationException("snowflake upserts with MERGE (SnowflakeWriter)");
    }

    @Override
    public void bind(PreparedStatement statement, int index, Object value, ColumnInfo column) {
        throw new UnsupportedOperationException("snowflake binds through its SQL API, not JDBC");
    }
}
