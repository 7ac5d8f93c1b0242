package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult.RecordResult;
import io.quarkus.logging.Log;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a batch of records to one table. Records are grouped by the statement their fields
 * produce and sent as JDBC batches in one transaction. When a batch fails, the transaction is
 * rolled back and every record is redone on its own behind a savepoint, so each gets its own
 * result and the good ones are still committed.
 */
final class JdbcWriter {
    static final int CHUNK = 1000;

    private final SqlDialect dialect;
    private final TableInfo table;
    private final String qualifiedTable;

    JdbcWriter(SqlDialect dialect, TableInfo table) {
        this.dialect = dialect;
        this.table = table;
        this.qualifiedTable = dialect.qualify(table.schemaName(), table.name());
    }

    /** One record ready to run: its statement, columns and converted values, and the id it reports. */
    private record Planned(int index, SqlStatement statement, String id) {
    }

    private record SqlStatement(String sql, List<ColumnInfo> columns, boolean countsRows, ColumnInfo generatedKey) {
    }

    private record Row(Planned planned, List<Object> values) {
    }

    List<RecordResult> write(Connection connection, WriteMode mode, List<String> requestedKey, List<Map<String, Object>> records)
            throws SQLException {
        List<ColumnInfo> key = keyColumns(mode, requestedKey);
        RecordResult[] results = new RecordResult[records.size()];
        Map<SqlStatement, List<Row>> groups = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            try {
                Row row = plan(i, mode, key, records.get(i));
                if (row.planned().statement() == null) {
                    results[i] = RecordResult.ok(i, row.planned().id());
                } else {
                    groups.computeIfAbsent(row.planned().statement(), s -> new ArrayList<>()).add(row);
                }
            } catch (IllegalArgumentException e) {
                results[i] = RecordResult.failed(i, e.getMessage());
            }
        }
        if (!groups.isEmpty()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try {
                    runBatches(connection, groups, results);
                    connection.commit();
                } catch (SQLException batchFailure) {
                    connection.rollback();
                    Log.infof("event=jdbc_write_batch_failed table=%s records=%d action=retry_each error=%s",
                            table.name(), records.size(), firstLine(batchFailure));
                    runEach(connection, groups, results);
                    connection.commit();
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
        return List.of(results);
    }

    private List<ColumnInfo> keyColumns(WriteMode mode, List<String> requestedKey) {
        List<ColumnInfo> key = requestedKey == null || requestedKey.isEmpty()
                ? table.primaryKeyColumns()
                : requestedKey.stream().map(k -> table.require(k, "key")).distinct().toList();
        if (key.isEmpty() && mode != WriteMode.INSERT) {
            throw ConnectorException.invalid("key", "required", table.name() + " has no primary key; name the key fields for " + mode.json());
        }
        return key;
    }

    private Row plan(int index, WriteMode mode, List<ColumnInfo> key, Map<String, Object> record) {
        Map<ColumnInfo, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : record.entrySet()) {
            ColumnInfo column = table.resolve(field.getKey())
                    .orElseThrow(() -> new IllegalArgumentException(table.name() + " has no field " + field.getKey()));
            fields.put(column, JdbcValues.toJdbc(field.getValue(), column));
        }
        List<Object> keyValues = new ArrayList<>();
        boolean keyComplete = !key.isEmpty();
        for (ColumnInfo column : key) {
            Object value = fields.get(column);
            keyComplete &= value != null;
            keyValues.add(value);
        }
        String id = keyComplete ? keyValues.stream().map(JdbcWriter::idPart).collect(Collectors.joining(",")) : null;
        if (mode != WriteMode.INSERT && !keyComplete) {
            throw new IllegalArgumentException("record needs a value for every key field: "
                    + key.stream().map(ColumnInfo::name).collect(Collectors.joining(", ")));
        }
        List<ColumnInfo> columns = new ArrayList<>(fields.keySet());
        List<Object> values = new ArrayList<>(fields.values());
        SqlStatement statement = switch (mode) {
            case INSERT -> {
                if (columns.isEmpty()) {
                    throw new IllegalArgumentException("record has no fields");
                }
                ColumnInfo generated = id == null && key.size() == 1 && key.getFirst().generatedKey() ? key.getFirst() : null;
                yield new SqlStatement("INSERT INTO " + qualifiedTable + " (" + names(columns, ", ") + ") VALUES (" + placeholders(columns.size()) + ")",
                        columns, false, generated);
            }
            case UPSERT -> new SqlStatement(dialect.upsert(qualifiedTable, quoted(columns), quoted(key)), columns, false, null);
            case UPDATE -> {
                List<ColumnInfo> set = columns.stream().filter(c -> !key.contains(c)).toList();
                if (set.isEmpty()) {
                    yield null;
                }
                values = new ArrayList<>();
                for (ColumnInfo column : set) {
                    values.add(fields.get(column));
                }
                values.addAll(keyValues);
                List<ColumnInfo> bound = new ArrayList<>(set);
                bound.addAll(key);
                yield new SqlStatement("UPDATE " + qualifiedTable + " SET " + assignments(set) + " WHERE " + assignments(key).replace(", ", " AND "),
                        bound, true, null);
            }
            case DELETE -> {
                values = keyValues;
                yield new SqlStatement("DELETE FROM " + qualifiedTable + " WHERE " + assignments(key).replace(", ", " AND "), key, true, null);
            }
        };
        return new Row(new Planned(index, statement, id), values);
    }

