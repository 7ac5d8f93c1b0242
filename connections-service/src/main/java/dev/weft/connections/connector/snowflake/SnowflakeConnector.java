package dev.weft.connections.connector.snowflake;

import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.CountSpec;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.JdbcCursor;
import dev.weft.connections.connector.jdbc.JdbcCursor.Phase;
import dev.weft.connections.connector.jdbc.JdbcFilterRenderer;
import dev.weft.connections.connector.jdbc.JdbcFilterRenderer.BoundValue;
import dev.weft.connections.connector.jdbc.JdbcValues;
import dev.weft.connections.connector.jdbc.Rows;
import dev.weft.connections.connector.jdbc.TableCatalog;
import dev.weft.connections.connector.jdbc.TableInfo;
import dev.weft.connections.connector.jdbc.TableRef;
import dev.weft.connections.connector.snowflake.SnowflakeApi.Binding;
import dev.weft.connections.connector.snowflake.SnowflakeApi.Result;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Snowflake through its SQL API v2 with key-pair (JWT) authentication: the tables and views of the configured
 * database (the configured schema's named bare, others {@code schema.table}), described from INFORMATION_SCHEMA and
 * SHOW PRIMARY KEYS; queries and incremental reads as SELECTs with bound filters and keyset paging; writes as bound
 * multi-row INSERTs, or MERGE by key for upserts and updates, in batches; tables created on demand for syncs.
 * Operator settings: {@code base-url} (a stub or private-link URL instead of {@code https://<account>.snowflakecomputing.com})
 * and {@code private-key.<id>} (PEM keys named by connections).
 */
@ApplicationScoped
public class SnowflakeConnector implements Connector {
    static final String PROVIDER = "snowflake";
    static final Duration SCHEMA_TTL = Duration.ofSeconds(60);
    static final int DEFAULT_LIMIT = 100;
    static final int DEFAULT_BATCH = 1000;
    /** A name Snowflake would store upper-cased if written unquoted: created objects follow that convention. */
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,254}");

    /** Every column of every table and view of the database (its INFORMATION_SCHEMA), with the table's type. */
    static final String COLUMNS_SQL = "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.NUMERIC_SCALE, c.IS_NULLABLE,"
            + " c.IS_IDENTITY, t.TABLE_TYPE FROM INFORMATION_SCHEMA.COLUMNS c JOIN INFORMATION_SCHEMA.TABLES t"
            + " ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME"
            + " WHERE c.TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION";
    /** INFORMATION_SCHEMA has no key columns; SHOW lists them (schema_name, table_name, column_name, key_sequence). */
    static final String KEYS_SQL = "SHOW PRIMARY KEYS IN DATABASE";

    private final SnowflakeJwt jwt;
    private final SnowflakeApi api;
    private final Map<String, Catalog> catalogs = new ConcurrentHashMap<>();

    public SnowflakeConnector() {
        this(Clock.systemUTC());
    }

    SnowflakeConnector(Clock clock) {
        this.jwt = new SnowflakeJwt(clock);
        this.api = new SnowflakeApi(jwt);
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    static String account(ConnectorContext context) {
        return context.configString("account").filter(s -> !s.isBlank())
                .orElseThrow(() -> ConnectorException.invalid("config.account", "required", "config.account is required"));
    }

    static String database(ConnectorContext context) {
        return snowflakeName(context.configString("database").filter(s -> !s.isBlank())
                .orElseThrow(() -> ConnectorException.invalid("config.database", "required", "config.database is required")));
    }

    /** The configured schema as Snowflake spells it (the SQL API matches names exactly): {@code public} is {@code PUBLIC}. */
    static String defaultSchema(ConnectorContext context) {
        return snowflakeName(context.configString("schema").filter(s -> !s.isBlank()).orElse("PUBLIC"));
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> api.execute(context, "SELECT 1", List.of()));
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        return catalog(context, false).tables().tables().stream().map(TableInfo::schema).toList();
    }

    @Override
    public String describedName(ConnectorContext context, String object) {
        return catalog(context, false).tables().find(object).map(TableInfo::objectName).orElse(object);
    }

    @Override
    public void release(String connectionId) {
        catalogs.remove(connectionId);
        jwt.release(connectionId);
    }

    // ---------------------------------------------------------------- query and read

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        TableInfo table = table(context, query.object());
        List<ColumnInfo> wanted = table.requireAll(query.fields(), "fields");
        List<ColumnInfo> key = table.primaryKeyColumns();
        int limit = query.limit() > 0 ? query.limit() : DEFAULT_LIMIT;
        JdbcCursor cursor = JdbcCursor.decode(query.cursor());
        JdbcFilterRenderer.Rendered filter = JdbcFilterRenderer.render(query.filter(), table, SnowflakeDialect.INSTANCE);
        List<String> conditions = new ArrayList<>();
        List<BoundValue> parameters = new ArrayList<>(filter.parameters());
        if (filter.sql() != null) {
            conditions.add(filter.sql());
        }
        long offset = 0;
        List<ColumnInfo> order;
        if (!key.isEmpty()) {
            if (cursor != null) {
                cursor.forKey(key.size());
                conditions.add(Rows.keysetAfter(SnowflakeDialect.INSTANCE, key, cursor.key(), parameters));
            }
            order = key;
        } else {
            offset = cursor == null ? 0 : cursor.forOffset().offset();
            order = table.columns().stream().filter(c -> c.kind().orderable()).toList();
        }
        List<ColumnInfo> selected = Rows.union(wanted, key);
        List<Map<String, Object>> rows = select(context, table, selected, conditions, parameters, order, limit + 1, offset);
        boolean hasMore = rows.size() > limit;
        List<Map<String, Object>> page = hasMore ? rows.subList(0, limit) : rows;
        String next = null;
        if (hasMore) {
            next = key.isEmpty() ? new JdbcCursor(Phase.OFFSET, null, null, offset + limit).encode()
                    : new JdbcCursor(Phase.KEY, null, Rows.values(page.getLast(), key), 0).encode();
        }
        return new RecordPage(Rows.project(page, wanted), next, hasMore);
    }

    /** Any integer, number, date or timestamp column: reads by (it, key) as by the default cursor field. */
    @Override
    public boolean readsBy(ObjectSchema object, FieldSchema field) {
        return TableInfo.readableBy(field);
    }

    /**
     * Changed records oldest first: by (cursor field, key) when the table has both, rows whose cursor field is null
     * first (once), as the JDBC connectors read; by key alone without a cursor field; by offset without either.
     */
    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        TableInfo table = table(context, read.object());
        List<ColumnInfo> wanted = table.requireAll(read.fields(), "fields");
        List<ColumnInfo> key = table.primaryKeyColumns();
        ColumnInfo cursorField = table.cursorColumn(read.schema());
        int batch = read.batchSize() > 0 ? read.batchSize() : DEFAULT_BATCH;
        JdbcCursor state = JdbcCursor.decode(read.cursor());
        List<ColumnInfo> selected = Rows.union(Rows.union(wanted, key), cursorField == null ? List.of() : List.of(cursorField));
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean hasMore = false;
        if (cursorField != null && !key.isEmpty()) {
            if (state == null) {
                state = JdbcCursor.start(cursorField.nullable() ? Phase.NULLS : Phase.VALUES);
            }
            state.forCursorFieldAndKey(key.size());
            List<ColumnInfo> valueOrder = Rows.union(List.of(cursorField), key);
            String quotedCursor = SnowflakeDialect.INSTANCE.quote(cursorField.name());
            while (rows.size() < batch) {
                int need = batch - rows.size();
                List<String> conditions = new ArrayList<>();
                List<BoundValue> parameters = new ArrayList<>();
                List<Map<String, Object>> fetched;
                if (state.phase() == Phase.NULLS) {
                    conditions.add(quotedCursor + " IS NULL");
                    if (state.key() != null) {
                        conditions.add(Rows.keysetAfter(SnowflakeDialect.INSTANCE, key, state.key(), parameters));
                    }
                    fetched = select(context, table, selected, conditions, parameters, key, need + 1, 0);
                } else {
                    conditions.add(quotedCursor + " IS NOT NULL");
                    if (state.cursorValue() != null && state.key() != null) {
                        conditions.add(Rows.positionAfter(SnowflakeDialect.INSTANCE, cursorField, key, state.cursorValue(), state.key(), parameters));
                    }
                    fetched = select(context, table, selected, conditions, parameters, valueOrder, need + 1, 0);
                }
                List<Map<String, Object>> taken = fetched.subList(0, Math.min(need, fetched.size()));
                rows.addAll(taken);
                if (!taken.isEmpty()) {
                    Map<String, Object> last = taken.getLast();
                    state = state.phase() == Phase.NULLS ? new JdbcCursor(Phase.NULLS, null, Rows.values(last, key), 0)
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
                hasMore = rows.size() >= batch;
            }
        } else if (!key.isEmpty()) {
            List<String> conditions = new ArrayList<>();
            List<BoundValue> parameters = new ArrayList<>();
            if (state != null) {
                state.forKey(key.size());
                conditions.add(Rows.keysetAfter(SnowflakeDialect.INSTANCE, key, state.key(), parameters));
            }
            List<Map<String, Object>> fetched = select(context, table, selected, conditions, parameters, key, batch + 1, 0);
            hasMore = fetched.size() > batch;
            rows = hasMore ? fetched.subList(0, batch) : fetched;
            if (!rows.isEmpty()) {
                state = new JdbcCursor(Phase.KEY, null, Rows.values(rows.getLast(), key), 0);
            } else if (state == null) {
                state = JdbcCursor.start(Phase.KEY);
            }
        } else {
            long offset = state == null ? 0 : state.forOffset().offset();
            List<ColumnInfo> order = selected.stream().filter(c -> c.kind().orderable()).toList();
            List<Map<String, Object>> fetched = select(context, table, selected, List.of(), List.of(), order, batch + 1, offset);
            hasMore = fetched.size() > batch;
            rows = hasMore ? fetched.subList(0, batch) : fetched;
            state = new JdbcCursor(Phase.OFFSET, null, null, offset + rows.size());
        }
        String next = rows.isEmpty() && read.cursor() != null ? read.cursor() : state.encode();
        return new RecordPage(Rows.project(rows, wanted), next, hasMore);
    }

    @Override
    public OptionalLong count(ConnectorContext context, CountSpec count) {
        TableInfo table = table(context, count.object());
        JdbcFilterRenderer.Rendered filter = JdbcFilterRenderer.render(count.filter(), table, SnowflakeDialect.INSTANCE);
        List<String> conditions = new ArrayList<>();
        List<BoundValue> parameters = new ArrayList<>(filter.parameters());
        if (filter.sql() != null) {
            conditions.add(filter.sql());
        }
        if (count.cursorField() != null && count.cursor() != null) {
            ColumnInfo column = table.require(count.cursorField(), "cursor_field");
            conditions.add(SnowflakeDialect.INSTANCE.quote(column.name()) + " > ?");
            parameters.add(new BoundValue(converted(count.cursor(), column, "cursor"), column));
        }
        // After a read's cursor: what the reads from there would still return. Without a key this connector reads by
        // offset, even with a cursor field.
        List<ColumnInfo> key = table.primaryKeyColumns();
        long skip = count.afterRead() == null ? 0 : Rows.remainingAfter(SnowflakeDialect.INSTANCE, count.afterRead(),
                key.isEmpty() ? null : table.cursorColumn(count.schema()), key, conditions, parameters);
        String sql = "SELECT COUNT(*) FROM " + qualified(table) + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions));
        Result result = api.execute(context, sql, bindings(parameters));
        String value = result.rows().isEmpty() ? null : result.rows().getFirst().getFirst();
        return value == null ? OptionalLong.empty() : OptionalLong.of(Math.max(0, Long.parseLong(value) - skip));
    }

    // ---------------------------------------------------------------- write and create

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        if (write.mode() == null) {
            throw ConnectorException.invalid("mode", "required", "write needs a mode: insert, update, upsert or delete");
        }
        TableInfo table = table(context, write.object());
        if (table.view()) {
            throw ConnectorException.invalid("object", "writable", write.object() + " is a view; Weft writes to tables only");
        }
        return new SnowflakeWriter(api, context, table, qualified(table), write.writeId()).write(write.mode(), write.key(), write.records());
    }

    /**
     * Creates the table (and its schema) when missing. Names Snowflake would upper-case unquoted are created upper
     * case ({@code raw.contacts} becomes {@code RAW.CONTACTS}, {@code email_address} {@code EMAIL_ADDRESS}), so the
     * table reads the same from SQL written by hand; the primary key is declared (Snowflake records, not enforces, it).
     */
    @Override
    public EnsuredObject ensureObject(ConnectorContext context, ObjectSchema wanted) {
        Optional<TableInfo> existing = catalog(context, true).tables().find(wanted.name());
        if (existing.isPresent()) {
            return new EnsuredObject(existing.get().schema(), false);
        }
        TableRef ref = TableRef.toCreate(wanted.name(), defaultSchema(context));
        String schema = snowflakeName(ref.schema());
        String table = snowflakeName(ref.table());
        SnowflakeDialect dialect = SnowflakeDialect.INSTANCE;
        List<String> definitions = new ArrayList<>();
        for (FieldSchema field : wanted.fields()) {
            boolean key = wanted.primaryKey().stream().anyMatch(k -> k.equalsIgnoreCase(field.name()));
            definitions.add(dialect.quote(snowflakeName(field.name())) + " " + columnType(field.type()) + (key ? " NOT NULL" : ""));
        }
        if (!wanted.primaryKey().isEmpty()) {
            definitions.add("PRIMARY KEY (" + wanted.primaryKey().stream().map(k -> dialect.quote(snowflakeName(k))).collect(Collectors.joining(", ")) + ")");
        }
        if (!schema.equals(defaultSchema(context))) {
            api.execute(context, "CREATE SCHEMA IF NOT EXISTS " + dialect.quote(schema), List.of());
        }
        api.execute(context, "CREATE TABLE IF NOT EXISTS " + dialect.qualify(schema, table) + " (" + String.join(", ", definitions) + ")", List.of());
        TableInfo created = catalog(context, true).tables().find(wanted.name()).orElseThrow(() -> ConnectorException.upstream(
                "snowflake created " + schema + "." + table + " but does not describe it", 200));
        return new EnsuredObject(created.schema(), true);
    }

    static String columnType(String fieldType) {
        return switch (fieldType) {
            case "integer" -> "NUMBER(38,0)";
            case "number" -> "NUMBER(38,9)";
            case "boolean" -> "BOOLEAN";
            case "date" -> "DATE";
            case "datetime" -> "TIMESTAMP_TZ";
            case "object" -> "VARIANT";
            case "array" -> "ARRAY";
            default -> "VARCHAR";
        };
    }

    private static String snowflakeName(String name) {
        return PLAIN_IDENTIFIER.matcher(name).matches() ? name.toUpperCase(Locale.ROOT) : name;
    }

    // ---------------------------------------------------------------- SQL helpers

    private List<Map<String, Object>> select(ConnectorContext context, TableInfo table, List<ColumnInfo> selected, List<String> conditions,
                                             List<BoundValue> parameters, List<ColumnInfo> order, int limit, long offset) {
        SnowflakeDialect dialect = SnowflakeDialect.INSTANCE;
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(selected.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", ")))
                .append(" FROM ").append(qualified(table));
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
        if (!order.isEmpty()) {
            sql.append(" ORDER BY ").append(order.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", ")));
        }
        // integers computed here, never request text
        sql.append(" LIMIT ").append(limit);
        if (offset > 0) {
            sql.append(" OFFSET ").append(offset);
        }
        Result result = api.execute(context, sql.toString(), bindings(parameters));
        List<Map<String, Object>> rows = new ArrayList<>(result.rows().size());
        for (List<String> row : result.rows()) {
            Map<String, Object> record = new LinkedHashMap<>();
            for (int i = 0; i < selected.size() && i < row.size(); i++) {
                record.put(selected.get(i).name(), SnowflakeValues.read(row.get(i), result.columns().get(i)));
            }
            rows.add(record);
        }
        return rows;
    }

    static List<Binding> bindings(List<BoundValue> parameters) {
        List<Binding> bindings = new ArrayList<>(parameters.size());
        for (BoundValue parameter : parameters) {
            bindings.add(SnowflakeValues.binding(parameter.value(), parameter.column()));
        }
        return bindings;
    }

    private static Object converted(Object value, ColumnInfo column, String field) {
        try {
            return JdbcValues.toJdbc(value, column);
        } catch (IllegalArgumentException e) {
            throw ConnectorException.invalid(field, "type", field + ": " + e.getMessage());
        }
    }

    private static String qualified(TableInfo table) {
        return SnowflakeDialect.INSTANCE.qualify(table.schemaName(), table.name());
    }

    // ---------------------------------------------------------------- catalog

    private TableInfo table(ConnectorContext context, String object) {
        return TableCatalog.require(reload -> catalog(context, reload).tables(), object);
    }

    /** The database's tables and columns, for {@link #SCHEMA_TTL} and only for the database and schema read with. */
    private Catalog catalog(ConnectorContext context, boolean reload) {
        String identity = account(context) + "|" + database(context) + "|" + defaultSchema(context);
        Catalog cached = catalogs.get(context.connectionId());
        if (!reload && cached != null && cached.identity().equals(identity) && System.nanoTime() - cached.loadedNanos() < SCHEMA_TTL.toNanos()) {
            return cached;
        }
        Catalog loaded = new Catalog(identity, System.nanoTime(), new TableCatalog(defaultSchema(context), loadTables(context)));
        catalogs.put(context.connectionId(), loaded);
        return loaded;
    }

    /** Two statements for the whole database, however many schemas: the columns (with table types) and the primary keys. */
    private List<TableInfo> loadTables(ConnectorContext context) {
        String defaultSchema = defaultSchema(context);
        Result columns = api.execute(context, COLUMNS_SQL, List.of());
        Map<TableRef, List<ColumnInfo>> byTable = new LinkedHashMap<>();
        Map<TableRef, Boolean> views = new HashMap<>();
        for (List<String> row : columns.rows()) {
            TableRef ref = new TableRef(row.get(0), row.get(1));
            String dataType = row.get(3);
            int scale = row.get(4) == null ? 0 : Integer.parseInt(row.get(4));
            byTable.computeIfAbsent(ref, r -> new ArrayList<>()).add(new ColumnInfo(ref.table(), row.get(2), SnowflakeValues.kind(dataType, scale),
                    dataType.toLowerCase(Locale.ROOT), "YES".equalsIgnoreCase(row.get(5)), false, "YES".equalsIgnoreCase(row.get(6)), null));
            views.put(ref, !"BASE TABLE".equalsIgnoreCase(row.get(7)));
        }
        Result keys = api.execute(context, KEYS_SQL, List.of());
        int schemaIndex = keys.index("schema_name");
        int tableIndex = keys.index("table_name");
        int columnIndex = keys.index("column_name");
        int sequenceIndex = keys.index("key_sequence");
        Map<TableRef, List<String[]>> keyColumns = new HashMap<>();
        for (List<String> row : keys.rows()) {
            keyColumns.computeIfAbsent(new TableRef(row.get(schemaIndex), row.get(tableIndex)), r -> new ArrayList<>())
                    .add(new String[]{row.get(sequenceIndex), row.get(columnIndex)});
        }
        List<TableInfo> tables = new ArrayList<>();
        byTable.keySet().stream().sorted(TableRef.defaultSchemaFirst(defaultSchema)).forEach(ref -> {
            List<String> key = keyColumns.getOrDefault(ref, List.of()).stream()
                    .sorted(Comparator.comparingInt((String[] k) -> Integer.parseInt(k[0]))).map(k -> k[1]).toList();
            List<ColumnInfo> tableColumns = byTable.get(ref);
            tables.add(new TableInfo(ref.schema(), ref.table(), views.get(ref), tableColumns, key, TableInfo.guessCursorField(tableColumns),
                    ref.objectName(defaultSchema)));
        });
        return tables;
    }

    /** The tables of one account, database and schema (the identity), as loaded at {@code loadedNanos}. */
    private record Catalog(String identity, long loadedNanos, TableCatalog tables) {
    }
}
