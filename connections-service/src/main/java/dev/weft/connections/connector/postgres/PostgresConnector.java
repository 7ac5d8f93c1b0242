package dev.weft.connections.connector.postgres;

import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.JdbcConfig;
import dev.weft.connections.connector.jdbc.JdbcConnector;
import dev.weft.connections.connector.jdbc.JdbcTarget;
import dev.weft.connections.connector.jdbc.JdbcValues;
import dev.weft.connections.connector.jdbc.SqlDialect;
import dev.weft.connections.connector.jdbc.TableRef;
import dev.weft.connections.connector.jdbc.ValueKind;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** PostgreSQL: the tables and views of every schema the credentials see; the default schema's are named bare. */
@ApplicationScoped
public class PostgresConnector extends JdbcConnector {
    private static final Set<String> SSL_MODES = Set.of("disable", "prefer", "require", "verify-full");
    private final Dialect dialect = new Dialect();

    @Override
    public String provider() {
        return "postgres";
    }

    @Override
    protected SqlDialect dialect() {
        return dialect;
    }

    static final class Dialect implements SqlDialect {

        @Override
        public JdbcTarget target(ConnectorContext context) {
            String sslMode = context.configString("ssl_mode").orElse("prefer");
            if (!SSL_MODES.contains(sslMode)) {
                throw ConnectorException.invalid("config.ssl_mode", "enum", "config.ssl_mode must be one of disable, prefer, require, verify-full");
            }
            String url = "jdbc:postgresql://" + JdbcConfig.host(context) + ":" + JdbcConfig.port(context, 5432) + "/" + JdbcConfig.databasePath(context);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("sslmode", sslMode);
            properties.put("connectTimeout", "10");
            properties.put("loginTimeout", "10");
            properties.put("tcpKeepAlive", "true");
            properties.put("ApplicationName", "weft-connections");
            // multi-row INSERTs from JDBC batches: an order of magnitude faster for bulk writes
            properties.put("reWriteBatchedInserts", "true");
            // strings bound as "unknown": the server parses them into uuid, enum, json, time, inet columns
            properties.put("stringtype", "unspecified");
            return new JdbcTarget(url, org.postgresql.Driver.class, properties, JdbcConfig.username(context), JdbcConfig.password(context));
        }

        @Override
        public String defaultSchema(ConnectorContext context) {
            return context.configString("schema").filter(s -> !s.isBlank()).orElse("public");
        }

        /** All but the catalog, information_schema, TOAST storage and other sessions' temporary schemas. */
        @Override
        public String listedSchemas(String schemaColumn) {
            return schemaColumn + " NOT IN ('pg_catalog', 'information_schema')"
                    + " AND " + schemaColumn + " NOT LIKE 'pg\\_toast%' AND " + schemaColumn + " NOT LIKE 'pg\\_temp%'";
        }

        @Override
        public String quote(String identifier) {
            return "\"" + identifier.replace("\"", "\"\"") + "\"";
        }