    private void runBatches(Connection connection, Map<SqlStatement, List<Row>> groups, RecordResult[] results) throws SQLException {
        for (Map.Entry<SqlStatement, List<Row>> group : groups.entrySet()) {
            SqlStatement statement = group.getKey();
            try (PreparedStatement prepared = prepare(connection, statement)) {
                List<Row> rows = group.getValue();
                for (int from = 0; from < rows.size(); from += CHUNK) {
                    List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                    for (Row row : chunk) {
                        bind(prepared, statement, row.values());
                        prepared.addBatch();
                    }
                    int[] counts = prepared.executeBatch();
                    List<String> generated = statement.generatedKey() == null ? List.of() : generatedKeys(prepared);
                    for (int i = 0; i < chunk.size(); i++) {
                        Planned planned = chunk.get(i).planned();
                        int count = i < counts.length ? counts[i] : java.sql.Statement.SUCCESS_NO_INFO;
                        String id = planned.id() != null ? planned.id() : generated.size() == chunk.size() ? generated.get(i) : null;
                        results[planned.index()] = outcome(planned, statement, count, id);
                    }
                }
            }
        }
    }

    private void runEach(Connection connection, Map<SqlStatement, List<Row>> groups, RecordResult[] results) throws SQLException {
        Map<SqlStatement, PreparedStatement> prepared = new HashMap<>();
        List<Row> all = new ArrayList<>();
        groups.values().forEach(all::addAll);
        all.sort((a, b) -> Integer.compare(a.planned().index(), b.planned().index()));
        try {
            for (Row row : all) {
                SqlStatement statement = row.planned().statement();
                PreparedStatement ps = prepared.get(statement);
                if (ps == null) {
                    ps = prepare(connection, statement);
                    prepared.put(statement, ps);
                }
                Savepoint savepoint = connection.setSavepoint();
                try {
                    bind(ps, statement, row.values());
                    int count = ps.executeUpdate();
                    String id = row.planned().id();
                    if (id == null && statement.generatedKey() != null) {
                        List<String> generated = generatedKeys(ps);
                        id = generated.isEmpty() ? null : generated.getFirst();
                    }
                    connection.releaseSavepoint(savepoint);
                    results[row.planned().index()] = outcome(row.planned(), statement, count, id);
                } catch (SQLException e) {
                    if (connection.isClosed() || isConnectionFailure(e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    results[row.planned().index()] = RecordResult.failed(row.planned().index(), JdbcErrors.message(e, null));
                }
            }
        } finally {
            for (PreparedStatement ps : prepared.values()) {
                ps.close();
            }
        }
    }

    private static RecordResult outcome(Planned planned, SqlStatement statement, int count, String id) {
        if (statement.countsRows() && count == 0) {
            return RecordResult.failed(planned.index(), "no record with key " + planned.id());
        }
        return RecordResult.ok(planned.index(), id);
    }

    private PreparedStatement prepare(Connection connection, SqlStatement statement) throws SQLException {
        return statement.generatedKey() == null
                ? connection.prepareStatement(statement.sql())
                : connection.prepareStatement(statement.sql(), new String[] {statement.generatedKey().name()});
    }

    private void bind(PreparedStatement prepared, SqlStatement statement, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            dialect.bind(prepared, i + 1, values.get(i), statement.columns().get(i));
        }
    }

    private static List<String> generatedKeys(PreparedStatement prepared) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (ResultSet rows = prepared.getGeneratedKeys()) {
            while (rows != null && rows.next()) {
                keys.add(rows.getString(1));
            }
        }
        return keys;
    }

    private static boolean isConnectionFailure(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08");
    }

    private static String idPart(Object value) {
        return value instanceof java.math.BigDecimal decimal ? decimal.toPlainString() : String.valueOf(value);
    }

    private String names(List<ColumnInfo> columns, String separator) {
        return columns.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(separator));
    }

    private List<String> quoted(List<ColumnInfo> columns) {
        return columns.stream().map(c -> dialect.quote(c.name())).toList();
    }

    private String assignments(List<ColumnInfo> columns) {
        return columns.stream().map(c -> dialect.quote(c.name()) + " = ?").collect(Collectors.joining(", "));
    }

    private static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }

    private static String firstLine(SQLException e) {
        SQLException detail = e.getNextException() != null ? e.getNextException() : e;
        return String.valueOf(detail.getMessage()).lines().findFirst().orElse("");
    }
}
