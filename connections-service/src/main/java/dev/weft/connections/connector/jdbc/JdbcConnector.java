package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.jdbc.JdbcCursor.Phase;
import dev.weft.connections.connector.jdbc.JdbcFilterRenderer.BoundValue;

import io.quarkus.logging.Log;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The connector for SQL databases, parameterised by a {@link SqlDialect}: describes the tables and
 * views of every schema the credentials see from information_schema (the default schema's named
 * bare, the others {@code schema.table}), queries with bound filters and keyset paging, reads
 * incrementally by a last-modified column, and writes in JDBC batches with a record-by-record
 * retry when a batch fails. Request names only select a catalog entry; SQL quotes the catalog's
 * spelling of schema and table, so no request text ever reaches a statement.
 */
public abstract class JdbcConnector implements Connector {
    static final Duration SCHEMA_TTL = Duration.ofSeconds(60);
    static final int DEFAULT_LIMIT = 100;
    static final int DEFAULT_BATCH = 1000;
    /** Rows per round trip: a read batch of up to 10,000 and the one row that tells whether more follow. */
    static final int FETCH_SIZE = 10_001;

    private final JdbcPools pools = new JdbcPools();
    private final WriteLedger ledger = new WriteLedger();
    private final Map<String, Catalog> catalogs = new ConcurrentHashMap<>();
    /** The last target each connection used and its fingerprint: a SHA-256 per call shows when pages are small. */
    private final Map<String, Fingerprint> fingerprints = new ConcurrentHashMap<>();

    private record Fingerprint(JdbcTarget target, String value) {
    }

    /**
     * A connection's tables, valid for {@link #SCHEMA_TTL} and only for the target (server, default
     * schema, credentials) it was read with.
     */
    private record Catalog(TableCatalog tables, String fingerprint, long loadedNanos) {
        boolean fresh(String wantedSchema, String wantedFingerprint) {
            return tables.schema().equals(wantedSchema) && fingerprint.equals(wantedFingerprint)
                    && System.nanoTime() - loadedNanos < SCHEMA_TTL.toNanos();
        }
    }

