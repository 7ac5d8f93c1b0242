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
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a batch of records to one table. Records are grouped by the statement their fields
 * produce and sent as JDBC batches (plain INSERTs of many rows through the dialect's bulk path,
 * PostgreSQL's COPY, when it has one) in one transaction. When a batch fails, the transaction is
 * rolled back and every record is redone on its own behind a savepoint, so each gets its own
 * result and the good ones are still committed.
 *
 * <p>A write call usually carries thousands of records with the same few field sets, so the SQL,
 * the column of each field and the key positions are worked out once per distinct field set
 * ({@link Shape}), not once per record.
 */
final class JdbcWriter {
    static final int CHUNK = 1000;
    /** Records a telling upsert sends in one statement (its text is the same for every full chunk, so it is prepared once). */
    static final int TELLING_ROWS = 500;
    /** Fewer rows than this go as a batched INSERT: the bulk path's extra round trip would not pay. */
    static final int BULK_MIN_ROWS = 100;
    /** Rows per bulk load, so one load's buffer stays small. */
    static final int BULK_CHUNK = 10_000;

    private final SqlDialect dialect;
    private final TableInfo table;
    private final String qualifiedTable;

    JdbcWriter(SqlDialect dialect, TableInfo table) {
        this.dialect = dialect;
        this.table = table;
        this.qualifiedTable = dialect.qualify(table.schemaName(), table.name());
    }

    /**
     * {@code creates}: true for an INSERT, false for an UPDATE, null when the statement does not decide. {@code tellingKey}:
     * set for an upsert the dialect can run as {@link SqlDialect#upsertTellingInserts} (its key columns), which then
     * decides per record. {@code lookupKey}: set for an upsert whose records are told by looking their keys up just
     * before it ({@link SqlDialect#tellsUpsertsByLookup}).
     */
    private record SqlStatement(String sql, List<ColumnInfo> columns, boolean countsRows, ColumnInfo generatedKey, Boolean creates,
                                List<ColumnInfo> tellingKey, List<ColumnInfo> lookupKey) {
        SqlStatement(String sql, List<ColumnInfo> columns, boolean countsRows, ColumnInfo generatedKey, Boolean creates) {
            this(sql, columns, countsRows, generatedKey, creates, null, null);
        }

        boolean tells() {
            return tellingKey != null;
        }
    }

    /** One record ready to run: its position, the id it reports, its statement and the values in placeholder order. */
    private record Row(int index, String id, SqlStatement statement, Object[] values) {
    }

    /**
     * What every record with one set of field names shares: the column each name resolves to (its
     * slot in the converted values), where the key columns sit, and the statements that write it.
     * {@code error} is set when every such record is refused (an INSERT without fields).
     */
    private static final class Shape {
        final Map<String, Integer> slots = new HashMap<>();
        final List<ColumnInfo> columns = new ArrayList<>();
        int[] keySlots;
        /** Slots in placeholder order (UPDATE: set columns then key; DELETE: key), null when that is slot order. */
        int[] bindOrder;
        SqlStatement statement;
        /** INSERT without a key value, when the key is generated: the same INSERT returning that key. */
        SqlStatement generatedKeyStatement;
        String error;
    }

    /** Runs in the write's transaction just before it commits, with every record's result (see {@link WriteLedger}). */
    @FunctionalInterface
    interface BeforeCommit {
        void run(Connection connection, RecordResult[] results) throws SQLException;
    }

    List<RecordResult> write(Connection connection, WriteMode mode, List<String> requestedKey, List<Map<String, Object>> records)
            throws SQLException {
        return write(connection, mode, requestedKey, records, null);
    }

    List<RecordResult> write(Connection connection, WriteMode mode, List<String> requestedKey, List<Map<String, Object>> records,
                             BeforeCommit beforeCommit) throws SQLException {
        List<ColumnInfo> key = keyColumns(mode, requestedKey);
        String keyNames = key.stream().map(ColumnInfo::name).collect(Collectors.joining(", "));
        RecordResult[] results = new RecordResult[records.size()];
        Map<Set<String>, Shape> shapes = new HashMap<>();
        // statements of equal text and columns share a group (and so a batch), whichever field set produced them
        Map<SqlStatement, List<Row>> groups = new LinkedHashMap<>();
        Map<SqlStatement, SqlStatement> canonical = new HashMap<>();
        SqlStatement lastStatement = null;
        List<Row> lastGroup = null;
        // Records of the row form share one key set instance: the last one's shape is taken without hashing the names.
        Set<String> lastKeys = null;
        Shape lastShape = null;
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> record = records.get(i);
            try {
                Set<String> keys = record.keySet();
                Shape shape = keys == lastKeys ? lastShape : shapes.get(keys);
                if (shape == null) {
                    shape = shape(mode, key, keys, canonical);
                    shapes.put(new HashSet<>(keys), shape);
                }
                lastKeys = keys;
                lastShape = shape;
                Row row = plan(i, mode, key, keyNames, shape, record);
                if (row.statement() == null) {
                    results[i] = RecordResult.ok(i, row.id());
                } else {
                    if (row.statement() != lastStatement) {
                        lastStatement = row.statement();
                        lastGroup = groups.computeIfAbsent(lastStatement, s -> new ArrayList<>());
                    }
                    lastGroup.add(row);
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
                    runBatches(connection, mode, groups, results);
                    if (beforeCommit != null) {
                        beforeCommit.run(connection, results);
                    }
                    connection.commit();
                } catch (SQLException batchFailure) {
                    connection.rollback();
                    Log.infof("event=jdbc_write_batch_failed table=%s records=%d action=retry_each error=%s",
                            table.objectName(), records.size(), firstLine(batchFailure));
                    runEach(connection, groups, results);
                    if (beforeCommit != null) {
                        beforeCommit.run(connection, results);
                    }
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
            throw ConnectorException.invalid("key", "required", table.objectName() + " has no primary key; name the key fields for " + mode.json());
        }
        return key;
    }

    /** Works out once what records with these field names share; unknown names stay out of {@code slots} and fail each record. */
    private Shape shape(WriteMode mode, List<ColumnInfo> key, Set<String> fieldNames, Map<SqlStatement, SqlStatement> canonical) {
        Shape shape = new Shape();
        for (String name : fieldNames) {
            table.resolve(name).ifPresent(column -> {
                int slot = shape.columns.indexOf(column);
                if (slot < 0) {
                    slot = shape.columns.size();
                    shape.columns.add(column);
                }
                shape.slots.put(name, slot);
            });
        }
        shape.keySlots = new int[key.size()];
        for (int k = 0; k < key.size(); k++) {
            shape.keySlots[k] = shape.columns.indexOf(key.get(k));
        }
        List<ColumnInfo> columns = List.copyOf(shape.columns);
        switch (mode) {
            case INSERT -> {
                if (columns.isEmpty()) {
                    shape.error = "record has no fields";
                    break;
                }
                String sql = "INSERT INTO " + qualifiedTable + " (" + names(columns) + ") VALUES (" + placeholders(columns.size()) + ")";
                shape.statement = intern(canonical, new SqlStatement(sql, columns, false, null, true));
                if (key.size() == 1 && key.getFirst().generatedKey()) {
                    shape.generatedKeyStatement = intern(canonical, new SqlStatement(sql, columns, false, key.getFirst(), true));
                }
            }
            case UPSERT -> {
                // Where the database can tell, each row returns whether it was inserted, so the answer counts created and updated.
                String telling = dialect.upsertTellingInserts(qualifiedTable, quoted(columns), quoted(key), 1);
                shape.statement = intern(canonical, telling != null ? new SqlStatement(telling, columns, false, null, null, key, null)
                        : new SqlStatement(dialect.upsert(qualifiedTable, quoted(columns), quoted(key)), columns, false, null, null, null,
                        dialect.tellsUpsertsByLookup() ? key : null));
            }
            case UPDATE -> {
                List<ColumnInfo> set = columns.stream().filter(c -> !key.contains(c)).toList();
                if (!set.isEmpty()) {
                    List<ColumnInfo> bound = new ArrayList<>(set);
                    bound.addAll(key);
                    shape.bindOrder = bound.stream().mapToInt(columns::indexOf).toArray();
                    shape.statement = intern(canonical, new SqlStatement("UPDATE " + qualifiedTable + " SET " + assignments(set, ", ")
                            + " WHERE " + assignments(key, " AND "), List.copyOf(bound), true, null, false));
                }
            }
            case DELETE -> {
                shape.bindOrder = shape.keySlots;
                shape.statement = intern(canonical, new SqlStatement("DELETE FROM " + qualifiedTable + " WHERE " + assignments(key, " AND "),
                        key, true, null, null));
            }
        }
        return shape;
    }

    private static SqlStatement intern(Map<SqlStatement, SqlStatement> canonical, SqlStatement statement) {
        SqlStatement existing = canonical.putIfAbsent(statement, statement);
        return existing != null ? existing : statement;
    }

    /** Converts one record's values (in its own field order, so the first bad field is the one reported) and picks its statement. */
    private Row plan(int index, WriteMode mode, List<ColumnInfo> key, String keyNames, Shape shape, Map<String, Object> record) {
        Object[] values = new Object[shape.columns.size()];
        for (Map.Entry<String, Object> field : record.entrySet()) {
            Integer slot = shape.slots.get(field.getKey());
            if (slot == null) {
                throw new IllegalArgumentException(table.objectName() + " has no field " + field.getKey());
            }
            values[slot] = JdbcValues.toJdbc(field.getValue(), shape.columns.get(slot));
        }
        String id = id(shape, values);
        if (mode != WriteMode.INSERT && id == null) {
            throw new IllegalArgumentException("record needs a value for every key field: " + keyNames);
        }
        if (shape.error != null) {
            throw new IllegalArgumentException(shape.error);
        }
        SqlStatement statement = id == null && shape.generatedKeyStatement != null ? shape.generatedKeyStatement : shape.statement;
        if (statement == null || shape.bindOrder == null) {
            return new Row(index, id, statement, values);
        }
        Object[] bound = new Object[shape.bindOrder.length];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = values[shape.bindOrder[i]];
        }
        return new Row(index, id, statement, bound);
    }

    /** The key values joined by commas, or null when the record lacks one (or the table has no key). */
    private static String id(Shape shape, Object[] values) {
        int[] keySlots = shape.keySlots;
        if (keySlots.length == 0) {
            return null;
        }
        if (keySlots.length == 1) {
            Object value = keySlots[0] < 0 ? null : values[keySlots[0]];
            return value == null ? null : RecordResult.idPart(value);
        }
        StringBuilder id = new StringBuilder();
        for (int slot : keySlots) {
            Object value = slot < 0 ? null : values[slot];
            if (value == null) {
                return null;
            }
            if (!id.isEmpty()) {
                id.append(',');
            }
            id.append(RecordResult.idPart(value));
        }
        return id.toString();
    }

    private void runBatches(Connection connection, WriteMode mode, Map<SqlStatement, List<Row>> groups, RecordResult[] results)
            throws SQLException {
        for (Map.Entry<SqlStatement, List<Row>> group : groups.entrySet()) {
            SqlStatement statement = group.getKey();
            List<Row> rows = group.getValue();
            List<Row> batched = rows;
            if (mode == WriteMode.INSERT && rows.size() >= BULK_MIN_ROWS && bulkLoadable(statement)) {
                batched = new ArrayList<>();
                for (int from = 0; from < rows.size(); from += BULK_CHUNK) {
                    List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + BULK_CHUNK));
                    List<Object[]> values = new ArrayList<>(chunk.size());
                    for (Row row : chunk) {
                        values.add(row.values());
                    }
                    if (dialect.bulkInsert(connection, qualifiedTable, statement.columns(), values)) {
                        for (Row row : chunk) {
                            results[row.index()] = RecordResult.ok(row.index(), row.id(), true);
                        }
                    } else {
                        batched.addAll(chunk);
                    }
                }
            }
            if (statement.tells()) {
                runTelling(connection, statement, batched, results);
            } else if (!batched.isEmpty()) {
                runBatch(connection, statement, batched, results);
            }
        }
    }

    /**
     * A bulk load reports no generated keys and must not set columns the database fills itself
     * (identity, serial, generated), where an INSERT's refusal is the answer the caller should get.
     */
    private static boolean bulkLoadable(SqlStatement statement) {
        if (statement.generatedKey() != null) {
            return false;
        }
        for (ColumnInfo column : statement.columns()) {
            if (column.generatedKey() || column.readOnly()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A telling upsert, {@link #TELLING_ROWS} records a statement (fewer when they have many columns: PostgreSQL binds at
     * most 32,767 values), each record's flag read back in order. A key twice in one statement fails it, and the batch
     * then runs record by record as any failed batch does.
     */
    private void runTelling(Connection connection, SqlStatement statement, List<Row> rows, RecordResult[] results) throws SQLException {
        int width = statement.columns().size();
        int per = Math.max(1, Math.min(TELLING_ROWS, 32_767 / Math.max(1, width)));
        List<String> columns = quoted(statement.columns());
        List<String> key = quoted(statement.tellingKey());
        for (int from = 0; from < rows.size(); from += per) {
            List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + per));
            try (PreparedStatement prepared = connection.prepareStatement(dialect.upsertTellingInserts(qualifiedTable, columns, key, chunk.size()))) {
                int at = 0;
                for (Row row : chunk) {
                    for (int c = 0; c < width; c++) {
                        dialect.bind(prepared, ++at, row.values()[c], statement.columns().get(c));
                    }
                }
                List<Boolean> flags = new ArrayList<>(chunk.size());
                try (ResultSet returned = prepared.executeQuery()) {
                    while (returned.next()) {
                        flags.add(returned.getBoolean(1));
                    }
                }
                for (int i = 0; i < chunk.size(); i++) {
                    Row row = chunk.get(i);
                    results[row.index()] = RecordResult.ok(row.index(), row.id(), flags.size() == chunk.size() ? flags.get(i) : null);
                }
            }
        }
    }

    private void runBatch(Connection connection, SqlStatement statement, List<Row> rows, RecordResult[] results) throws SQLException {
        try (PreparedStatement prepared = prepare(connection, statement)) {
            for (int from = 0; from < rows.size(); from += CHUNK) {
                List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                Boolean[] creates = statement.lookupKey() == null ? null : createsByLookup(connection, statement, chunk);
                for (Row row : chunk) {
                    bind(prepared, statement, row.values());
                    prepared.addBatch();
                }
                int[] counts = prepared.executeBatch();
                List<String> generated = statement.generatedKey() == null ? List.of() : generatedKeys(prepared);
                for (int i = 0; i < chunk.size(); i++) {
                    Row row = chunk.get(i);
                    int count = i < counts.length ? counts[i] : java.sql.Statement.SUCCESS_NO_INFO;
                    String id = row.id() != null ? row.id() : generated.size() == chunk.size() ? generated.get(i) : null;
                    results[row.index()] = outcome(row, count, id, creates != null ? creates[i] : statement.creates());
                }
            }
        }
    }

    /**
     * Whether each of these upserts will insert (true) or update (false), from their keys looked up in the same
     * transaction just before the upsert runs: for a database whose upsert cannot say which it did (MySQL and MariaDB
     * count a row that was there and is left unchanged as they count an insert). The database compares the keys, under
     * the key columns' own collation ({@code 'A'} finds {@code 'a'} where the collation ignores case): each found row
     * answers the position of the first record whose key equals it. A key again later in the same records updates what
     * the first one wrote; in Java only an exact repeat is seen as one, so a repeat that differs in case under such a
     * collation counts as created. A row another writer inserts between the look-up and the upsert counts as created.
     */
    private Boolean[] createsByLookup(Connection connection, SqlStatement statement, List<Row> rows) throws SQLException {
        List<ColumnInfo> key = statement.lookupKey();
        int[] at = key.stream().mapToInt(statement.columns()::indexOf).toArray();
        String match = key.stream().map(c -> dialect.quote(c.name()) + " = ?").collect(Collectors.joining(" AND "));
        StringBuilder sql = new StringBuilder("SELECT CASE");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(" WHEN ").append(match).append(" THEN ").append(i);
        }
        sql.append(" END FROM ").append(qualifiedTable).append(" WHERE ");
        if (key.size() == 1) {
            sql.append(dialect.quote(key.getFirst().name())).append(" IN (").append(placeholders(rows.size())).append(')');
        } else {
            sql.append('(').append(names(key)).append(") IN (")
                    .append(String.join(", ", Collections.nCopies(rows.size(), "(" + placeholders(key.size()) + ")"))).append(')');
        }
        Boolean[] creates = new Boolean[rows.size()];
        java.util.Arrays.fill(creates, Boolean.TRUE);
        try (PreparedStatement lookup = connection.prepareStatement(sql.toString())) {
            int p = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (Row row : rows) {
                    for (int k = 0; k < at.length; k++) {
                        dialect.bind(lookup, ++p, row.values()[at[k]], key.get(k));
                    }
                }
            }
            try (ResultSet found = lookup.executeQuery()) {
                while (found.next()) {
                    int first = found.getInt(1);
                    if (!found.wasNull() && first >= 0 && first < creates.length) {
                        creates[first] = Boolean.FALSE;
                    }
                }
            }
        }
        // A record whose key an earlier one of these records has: the earlier one inserted it, or it was there.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            if (!seen.add(rows.get(i).id())) {
                creates[i] = Boolean.FALSE;
            }
        }
        return creates;
    }

    private void runEach(Connection connection, Map<SqlStatement, List<Row>> groups, RecordResult[] results) throws SQLException {
        Map<SqlStatement, PreparedStatement> prepared = new HashMap<>();
        List<Row> all = new ArrayList<>();
        groups.values().forEach(all::addAll);
        all.sort((a, b) -> Integer.compare(a.index(), b.index()));
        try {
            for (Row row : all) {
                SqlStatement statement = row.statement();
                PreparedStatement ps = prepared.get(statement);
                if (ps == null) {
                    ps = prepare(connection, statement);
                    prepared.put(statement, ps);
                }
                Savepoint savepoint = connection.setSavepoint();
                try {
                    Boolean created = statement.lookupKey() == null ? statement.creates() : createsByLookup(connection, statement, List.of(row))[0];
                    bind(ps, statement, row.values());
                    int count = ps.executeUpdate();
                    String id = row.id();
                    if (id == null && statement.generatedKey() != null || statement.tells()) {
                        List<String> generated = generatedKeys(ps);
                        if (statement.tells()) {
                            created = generated.size() == 1 ? inserted(generated.getFirst()) : null;
                        } else {
                            id = generated.isEmpty() ? null : generated.getFirst();
                        }
                    }
                    connection.releaseSavepoint(savepoint);
                    results[row.index()] = outcome(row, count, id, created);
                } catch (SQLException e) {
                    if (connection.isClosed() || isConnectionFailure(e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    results[row.index()] = RecordResult.failed(row.index(), JdbcErrors.message(e, null));
                }
            }
        } finally {
            for (PreparedStatement ps : prepared.values()) {
                ps.close();
            }
        }
    }

    private static RecordResult outcome(Row row, int count, String id, Boolean created) {
        if (row.statement().countsRows() && count == 0) {
            return RecordResult.notFound(row.index(), "no record with key " + row.id());
        }
        return RecordResult.ok(row.index(), id, created);
    }

    /** A telling upsert's returned flag, as the driver gives a boolean's text. */
    private static Boolean inserted(String flag) {
        return flag == null ? null : flag.equals("t") || flag.equalsIgnoreCase("true") || flag.equals("1");
    }

    private PreparedStatement prepare(Connection connection, SqlStatement statement) throws SQLException {
        if (statement.tells()) {
            // Record by record after a failed batch (runEach): the driver hands the statement's own RETURNING row back as a generated key.
            return connection.prepareStatement(statement.sql(), java.sql.Statement.RETURN_GENERATED_KEYS);
        }
        return statement.generatedKey() == null
                ? connection.prepareStatement(statement.sql())
                : connection.prepareStatement(statement.sql(), new String[] {statement.generatedKey().name()});
    }

    private void bind(PreparedStatement prepared, SqlStatement statement, Object[] values) throws SQLException {
        List<ColumnInfo> columns = statement.columns();
        for (int i = 0; i < values.length; i++) {
            dialect.bind(prepared, i + 1, values[i], columns.get(i));
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

    private String names(List<ColumnInfo> columns) {
        return columns.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", "));
    }

    private List<String> quoted(List<ColumnInfo> columns) {
        return columns.stream().map(c -> dialect.quote(c.name())).toList();
    }

    private String assignments(List<ColumnInfo> columns, String separator) {
        return columns.stream().map(c -> dialect.quote(c.name()) + " = ?").collect(Collectors.joining(separator));
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    private static String firstLine(SQLException e) {
        SQLException detail = e.getNextException() != null ? e.getNextException() : e;
        return String.valueOf(detail.getMessage()).lines().findFirst().orElse("");
    }
}
