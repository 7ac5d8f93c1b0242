package dev.weft.connections.connector.mysql;

import dev.weft.connections.connector.ConnectorContext;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * MySQL and MariaDB (through the MariaDB driver). A database is MySQL's schema: the connection's
 * database is the default one (tables named bare), other databases the user can see are named
 * {@code database.table}.
 */
@ApplicationScoped
public class MysqlConnector extends JdbcConnector {
    private final Dialect dialect = new Dialect();

    @Override
    public String provider() {
        return "mysql";
    }

    @Override
    protected SqlDialect dialect() {
        return dialect;
    }

    static final class Dialect implements SqlDialect {
        private static final Pattern JSON_CHECK = Pattern.compile("json_valid\\(`((?:[^`]|``)+)`\\)", Pattern.CASE_INSENSITIVE);

        @Override
        public JdbcTarget target(ConnectorContext context) {
            String url = "jdbc:mariadb://" + JdbcConfig.host(context) + ":" + JdbcConfig.port(context, 3306) + "/" + JdbcConfig.databasePath(context);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("connectTimeout", "10000");
            properties.put("sslMode", context.configFlag("ssl", false) ? "verify-full" : "disable");
            // MariaDB's bulk protocol for INSERT batches (multi-value rewriting where the server lacks it, MySQL);
            // not for UPDATE/DELETE batches, whose bulk replies carry no per-row counts and so hide "no such key"
            properties.put("useBulkStmts", "false");
            properties.put("useBulkStmtsForInserts", "true");
            properties.put("rewriteBatchedStatements", "true");
            // DATETIME and TIMESTAMP values are exchanged as UTC
            properties.put("connectionTimeZone", "UTC");
            properties.put("forceConnectionTimeZoneToSession", "true");
            properties.put("allowMultiQueries", "false");
            properties.put("connectionAttributes", "program_name:weft-connections");
            return new JdbcTarget(url, org.mariadb.jdbc.Driver.class, properties, JdbcConfig.username(context), JdbcConfig.password(context));
        }

        /** The connection's database: its tables are named bare, those of other databases the user sees {@code database.table}. */
        @Override
        public String defaultSchema(ConnectorContext context) {
            return JdbcConfig.required(context, "database");
        }

        /** All databases but the server's own (MariaDB and MySQL). */
        @Override
        public String listedSchemas(String schemaColumn) {
            return schemaColumn + " NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')";
        }

        @Override
        public String quote(String identifier) {
            return "`" + identifier.replace("`", "``") + "`";
        }