    protected abstract SqlDialect dialect();

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> {
            JdbcTarget target = dialect().target(context);
            // a direct connection, not the pool: the check must prove these exact credentials work now
            try (Connection connection = connectDirect(target);
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT 1")) {
                rows.next();
            } catch (SQLException e) {
                throw JdbcErrors.translate(e, target);
            }
        });
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        return catalog(context, false).tables().tables().stream().map(TableInfo::schema).toList();
    }

    @Override
    public void release(String connectionId) {
        catalogs.remove(connectionId);
        fingerprints.remove(connectionId);
        pools.release(connectionId);
    }

    // ---------------------------------------------------------------- query

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        SqlDialect dialect = dialect();
        TableInfo table = table(context, query.object());
        List<ColumnInfo> wanted = table.requireAll(query.fields(), "fields");
        List<ColumnInfo> key = table.primaryKeyColumns();
        List<ColumnInfo> selected = Rows.union(wanted, key);
        int limit = query.limit() > 0 ? query.limit() : DEFAULT_LIMIT;
        JdbcCursor cursor = JdbcCursor.decode(query.cursor());

        JdbcFilterRenderer.Rendered filter = JdbcFilterRenderer.render(query.filter(), table, dialect);
        List<String> conditions = new ArrayList<>();
        List<BoundValue> parameters = new ArrayList<>(filter.parameters());
        if (filter.sql() != null) {
            conditions.add(filter.sql());
        }
        List<ColumnInfo> order;
        long offset = 0;
        if (!key.isEmpty()) {
            if (cursor != null) {
                cursor.forKey(key.size());
                conditions.add(Rows.keysetAfter(dialect(), key, cursor.key(), parameters));
            }
            order = key;
        } else {
            if (cursor != null) {
                offset = cursor.forOffset().offset();
            }
            order = selected.stream().filter(c -> c.kind().orderable()).toList();
        }

        long start = offset;
        List<Map<String, Object>> rows = withConnection(context, false, connection ->
                select(connection, table, selected, conditions, parameters, order, limit + 1, start));
        boolean hasMore = rows.size() > limit;
        List<Map<String, Object>> page = hasMore ? rows.subList(0, limit) : rows;
        String next = null;
        if (hasMore) {
            next = key.isEmpty()
                    ? new JdbcCursor(Phase.OFFSET, null, null, offset + limit).encode()
                    : new JdbcCursor(Phase.KEY, null, Rows.values(page.getLast(), key), 0).encode();
        }
        return new RecordPage(Rows.project(page, wanted), next, hasMore);
    }

    // ---------------------------------------------------------------- incremental read

    /** Any integer, number, date or timestamp column: reads by (it, key) as by the default cursor field. */
    @Override
    public boolean readsBy(ObjectSchema object, FieldSchema field) {
        return TableInfo.readableBy(field);
    }

    /** A keyset query on the customer's database: a batch read ahead and never asked for costs one query. */
    @Override
    public boolean readsAhead() {
        return true;
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        TableInfo table = table(context, read.object());
        List<ColumnInfo> wanted = table.requireAll(read.fields(), "fields");
        List<ColumnInfo> key = table.primaryKeyColumns();
        ColumnInfo cursorField = table.cursorColumn(read.schema());
        List<ColumnInfo> selected = Rows.union(Rows.union(wanted, key), cursorField == null ? List.of() : List.of(cursorField));
        int batch = read.batchSize() > 0 ? read.batchSize() : DEFAULT_BATCH;
        JdbcCursor cursor = JdbcCursor.decode(read.cursor());

        ReadBatch result = withConnection(context, true, connection -> {
            if (cursorField != null && !key.isEmpty()) {
                return readByCursorField(connection, table, selected, cursorField, key, cursor, batch);
            } else if (cursorField != null) {
                return readByCursorFieldWithoutKey(connection, table, selected, cursorField, cursor, batch);
            } else if (!key.isEmpty()) {
                return readByKey(connection, table, selected, key, cursor, batch);
            }
            return readByOffset(connection, table, selected, cursor, batch);
        });
        String next = result.rows().isEmpty() && read.cursor() != null ? read.cursor() : result.state().encode();
        return new RecordPage(Rows.project(result.rows(), wanted), next, result.hasMore());
    }

    private record ReadBatch(List<Map<String, Object>> rows, JdbcCursor state, boolean hasMore) {
    }

    /**
     * Rows whose cursor field is null come first (as if older than any value), by key; then rows by
     * (cursor field, key). Nulls are read once: later reads resume after the high-water mark.
     */
    private ReadBatch readByCursorField(Connection connection, TableInfo table, List<ColumnInfo> selected, ColumnInfo cursorField,
                                       List<ColumnInfo> key, JdbcCursor cursor, int batch) throws SQLException {
        JdbcCursor state = cursor != null ? cursor : JdbcCursor.start(cursorField.nullable() ? Phase.NULLS : Phase.VALUES);
        state.forCursorFieldAndKey(key.size());
        List<ColumnInfo> valueOrder = Rows.union(List.of(cursorField), key);
        String quotedCursor = dialect().quote(cursorField.name());
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean hasMore = false;
        while (rows.size() < batch) {
            int need = batch - rows.size();
            List<String> conditions = new ArrayList<>();
            List<BoundValue> parameters = new ArrayList<>();
            List<Map<String, Object>> fetched;
            if (state.phase() == Phase.NULLS) {
                conditions.add(quotedCursor + " IS NULL");
                if (state.key() != null) {
                    conditions.add(Rows.keysetAfter(dialect(), key, state.key(), parameters));
                }
                fetched = select(connection, table, selected, conditions, parameters, key, need + 1, 0);
            } else {
                if (cursorField.nullable()) {
                    conditions.add(quotedCursor + " IS NOT NULL");
                }
                if (state.cursorValue() != null) {
                    conditions.add(Rows.positionAfter(dialect(), cursorField, key, state.cursorValue(), state.key(), parameters));
                }
                fetched = select(connection, table, selected, conditions, parameters, valueOrder, need + 1, 0);
            }
            List<Map<String, Object>> taken = fetched.subList(0, Math.min(need, fetched.size()));
            rows.addAll(taken);
            if (!taken.isEmpty()) {
                Map<String, Object> last = taken.getLast();
                state = state.phase() == Phase.NULLS
                        ? new JdbcCursor(Phase.NULLS, null, Rows.values(last, key), 0)
                        : new JdbcCursor(Phase.VALUES, last.get(cursorField.name()), Rows.values(last, key), 0);
            }
            if (fetched.size() > need) {
                hasMore = true;
                break;
            }
            if (state.phase() != Phase.NULLS) {
                break;
            }
            state = JdbcCursor.start(Phase.VALUES);
            // a full batch of nulls: there may be values still to come
            hasMore = rows.size() >= batch;
        }
        return new ReadBatch(rows, state, hasMore);
    }

    /** Without a key, ties on the cursor value cannot be split across batches: a batch takes all rows of its last value. */
    private ReadBatch readByCursorFieldWithoutKey(Connection connection, TableInfo table, List<ColumnInfo> selected,
                                                  ColumnInfo cursorField, JdbcCursor cursor, int batch) throws SQLException {
        if (cursor != null) {
            cursor.forCursorFieldAlone();
        }
        String quotedCursor = dialect().quote(cursorField.name());
        List<String> conditions = new ArrayList<>(List.of(quotedCursor + " IS NOT NULL"));
        List<BoundValue> parameters = new ArrayList<>();
        if (cursor != null && cursor.cursorValue() != null) {
            conditions.add(quotedCursor + " > ?");
            parameters.add(new BoundValue(Rows.cursorValue(cursor.cursorValue(), cursorField), cursorField));
        }
        List<Map<String, Object>> fetched = select(connection, table, selected, conditions, parameters, List.of(cursorField), batch + 1, 0);
        boolean hasMore = fetched.size() > batch;
        List<Map<String, Object>> rows = new ArrayList<>(fetched.subList(0, Math.min(batch, fetched.size())));
        if (hasMore) {
            Object boundary = rows.getLast().get(cursorField.name());
            if (Objects.equals(boundary, fetched.get(batch).get(cursorField.name()))) {
                rows.removeIf(row -> Objects.equals(row.get(cursorField.name()), boundary));
                List<BoundValue> tieParameters = List.of(new BoundValue(Rows.cursorValue(boundary, cursorField), cursorField));
                rows.addAll(select(connection, table, selected, List.of(quotedCursor + " = ?"), tieParameters, List.of(), 0, 0));
            }
        }
        JdbcCursor state = rows.isEmpty() ? (cursor != null ? cursor : JdbcCursor.start(Phase.VALUES))
                : new JdbcCursor(Phase.VALUES, rows.getLast().get(cursorField.name()), null, 0);
        return new ReadBatch(rows, state, hasMore);
    }

    private ReadBatch readByKey(Connection connection, TableInfo table, List<ColumnInfo> selected, List<ColumnInfo> key,
                                JdbcCursor cursor, int batch) throws SQLException {
        List<String> conditions = new ArrayList<>();
        List<BoundValue> parameters = new ArrayList<>();
        if (cursor != null) {
            cursor.forKey(key.size());
            conditions.add(Rows.keysetAfter(dialect(), key, cursor.key(), parameters));
        }
        List<Map<String, Object>> fetched = select(connection, table, selected, conditions, parameters, key, batch + 1, 0);
        boolean hasMore = fetched.size() > batch;
        List<Map<String, Object>> rows = hasMore ? fetched.subList(0, batch) : fetched;
        JdbcCursor state = rows.isEmpty() ? (cursor != null ? cursor : JdbcCursor.start(Phase.KEY))
                : new JdbcCursor(Phase.KEY, null, Rows.values(rows.getLast(), key), 0);
        return new ReadBatch(rows, state, hasMore);
    }

    private ReadBatch readByOffset(Connection connection, TableInfo table, List<ColumnInfo> selected, JdbcCursor cursor, int batch)
            throws SQLException {
        long offset = cursor == null ? 0 : cursor.forOffset().offset();
        List<ColumnInfo> order = selected.stream().filter(c -> c.kind().orderable()).toList();
        List<Map<String, Object>> fetched = select(connection, table, selected, List.of(), List.of(), order, batch + 1, offset);
        boolean hasMore = fetched.size() > batch;
        List<Map<String, Object>> rows = hasMore ? fetched.subList(0, batch) : fetched;
        return new ReadBatch(rows, new JdbcCursor(Phase.OFFSET, null, null, offset + rows.size()), hasMore);
    }

    // ---------------------------------------------------------------- write

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        if (write.mode() == null) {
            throw ConnectorException.invalid("mode", "required", "write needs a mode: insert, update, upsert or delete");
        }
        TableInfo table = table(context, write.object());
        if (table.view()) {
            throw ConnectorException.invalid("object", "writable", write.object() + " is a view; Weft writes to tables only");
        }
        JdbcWriter writer = new JdbcWriter(dialect(), table);
        if (write.writeId() == null) {
            return new WriteResult(withConnection(context, false, connection -> writer.write(connection, write.mode(), write.key(), write.records())));
        }
        String scope = context.connectionId() + "\u0000" + fingerprint(context.connectionId(), dialect().target(context));
        return withConnection(context, false, connection -> {
            if (!ledger.usable(connection, dialect(), scope, table.schemaName())) {
                return new WriteResult(writer.write(connection, write.mode(), write.key(), write.records()));
            }
            WriteLedger.Answer before = ledger.find(connection, dialect(), scope, table.schemaName(), write.writeId());
            if (before == null) {
                try {
                    return new WriteResult(writer.write(connection, write.mode(), write.key(), write.records(), (c, results) ->
                            ledger.record(c, dialect(), scope, table.schemaName(), table.name(), write.writeId(), results)));
                } catch (WriteLedger.AlreadyWritten e) {
                    // The same batch, sent twice at once, committed by the other write first: its answer is this one's.
                    before = ledger.find(connection, dialect(), scope, table.schemaName(), write.writeId());
                    if (before == null) {
                        throw new SQLException("write " + write.writeId() + " was recorded by another write that is not visible", "40001");
                    }
                }
            }
            if (!before.sameWrite(table.name(), write.records().size())) {
                // As an idempotency key reused with other parameters: a caller's mistake, never silently taken as done.
                throw ConnectorException.invalid("write_id", "reused", "write_id " + write.writeId() + " was used for another write ("
                        + before.total() + " records to " + before.table() + "); send a new id for a new write");
            }
            Log.infof("event=jdbc_write_replayed table=%s write_id=%s records=%d", table.objectName(), write.writeId(), write.records().size());
            return WriteLedger.replay(before, write.records(), write.key() == null || write.key().isEmpty() ? table.primaryKey() : write.key());
        });
    }

    // ---------------------------------------------------------------- create and count

    /** SQL state of a schema that does not exist (SQL standard; PostgreSQL answers it for CREATE TABLE into one). */
    private static final String INVALID_SCHEMA_NAME = "3F000";

    /**
     * Creates the table when the catalog has no object of that name, and its schema: a named one first, the connection's
     * own when creating the table finds it missing. Columns are typed from the wanted fields by the dialect, the wanted key
     * is the primary key; names are used as given, quoted. An existing table is answered as described, unchanged.
     */
    @Override
    public EnsuredObject ensureObject(ConnectorContext context, ObjectSchema wanted) {
        Optional<TableInfo> existing = catalog(context, true).tables().find(wanted.name());
        if (existing.isPresent()) {
            return new EnsuredObject(existing.get().schema(), false);
        }
        SqlDialect dialect = dialect();
        String defaultSchema = dialect.defaultSchema(context);
        TableRef ref = TableRef.toCreate(wanted.name(), defaultSchema);
        List<String> definitions = new ArrayList<>();
        for (dev.weft.connections.connector.FieldSchema field : wanted.fields()) {
            boolean key = wanted.primaryKey().contains(field.name());
            definitions.add(dialect.quote(field.name()) + " " + dialect.columnType(field.type(), key) + (key ? " NOT NULL" : ""));
        }
        if (!wanted.primaryKey().isEmpty()) {
            definitions.add("PRIMARY KEY (" + wanted.primaryKey().stream().map(dialect::quote).collect(Collectors.joining(", ")) + ")");
        }
        String create = "CREATE TABLE IF NOT EXISTS " + dialect.qualify(ref.schema(), ref.table()) + " (" + String.join(", ", definitions) + ")";
        try {
            withConnection(context, false, connection -> {
                try (Statement statement = connection.createStatement()) {
                    String createSchema = dialect.createSchema(dialect.quote(ref.schema()));
                    if (!ref.schema().equals(defaultSchema)) {
                        createSchema(connection, statement, createSchema, ref.schema());
                    }
                    try {
                        statement.execute(create);
                    } catch (SQLException e) {
                        if (!INVALID_SCHEMA_NAME.equals(e.getSQLState())) {
                            throw e;
                        }
                        // The connection's own schema (PostgreSQL's config.schema) does not exist yet: created as a named one
                        // is. Only then, since CREATE SCHEMA needs a privilege on the database even when the schema exists.
                        createSchema(connection, statement, createSchema, ref.schema());
                        statement.execute(create);
                    }
                }
                return null;
            });
        } catch (ConnectorException e) {
            // Another run creating the same table at the same moment: PostgreSQL's IF NOT EXISTS fails for the second of two
            // once the first commits. The table is there, answered as existing (the schema's race is createSchema's).
            Optional<TableInfo> meanwhile = catalog(context, true).tables().find(wanted.name());
            if (meanwhile.isPresent()) {
                return new EnsuredObject(meanwhile.get().schema(), false);
            }
            throw e;
        }
        TableInfo created = catalog(context, true).tables().find(wanted.name()).orElseThrow(() -> ConnectorException.upstream(
                "created " + ref.qualifiedName() + " but the catalog does not show it", 0));
        return new EnsuredObject(created.schema(), true);
    }

    /**
     * Runs the dialect's {@code CREATE SCHEMA IF NOT EXISTS}. Another run creating the same schema at the same moment (two
     * syncs' first batches into new tables of one new schema) makes PostgreSQL's IF NOT EXISTS fail for the second of
     * the two once the first commits (a unique violation on its catalog): a schema that is there by then is used.
     */
    private static void createSchema(Connection connection, Statement statement, String createSchema, String schema) throws SQLException {
        try {
            statement.execute(createSchema);
        } catch (SQLException e) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
                exists.setString(1, schema);
                try (ResultSet found = exists.executeQuery()) {
                    if (!found.next()) {
                        throw e;
                    }
                }
            }
        }
    }

    @Override
    public java.util.OptionalLong count(ConnectorContext context, dev.weft.connections.connector.CountSpec count) {
        SqlDialect dialect = dialect();
        TableInfo table = table(context, count.object());
        JdbcFilterRenderer.Rendered filter = JdbcFilterRenderer.render(count.filter(), table, dialect);
        List<String> conditions = new ArrayList<>();
        List<BoundValue> parameters = new ArrayList<>(filter.parameters());
        if (filter.sql() != null) {
            conditions.add(filter.sql());
        }
        if (count.cursorField() != null && count.cursor() != null) {
            ColumnInfo column = table.require(count.cursorField(), "cursor_field");
            conditions.add(dialect.quote(column.name()) + " > ?");
            try {
                parameters.add(new BoundValue(JdbcValues.toJdbc(count.cursor(), column), column));
            } catch (IllegalArgumentException e) {
                throw ConnectorException.invalid("cursor", "type", "cursor: " + e.getMessage());
            }
        }
        // After a read's cursor: what the reads from there would still return.
        long skip = count.afterRead() == null ? 0
                : Rows.remainingAfter(dialect, count.afterRead(), table.cursorColumn(count.schema()), table.primaryKeyColumns(), conditions, parameters);
        String sql = "SELECT COUNT(*) FROM " + dialect.qualify(table.schemaName(), table.name())
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions));
        long counted = withConnection(context, false, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.size(); i++) {
                    dialect.bind(statement, i + 1, parameters.get(i).value(), parameters.get(i).column());
                }
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    return result.getLong(1);
                }
            }
        });
        return java.util.OptionalLong.of(Math.max(0, counted - skip));
    }

    // ---------------------------------------------------------------- SQL helpers

    private List<Map<String, Object>> select(Connection connection, TableInfo table, List<ColumnInfo> selected, List<String> conditions,
                                             List<BoundValue> parameters, List<ColumnInfo> order, int limit, long offset) throws SQLException {
        SqlDialect dialect = dialect();
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(selected.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", ")))
                .append(" FROM ").append(dialect.qualify(table.schemaName(), table.name()));
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
        if (!order.isEmpty()) {
            sql.append(" ORDER BY ").append(order.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", ")));
        }
        // limit and offset are integers computed here, never request text
        if (limit > 0) {
            sql.append(" LIMIT ").append(limit);
        }
        if (offset > 0) {
            sql.append(" OFFSET ").append(offset);
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            statement.setFetchSize(limit > 0 ? Math.min(limit, FETCH_SIZE) : FETCH_SIZE);
            for (int i = 0; i < parameters.size(); i++) {
                BoundValue parameter = parameters.get(i);
                dialect.bind(statement, i + 1, parameter.value(), parameter.column());
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 0; i < selected.size(); i++) {
                        row.put(selected.get(i).name(), dialect.read(result, i + 1, selected.get(i)));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    // ---------------------------------------------------------------- catalog and connections

    /**
     * The table or view named {@code object}: bare in the default schema, or {@code schema.table}
     * (the default schema's included). A name not in the cached catalog triggers one reload before
     * it is refused.
     */
    protected TableInfo table(ConnectorContext context, String object) {
        return TableCatalog.require(reload -> catalog(context, reload).tables(), object);
    }

    /** {@code public.leads} is described as {@code leads} when {@code public} is the default schema. */
    @Override
    public String describedName(ConnectorContext context, String object) {
        return catalog(context, false).tables().find(object).map(TableInfo::objectName).orElse(object);
    }

    private Catalog catalog(ConnectorContext context, boolean reload) {
        String schema = dialect().defaultSchema(context);
        String fingerprint = fingerprint(context.connectionId(), dialect().target(context));
        Catalog cached = catalogs.get(context.connectionId());
        if (!reload && cached != null && cached.fresh(schema, fingerprint)) {
            return cached;
        }
        Catalog loaded = withConnection(context, false, connection ->
                new Catalog(new TableCatalog(schema, loadTables(connection, schema)), fingerprint, System.nanoTime()));
        catalogs.put(context.connectionId(), loaded);
        return loaded;
    }

    /**
     * Every table and view of every listed schema, the default schema's first: one query per kind
     * (tables, primary keys, columns), not one per schema, so a database of many schemas costs the
     * same three round trips.
     */
    private List<TableInfo> loadTables(Connection connection, String defaultSchema) throws SQLException {
        SqlDialect dialect = dialect();
        Map<TableRef, Boolean> views = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT table_schema, table_name, table_type FROM information_schema.tables"
                        + " WHERE table_type IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') AND " + dialect.listedSchemas("table_schema"));
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                views.put(new TableRef(rows.getString(1), rows.getString(2)), "VIEW".equals(rows.getString(3)));
            }
        }
        Map<TableRef, List<String>> keys = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT kcu.table_schema, kcu.table_name, kcu.column_name FROM information_schema.table_constraints tc"
                        + " JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name"
                        + " AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name"
                        + " WHERE tc.constraint_type = 'PRIMARY KEY' AND " + dialect.listedSchemas("tc.table_schema")
                        + " ORDER BY kcu.table_schema, kcu.table_name, kcu.ordinal_position");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                keys.computeIfAbsent(new TableRef(rows.getString(1), rows.getString(2)), t -> new ArrayList<>()).add(rows.getString(3));
            }
        }
        Map<TableRef, List<ColumnInfo>> columns = dialect.loadColumns(connection);
        List<TableInfo> tables = new ArrayList<>(views.size());
        // The write ledger is Weft's own bookkeeping, not data to read or write.
        views.keySet().removeIf(ref -> ref.table().equals(WriteLedger.TABLE));
        views.keySet().stream().sorted(TableRef.defaultSchemaFirst(defaultSchema)).forEach(ref -> {
            List<ColumnInfo> tableColumns = columns.getOrDefault(ref, List.of());
            tables.add(new TableInfo(ref.schema(), ref.table(), views.get(ref), tableColumns, keys.getOrDefault(ref, List.of()),
                    TableInfo.guessCursorField(tableColumns), ref.objectName(defaultSchema)));
        });
        return tables;
    }

    @FunctionalInterface
    protected interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work on a pooled connection; {@code streaming} opens a transaction when the driver streams only inside one. */
    protected <T> T withConnection(ConnectorContext context, boolean streaming, SqlWork<T> work) {
        JdbcTarget target = dialect().target(context);
        try (Connection connection = pools.connection(context.connectionId(), target, fingerprint(context.connectionId(), target))) {
            boolean transaction = streaming && dialect().streamsInTransaction();
            if (transaction) {
                connection.setAutoCommit(false);
            }
            try {
                return work.run(connection);
            } finally {
                if (transaction) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw JdbcErrors.translate(e, target);
        }
    }

    /** The target's fingerprint, computed again only when the connection's target changed (same URL, properties, credentials). */
    private String fingerprint(String connectionId, JdbcTarget target) {
        Fingerprint cached = fingerprints.get(connectionId);
        if (cached != null && cached.target().equals(target)) {
            return cached.value();
        }
        String value = target.fingerprint();
        fingerprints.put(connectionId, new Fingerprint(target, value));
        return value;
    }

    private static Connection connectDirect(JdbcTarget target) throws SQLException {
        Driver driver;
        try {
            driver = target.driver().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JDBC driver " + target.driver().getName() + " cannot be loaded", e);
        }
        Connection connection = driver.connect(target.url(), target.connectProperties());
        if (connection == null) {
            throw new SQLException("driver " + target.driver().getSimpleName() + " does not accept " + target.url());
        }
        return connection;
    }
}
