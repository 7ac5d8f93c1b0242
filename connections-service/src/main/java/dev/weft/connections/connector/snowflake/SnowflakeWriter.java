package dev.weft.connections.connector.snowflake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteResult.RecordResult;
import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.JdbcValues;
import dev.weft.connections.connector.jdbc.TableInfo;
import dev.weft.connections.connector.snowflake.SnowflakeApi.Binding;
import io.quarkus.logging.Log;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a batch to one Snowflake table in as few statements as the SQL API allows: records sharing a field set go
 * together, as one bound multi-row {@code INSERT ... VALUES (?, ?), (?, ?)} (through {@code SELECT ... FROM VALUES}
 * when a column is semi-structured, since VALUES takes no PARSE_JSON), or one {@code MERGE} on the key for upsert and
 * update; deletes are one {@code DELETE ... USING}. Update and delete first read which keys exist, so a record whose
 * key matches no row fails on its own. Within one batch the last record of a key wins (a MERGE source may not hold a
 * key twice). When a statement is refused (422: a value the column cannot take), its records are written one by one so
 * each gets its own result and the good ones still land.
 *
 * <p>A write with an id ({@code write_id}: a sync's batch) sends each of its statements under a request id derived from
 * the write's id, the table, the statement's place in the write and the statement itself, with {@code retry=true}. The
 * same batch sent again (a run resumed after a kill, a write whose answer was lost) makes the same statements in the same
 * order under the same ids, and Snowflake answers those it already ran with their first result instead of running them
 * again: a replayed {@code insert} adds no rows twice, as the SQL databases' write ledger ensures for them. Other records
 * under the same id make other statements, which run.
 */
final class SnowflakeWriter {
    /** Snowflake caps a statement's bind variables; a statement carries at most this many values and rows. */
    static final int MAX_BINDINGS = 16_000;
    static final int MAX_ROWS = 1_000;

    private final SnowflakeApi api;
    private final ConnectorContext context;
    private final TableInfo table;
    private final String qualifiedTable;
    private final SnowflakeDialect dialect = SnowflakeDialect.INSTANCE;

    /** The write's id, or null: then each statement goes under a new request id. */
    private final String writeId;
    /** Statements sent so far: the next one's place in the write. */
    private int statements;

    SnowflakeWriter(SnowflakeApi api, ConnectorContext context, TableInfo table, String qualifiedTable, String writeId) {
        this.api = api;
        this.context = context;
        this.table = table;
        this.qualifiedTable = qualifiedTable;
        this.writeId = writeId;
    }

    /** The next statement's replay key (the connection, table, write id and its place in the write), or null without a write id. */
    private String nextReplayKey() {
        int place = statements++;
        return writeId == null ? null : context.connectionId() + "\u0000" + table.objectName() + "\u0000" + writeId + "\u0000" + place;
    }

    /** A record converted for its columns: position, reported id and values in column order. */
    private record Row(int index, String id, Object[] values) {
    }

    /** What an upsert's MERGEs reported inserting and updating, summed; {@code mergesTold} false once one did not report both. */
    private long mergedInserted;
    private long mergedUpdated;
    private boolean mergesTold = true;

    WriteResult write(WriteMode mode, List<String> requestedKey, List<Map<String, Object>> records) {
        List<ColumnInfo> key = requestedKey == null || requestedKey.isEmpty() ? table.primaryKeyColumns()
                : requestedKey.stream().map(k -> table.require(k, "key")).toList();
        if (mode != WriteMode.INSERT && key.isEmpty()) {
            throw ConnectorException.invalid("key", "required", table.objectName() + " has no primary key; name the key fields for " + mode.json());
        }
        RecordResult[] results = new RecordResult[records.size()];
        // records grouped by their field set (in first-seen order), each converted once
        Map<Set<String>, List<ColumnInfo>> shapes = new HashMap<>();
        Map<List<ColumnInfo>, List<Row>> groups = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> record = records.get(i);
            try {
                List<ColumnInfo> columns = shapes.computeIfAbsent(new HashSet<>(record.keySet()), names -> shape(mode, key, record.keySet()));
                Object[] values = new Object[columns.size()];
                for (int c = 0; c < columns.size(); c++) {
                    values[c] = JdbcValues.toJdbc(record.get(columns.get(c).name()), columns.get(c));
                }
                String id = id(columns, key, values);
                if (mode != WriteMode.INSERT && id == null) {
                    throw new IllegalArgumentException("record needs a value for every key field: "
                            + key.stream().map(ColumnInfo::name).collect(Collectors.joining(", ")));
                }
                groups.computeIfAbsent(columns, c -> new ArrayList<>()).add(new Row(i, id, values));
            } catch (IllegalArgumentException e) {
                results[i] = RecordResult.failed(i, e.getMessage());
            }
        }
        for (Map.Entry<List<ColumnInfo>, List<Row>> group : groups.entrySet()) {
            List<ColumnInfo> columns = group.getKey();
            List<Row> rows = mode == WriteMode.INSERT ? group.getValue() : lastPerKey(group.getValue(), results);
            int perStatement = Math.max(1, Math.min(MAX_ROWS, MAX_BINDINGS / Math.max(1, columns.size())));
            for (int from = 0; from < rows.size(); from += perStatement) {
                List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + perStatement));
                try {
                    run(mode, columns, key, chunk, results);
                } catch (ConnectorException refused) {
                    if (refused.kind() != ConnectorException.Kind.UPSTREAM || refused.upstreamStatus() != 422 || chunk.size() == 1) {
                        if (chunk.size() == 1 && refused.upstreamStatus() == 422) {
                            results[chunk.getFirst().index()] = RecordResult.failed(chunk.getFirst().index(), refused.getMessage());
                            continue;
                        }
                        throw refused;
                    }
                    Log.infof("event=snowflake_write_batch_failed table=%s records=%d action=retry_each error=%s",
                            table.objectName(), chunk.size(), refused.getMessage());
                    for (Row row : chunk) {
                        try {
                            run(mode, columns, key, List.of(row), results);
                        } catch (ConnectorException one) {
                            if (one.kind() != ConnectorException.Kind.UPSTREAM || one.upstreamStatus() != 422) {
                                throw one;
                            }
                            results[row.index()] = RecordResult.failed(row.index(), one.getMessage());
                        }
                    }
                }
            }
        }
        // A MERGE says how many rows it inserted and updated, not which: the totals, when every MERGE said them.
        boolean totals = mode == WriteMode.UPSERT && mergesTold && !groups.isEmpty();
        return new WriteResult(List.of(results), totals ? mergedInserted : null, totals ? mergedUpdated : null);
    }

    /** The columns a record with these fields writes: its fields for insert, upsert and update (key included), the key for delete. */
    private List<ColumnInfo> shape(WriteMode mode, List<ColumnInfo> key, Set<String> fields) {
        if (mode == WriteMode.DELETE) {
            return key;
        }
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("record has no fields to write");
        }
        LinkedHashSet<ColumnInfo> columns = new LinkedHashSet<>();
        if (mode != WriteMode.INSERT) {
            columns.addAll(key);
        }
        for (String field : fields) {
            columns.add(table.require(field, "records"));
        }
        return List.copyOf(columns);
    }

    /** For keyed modes, one row per key: the last; the earlier ones succeed as overwritten within the batch. */
    private static List<Row> lastPerKey(List<Row> rows, RecordResult[] results) {
        Map<String, Row> last = new LinkedHashMap<>();
        for (Row row : rows) {
            Row previous = last.remove(row.id());
            if (previous != null) {
                results[previous.index()] = RecordResult.ok(previous.index(), previous.id());
            }
            last.put(row.id(), row);
        }
        return new ArrayList<>(last.values());
    }

    private void run(WriteMode mode, List<ColumnInfo> columns, List<ColumnInfo> key, List<Row> rows, RecordResult[] results) {
        List<Row> applied = rows;
        if (mode == WriteMode.UPDATE || mode == WriteMode.DELETE) {
            Set<String> existing = existingKeys(columns, key, rows);
            applied = new ArrayList<>();
            for (Row row : rows) {
                if (existing.contains(row.id())) {
                    applied.add(row);
                } else {
                    results[row.index()] = RecordResult.notFound(row.index(), "no record of " + table.objectName() + " has key " + row.id());
                }
            }
            if (applied.isEmpty()) {
                return;
            }
        }
        if (mode == WriteMode.UPDATE && key.containsAll(columns)) {
            applied.forEach(row -> results[row.index()] = RecordResult.ok(row.index(), row.id())); // nothing but the key to set
            return;
        }
        List<Binding> bindings = new ArrayList<>(applied.size() * columns.size());
        for (Row row : applied) {
            for (int c = 0; c < columns.size(); c++) {
                bindings.add(SnowflakeValues.binding(row.values()[c], columns.get(c)));
            }
        }
        SnowflakeApi.Result done = api.execute(context, statement(mode, columns, key, applied.size()), bindings, nextReplayKey());
        if (mode == WriteMode.UPSERT) {
            JsonNode stats = done == null ? null : done.stats();
            if (stats == null || !stats.has("numRowsInserted") || !stats.has("numRowsUpdated")) {
                mergesTold = false;
            } else {
                mergedInserted += stats.path("numRowsInserted").asLong();
                mergedUpdated += stats.path("numRowsUpdated").asLong();
            }
        }
        // An insert creates, an update changes; a MERGE's upsert does not say per record which it did.
        Boolean created = mode == WriteMode.INSERT ? Boolean.TRUE : mode == WriteMode.UPDATE ? Boolean.FALSE : null;
        for (Row row : applied) {
            results[row.index()] = RecordResult.ok(row.index(), row.id(), created);
        }
    }

    private String statement(WriteMode mode, List<ColumnInfo> columns, List<ColumnInfo> key, int rows) {
        String names = columns.stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", "));
        String row = "(" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        String values = "VALUES " + String.join(", ", java.util.Collections.nCopies(rows, row));
        boolean semiStructured = columns.stream().anyMatch(SnowflakeValues::semiStructured);
        if (mode == WriteMode.INSERT && !semiStructured) {
            return "INSERT INTO " + qualifiedTable + " (" + names + ") " + values;
        }
        // VALUES' columns are COLUMN1, COLUMN2, ...: the source names them as the table does
        List<String> sourceColumns = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            String value = "COLUMN" + (c + 1);
            sourceColumns.add((SnowflakeValues.semiStructured(columns.get(c)) ? "PARSE_JSON(" + value + ")" : value)
                    + " AS " + dialect.quote(columns.get(c).name()));
        }
        String source = "SELECT " + String.join(", ", sourceColumns) + " FROM (" + values + ")";
        if (mode == WriteMode.INSERT) {
            return "INSERT INTO " + qualifiedTable + " (" + names + ") " + source;
        }
        String on = key.stream().map(k -> "t." + dialect.quote(k.name()) + " = s." + dialect.quote(k.name())).collect(Collectors.joining(" AND "));
        if (mode == WriteMode.DELETE) {
            return "DELETE FROM " + qualifiedTable + " t USING (" + source + ") s WHERE " + on;
        }
        List<ColumnInfo> updated = columns.stream().filter(c -> !key.contains(c)).toList();
        StringBuilder merge = new StringBuilder("MERGE INTO ").append(qualifiedTable).append(" t USING (").append(source).append(") s ON ").append(on);
        if (!updated.isEmpty()) {
            merge.append(" WHEN MATCHED THEN UPDATE SET ")
                    .append(updated.stream().map(c -> "t." + dialect.quote(c.name()) + " = s." + dialect.quote(c.name())).collect(Collectors.joining(", ")));
        }
        if (mode == WriteMode.UPSERT) {
            merge.append(" WHEN NOT MATCHED THEN INSERT (").append(names).append(") VALUES (")
                    .append(columns.stream().map(c -> "s." + dialect.quote(c.name())).collect(Collectors.joining(", "))).append(")");
        }
        return merge.toString();
    }

    /** The ids (key values joined by commas) of those rows whose key is in the table. */
    private Set<String> existingKeys(List<ColumnInfo> columns, List<ColumnInfo> key, List<Row> rows) {
        List<Binding> bindings = new ArrayList<>();
        List<String> alternatives = new ArrayList<>();
        for (Row row : rows) {
            List<String> terms = new ArrayList<>();
            for (ColumnInfo k : key) {
                terms.add(dialect.quote(k.name()) + " = ?");
                bindings.add(SnowflakeValues.binding(row.values()[columns.indexOf(k)], k));
            }
            alternatives.add("(" + String.join(" AND ", terms) + ")");
        }
        String sql = "SELECT " + key.stream().map(k -> dialect.quote(k.name())).collect(Collectors.joining(", ")) + " FROM " + qualifiedTable
                + " WHERE " + String.join(" OR ", alternatives);
        // Under the write's ids too: a replay then sees the keys the first write saw, and so sends the same statements.
        SnowflakeApi.Result result = api.execute(context, sql, bindings, nextReplayKey());
        Set<String> ids = new HashSet<>();
        for (List<String> found : result.rows()) {
            Object[] values = new Object[key.size()];
            for (int i = 0; i < key.size(); i++) {
                values[i] = JdbcValues.toJdbc(SnowflakeValues.read(found.get(i), result.columns().get(i)), key.get(i));
            }
            ids.add(id(key, key, values));
        }
        return ids;
    }

    /** The key values joined by commas, or null when one is missing (or there is no key). */
    private static String id(List<ColumnInfo> columns, List<ColumnInfo> key, Object[] values) {
        if (key.isEmpty()) {
            return null;
        }
        StringBuilder id = new StringBuilder();
        for (ColumnInfo k : key) {
            int slot = columns.indexOf(k);
            Object value = slot < 0 ? null : values[slot];
            if (value == null) {
                return null;
            }
            if (!id.isEmpty()) {
                id.append(',');
            }
            id.append(value instanceof java.math.BigDecimal d ? d.stripTrailingZeros().toPlainString() : value.toString());
        }
        return id.toString();
    }
}