        @Override
        public Map<TableRef, List<ColumnInfo>> loadColumns(Connection connection) throws SQLException {
            Map<TableRef, List<ColumnInfo>> columns = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable, is_generated, is_identity, column_default"
                            + " FROM information_schema.columns WHERE " + listedSchemas("table_schema")
                            + " ORDER BY table_schema, table_name, ordinal_position");
                 ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String table = rows.getString(2);
                    String dataType = rows.getString(4);
                    String udt = rows.getString(5);
                    String columnDefault = rows.getString(9);
                    ValueKind kind = kind(dataType);
                    boolean generatedKey = "YES".equals(rows.getString(8)) || (columnDefault != null && columnDefault.startsWith("nextval("));
                    columns.computeIfAbsent(new TableRef(rows.getString(1), table), t -> new ArrayList<>()).add(new ColumnInfo(table, rows.getString(3), kind,
                            kind == ValueKind.ARRAY || "USER-DEFINED".equals(dataType) ? udt : dataType,
                            "YES".equals(rows.getString(6)), "ALWAYS".equals(rows.getString(7)), generatedKey,
                            kind == ValueKind.ARRAY && udt.startsWith("_") ? udt.substring(1) : null));
                }
            }
            return columns;
        }

        static ValueKind kind(String dataType) {
            return switch (dataType.toLowerCase(Locale.ROOT)) {
                case "smallint", "integer", "bigint" -> ValueKind.INTEGER;
                case "numeric", "real", "double precision" -> ValueKind.NUMBER;
                case "boolean" -> ValueKind.BOOLEAN;
                case "date" -> ValueKind.DATE;
                case "timestamp without time zone" -> ValueKind.TIMESTAMP;
                case "timestamp with time zone" -> ValueKind.TIMESTAMP_TZ;
                case "time without time zone", "time with time zone", "interval" -> ValueKind.TIME;
                case "json", "jsonb" -> ValueKind.JSON;
                case "array" -> ValueKind.ARRAY;
                case "bytea" -> ValueKind.BINARY;
                case "character varying", "character", "text", "\"char\"", "name", "citext" -> ValueKind.STRING;
                default -> ValueKind.OTHER;
            };
        }

        @Override
        public String keysetAfter(List<String> quotedColumns, List<Integer> order) {
            // a row comparison uses a composite index directly
            for (int i = 0; i < quotedColumns.size(); i++) {
                order.add(i);
            }
            if (quotedColumns.size() == 1) {
                return quotedColumns.getFirst() + " > ?";
            }
            return "(" + String.join(", ", quotedColumns) + ") > (" + quotedColumns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        }

        @Override
        public String upsert(String table, List<String> quotedColumns, List<String> quotedKey) {
            List<String> updates = quotedColumns.stream().filter(c -> !quotedKey.contains(c)).map(c -> c + " = EXCLUDED." + c).toList();
            return "INSERT INTO " + table + " (" + String.join(", ", quotedColumns) + ") VALUES ("
                    + quotedColumns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT (" + String.join(", ", quotedKey) + ")"
                    + (updates.isEmpty() ? " DO NOTHING" : " DO UPDATE SET " + String.join(", ", updates));
        }

        /**
         * Multi-row VALUES (what the driver's batch rewrite would send, which it does not do for a statement returning
         * rows) returning, per row in VALUES order, whether it was inserted: a row inserted by this statement has no
         * deleting transaction yet (xmax 0), one it updated has this one's.
         */
        @Override
        public String upsertTellingInserts(String table, List<String> quotedColumns, List<String> quotedKey, int rows) {
            List<String> updates = quotedColumns.stream().filter(c -> !quotedKey.contains(c)).map(c -> c + " = EXCLUDED." + c).toList();
            if (updates.isEmpty()) {
                return null;
            }
            String row = "(" + quotedColumns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
            return "INSERT INTO " + table + " (" + String.join(", ", quotedColumns) + ") VALUES " + String.join(", ", java.util.Collections.nCopies(rows, row))
                    + " ON CONFLICT (" + String.join(", ", quotedKey) + ") DO UPDATE SET " + String.join(", ", updates) + " RETURNING (xmax = 0)";
        }

        @Override
        public String likeOperand(String quotedColumn, ColumnInfo column) {
            return column.kind() == ValueKind.STRING ? quotedColumn : "CAST(" + quotedColumn + " AS text)";
        }

        @Override
        public void bind(PreparedStatement statement, int index, Object value, ColumnInfo column) throws SQLException {
            switch (value) {
                case null -> statement.setNull(index, JdbcValues.sqlType(column.kind()));
                case List<?> list when column.kind() == ValueKind.ARRAY && column.arrayElementType() != null ->
                        statement.setArray(index, statement.getConnection().createArrayOf(column.arrayElementType(),
                                list.stream().map(e -> e instanceof Map<?, ?> || e instanceof List<?> ? JdbcValues.toJdbc(e, jsonColumn(column)) : e).toArray()));
                case LocalDate date -> statement.setObject(index, date);
                case LocalDateTime dateTime -> statement.setObject(index, dateTime);
                case OffsetDateTime dateTime -> statement.setObject(index, dateTime);
                default -> JdbcValues.bindStandard(statement, index, value, column);
            }
        }

        private static ColumnInfo jsonColumn(ColumnInfo column) {
            return new ColumnInfo(column.table(), column.name(), ValueKind.JSON, "json", true, false, false, null);
        }

        @Override
        public boolean bulkInsert(Connection connection, String qualifiedTable, List<ColumnInfo> columns, List<Object[]> rows)
                throws SQLException {
            return PostgresCopy.copyIn(connection, qualifiedTable, columns, rows, this::quote);
        }

        @Override
        public String columnType(String fieldType, boolean key) {
            return switch (fieldType) {
                case "integer" -> "bigint";
                case "number" -> "numeric";
                case "boolean" -> "boolean";
                case "date" -> "date";
                case "datetime" -> "timestamptz";
                case "object", "array" -> "jsonb";
                default -> "text";
            };
        }

        @Override
        public boolean streamsInTransaction() {
            return true;
        }
    }
}