        @Override
        public Map<TableRef, List<ColumnInfo>> loadColumns(Connection connection) throws SQLException {
            Set<List<String>> jsonColumns = jsonColumns(connection);
            Map<TableRef, List<ColumnInfo>> columns = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT table_schema, table_name, column_name, data_type, column_type, is_nullable, extra"
                            + " FROM information_schema.columns WHERE " + listedSchemas("table_schema")
                            + " ORDER BY table_schema, table_name, ordinal_position");
                 ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String schema = rows.getString(1);
                    String table = rows.getString(2);
                    String name = rows.getString(3);
                    String dataType = rows.getString(4).toLowerCase(Locale.ROOT);
                    String columnType = rows.getString(5).toLowerCase(Locale.ROOT);
                    String extra = String.valueOf(rows.getString(7)).toUpperCase(Locale.ROOT);
                    boolean json = jsonColumns.contains(List.of(schema, table, name));
                    columns.computeIfAbsent(new TableRef(schema, table), t -> new ArrayList<>()).add(new ColumnInfo(table, name,
                            json ? ValueKind.JSON : kind(dataType, columnType), json ? "json" : dataType,
                            "YES".equals(rows.getString(6)), extra.contains("VIRTUAL GENERATED") || extra.contains("STORED GENERATED"),
                            extra.contains("AUTO_INCREMENT"), null));
                }
            }
            return columns;
        }

        /**
         * MariaDB stores JSON as LONGTEXT with a json_valid check named after the column; MySQL reports data_type json.
         * Each is (schema, table, column).
         */
        private Set<List<String>> jsonColumns(Connection connection) {
            Set<List<String>> columns = new HashSet<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT constraint_schema, table_name, check_clause FROM information_schema.check_constraints WHERE "
                            + listedSchemas("constraint_schema"));
                 ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Matcher matcher = JSON_CHECK.matcher(String.valueOf(rows.getString(3)).trim());
                    if (matcher.matches()) {
                        columns.add(List.of(rows.getString(1), rows.getString(2), matcher.group(1).replace("``", "`")));
                    }
                }
            } catch (SQLException notMariaDb) {
                // MySQL's check_constraints has no table_name; its JSON columns say so in data_type
            }
            return columns;
        }

        static ValueKind kind(String dataType, String columnType) {
            return switch (dataType) {
                case "tinyint" -> columnType.startsWith("tinyint(1)") ? ValueKind.BOOLEAN : ValueKind.INTEGER;
                case "bit" -> columnType.equals("bit(1)") ? ValueKind.BOOLEAN : ValueKind.INTEGER;
                case "smallint", "mediumint", "int", "integer", "bigint", "year" -> ValueKind.INTEGER;
                case "decimal", "numeric", "float", "double", "real" -> ValueKind.NUMBER;
                case "date" -> ValueKind.DATE;
                case "datetime", "timestamp" -> ValueKind.TIMESTAMP;
                case "time" -> ValueKind.TIME;
                case "json" -> ValueKind.JSON;
                case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> ValueKind.BINARY;
                default -> ValueKind.STRING;
            };
        }

        @Override
        public String keysetAfter(List<String> quotedColumns, List<Integer> order) {
            if (quotedColumns.size() == 1) {
                order.add(0);
                return quotedColumns.getFirst() + " > ?";
            }
            // expanded form: MySQL's optimizer does not always use an index for row comparisons;
            // the leading ">=" gives it a range on the first column
            List<String> alternatives = new ArrayList<>();
            order.add(0);
            for (int i = 0; i < quotedColumns.size(); i++) {
                List<String> terms = new ArrayList<>();
                for (int j = 0; j < i; j++) {
                    terms.add(quotedColumns.get(j) + " = ?");
                    order.add(j);
                }
                terms.add(quotedColumns.get(i) + " > ?");
                order.add(i);
                alternatives.add("(" + String.join(" AND ", terms) + ")");
            }
            return "(" + quotedColumns.getFirst() + " >= ? AND (" + String.join(" OR ", alternatives) + "))";
        }

        /** Its upsert's row counts cannot tell: a row found and left unchanged counts 1, as an insert does. */
        @Override
        public boolean tellsUpsertsByLookup() {
            return true;
        }

        @Override
        public String upsert(String table, List<String> quotedColumns, List<String> quotedKey) {
            List<String> updates = quotedColumns.stream().filter(c -> !quotedKey.contains(c)).map(c -> c + " = VALUES(" + c + ")").toList();
            if (updates.isEmpty()) {
                updates = List.of(quotedKey.getFirst() + " = " + quotedKey.getFirst());
            }
            return "INSERT INTO " + table + " (" + String.join(", ", quotedColumns) + ") VALUES ("
                    + quotedColumns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ") ON DUPLICATE KEY UPDATE " + String.join(", ", updates);
        }

        @Override
        public void bind(PreparedStatement statement, int index, Object value, ColumnInfo column) throws SQLException {
            JdbcValues.bindStandard(statement, index, value, column);
        }

        /** Key text is varchar(255): MySQL indexes no unbounded text; other text is mediumtext, off the row. */
        @Override
        public String columnType(String fieldType, boolean key) {
            return switch (fieldType) {
                case "integer" -> "bigint";
                case "number" -> "decimal(38,9)";
                case "boolean" -> "boolean";
                case "date" -> "date";
                case "datetime" -> "datetime(6)";
                case "object", "array" -> "json";
                default -> key ? "varchar(255)" : "mediumtext";
            };
        }
    }
}
