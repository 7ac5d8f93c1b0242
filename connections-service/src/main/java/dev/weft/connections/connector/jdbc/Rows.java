package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.jdbc.JdbcFilterRenderer.BoundValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Column and row plumbing the SQL connectors (JDBC and Snowflake) share for selecting and paging. */
public final class Rows {
    private Rows() {
    }

    /** The columns of both lists, each once, in first-seen order. */
    public static List<ColumnInfo> union(List<ColumnInfo> first, List<ColumnInfo> second) {
        LinkedHashSet<ColumnInfo> all = new LinkedHashSet<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    /** Drops the key and cursor columns selected only for paging. */
    public static List<Map<String, Object>> project(List<Map<String, Object>> rows, List<ColumnInfo> wanted) {
        if (rows.isEmpty() || rows.getFirst().size() == wanted.size()) {
            return rows;
        }
        List<Map<String, Object>> projected = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> record = new LinkedHashMap<>();
            for (ColumnInfo column : wanted) {
                record.put(column.name(), row.get(column.name()));
            }
            projected.add(record);
        }
        return projected;
    }

    /** The row's values of {@code columns}, in order: a keyset cursor's key. */
    public static List<Object> values(Map<String, Object> row, List<ColumnInfo> columns) {
        List<Object> values = new ArrayList<>(columns.size());
        for (ColumnInfo column : columns) {
            values.add(row.get(column.name()));
        }
        return values;
    }

    /**
     * The "after this position" predicate of a read by (cursor field, key), its values bound into {@code parameters}: over
     * the cursor field, then the key's other columns. A key column that is the cursor field (a read by {@code id}, or by
     * the first column of a composite key) is compared once, as the cursor field.
     */
    public static String positionAfter(SqlDialect dialect, ColumnInfo cursorField, List<ColumnInfo> key, Object cursorValue,
                                       List<Object> keyValues, List<BoundValue> parameters) {
        List<ColumnInfo> order = union(List.of(cursorField), key);
        List<Object> after = new ArrayList<>(order.size());
        after.add(cursorValue);
        for (ColumnInfo column : order.subList(1, order.size())) {
            after.add(keyValues.get(key.indexOf(column)));
        }
        return keysetAfter(dialect, order, after, parameters);
    }

    /**
     * The dialect's "after this key" predicate over {@code columns}, its values (from a cursor) bound into
     * {@code parameters}; a value that does not fit its column is an invalid cursor.
     */
    public static String keysetAfter(SqlDialect dialect, List<ColumnInfo> columns, List<Object> after, List<BoundValue> parameters) {
        List<Integer> order = new ArrayList<>();
        String sql = dialect.keysetAfter(columns.stream().map(c -> dialect.quote(c.name())).toList(), order);
        for (int index : order) {
            ColumnInfo column = columns.get(index);
            parameters.add(new BoundValue(cursorValue(after.get(index), column), column));
        }
        return sql;
    }

    /** A cursor value as the column binds it; one that does not fit is an invalid cursor. */
    public static Object cursorValue(Object value, ColumnInfo column) {
        try {
            return JdbcValues.toJdbc(value, column);
        } catch (IllegalArgumentException e) {
            throw JdbcCursor.invalid();
        }
    }

    /**
     * What an incremental read after {@code readCursor} (a cursor the read answered) has still to return, for a count:
     * adds its conditions to {@code conditions} and {@code parameters} and answers the rows the count must then subtract.
     * A table is read as the SQL connectors read it: by cursor field and key, by cursor field alone, or by key, where
     * conditions say what is left; a table with neither is read by offset, so the count subtracts the offset. A cursor
     * that does not fit the table is invalid, as the read would find it.
     */
    public static long remainingAfter(SqlDialect dialect, String readCursor, ColumnInfo cursorField, List<ColumnInfo> key,
                                      List<String> conditions, List<BoundValue> parameters) {
        JdbcCursor cursor = JdbcCursor.decode(readCursor);
        if (cursorField == null && key.isEmpty()) {
            return cursor == null ? 0 : cursor.forOffset().offset();
        }
        if (cursor == null) {
            return 0;
        }
        if (cursorField == null) {
            conditions.add(keysetAfter(dialect, key, cursor.forKey(key.size()).key(), parameters));
            return 0;
        }
        String quoted = dialect.quote(cursorField.name());
        if (key.isEmpty()) {
            cursor.forCursorFieldAlone();
            conditions.add(quoted + " IS NOT NULL");
            if (cursor.cursorValue() != null) {
                conditions.add(quoted + " > ?");
                parameters.add(new BoundValue(cursorValue(cursor.cursorValue(), cursorField), cursorField));
            }
            return 0;
        }
        cursor.forCursorFieldAndKey(key.size());
        if (cursor.phase() == JdbcCursor.Phase.NULLS) {
            // Rows with no cursor value come first, by key; every row with one is still to come.
            if (cursor.key() != null) {
                conditions.add("((" + quoted + " IS NULL AND " + keysetAfter(dialect, key, cursor.key(), parameters) + ") OR " + quoted + " IS NOT NULL)");
            }
            return 0;
        }
        conditions.add(quoted + " IS NOT NULL");
        if (cursor.cursorValue() != null) {
            conditions.add(positionAfter(dialect, cursorField, key, cursor.cursorValue(), cursor.key(), parameters));
        }
        return 0;
    }
}
