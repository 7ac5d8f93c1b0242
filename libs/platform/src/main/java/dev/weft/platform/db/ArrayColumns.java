package dev.weft.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows to write in one statement, kept as columns and bound as PostgreSQL arrays, so a batch of any
 * size is one round trip and one plan: {@code INSERT ... SELECT ... FROM unnest(?::uuid[], ?::text[])}
 * or {@code UPDATE ... FROM unnest(...) AS v(...) WHERE t.id = v.id}. Declare the columns' SQL types
 * in the order the statement's array parameters take them, add rows, then {@link #bind}.
 */
public final class ArrayColumns {
    private final String[] types;
    private final List<List<Object>> columns = new ArrayList<>();
    private int rows;

    /** @param types each column's PostgreSQL element type as the JDBC driver names it: uuid, text, int4, bool, timestamptz, ... */
    public ArrayColumns(String... types) {
        this.types = types.clone();
        for (int i = 0; i < types.length; i++) {
            columns.add(new ArrayList<>());
        }
    }

    /** Adds one row: a value per column, in declaration order (null allowed). */
    public ArrayColumns add(Object... values) {
        if (values.length != types.length) {
            throw new IllegalArgumentException("expected " + types.length + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            columns.get(i).add(values[i]);
        }
        rows++;
        return this;
    }

    public int size() {
        return rows;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    /** The values of one column so far (e.g. the ids), in row order. */
    public List<Object> column(int index) {
        return List.copyOf(columns.get(index));
    }

    /**
     * Binds the columns as arrays to {@code statement}'s parameters from {@code firstIndex} on.
     *
     * @return the index of the next parameter
     */
    public int bind(Connection db, PreparedStatement statement, int firstIndex) throws SQLException {
        int index = firstIndex;
        for (int i = 0; i < types.length; i++) {
            statement.setArray(index++, db.createArrayOf(types[i], columns.get(i).toArray()));
        }
        return index;
    }
}
