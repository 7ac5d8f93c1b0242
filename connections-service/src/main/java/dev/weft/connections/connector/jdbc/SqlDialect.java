package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** What differs between the SQL databases Weft speaks to: connecting, catalog queries, quoting, upserts, keyset predicates. */
public interface SqlDialect {

    /** The connection's JDBC URL, driver, properties and credentials. */
    JdbcTarget target(ConnectorContext context);

    /**
     * The connection's default schema (PostgreSQL) or database (MySQL): its tables are named bare
     * ({@code leads}), those of every other schema the credentials see {@code schema.table}.
     */
    String defaultSchema(ConnectorContext context);

    /**
     * A condition on the schema column of an information_schema query that keeps the schemas Weft
     * lists: every one but the server's own. Constant SQL, never request text.
     */
    String listedSchemas(String schemaColumn);

    /** Quotes an identifier, doubling any quote character inside it. */
    String quote(String identifier);

    default String qualify(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    /**
     * Every column of the tables and views of every {@link #listedSchemas listed schema}, by table
     * and in position order: one catalog query for all schemas, however many there are.
     */
    Map<TableRef, List<ColumnInfo>> loadColumns(Connection connection) throws SQLException;

    /**
     * {@code (c1, c2) > (?, ?)} over the quoted columns; {@code order} receives, per placeholder, the
     * index of the value to bind (an expanded form binds some values more than once).
     */
    String keysetAfter(List<String> quotedColumns, List<Integer> order);

    /**
     * The statement that inserts {@code columns} or, when a row with the same {@code key} exists,
     * updates the other columns (placeholders in {@code columns} order).
     */
    String upsert(String table, List<String> quotedColumns, List<String> quotedKey);

    /**
     * {@link #upsert} of {@code rows} records in one statement (placeholders row after row), returning one boolean row
     * per record in their order, true when it inserted and false when it updated; or null when this database cannot
     * tell (the write then reports neither).
     */
    default String upsertTellingInserts(String table, List<String> quotedColumns, List<String> quotedKey, int rows) {
        return null;
    }

    /**
     * Whether a write tells an upsert's inserts from its updates by looking the records' keys up just before it, in the
     * same transaction: for a database whose upsert cannot say which it did, and has no {@link #upsertTellingInserts}.
     */
    default boolean tellsUpsertsByLookup() {
        return false;
    }

    /** The left side of a LIKE for this column (PostgreSQL casts non-text columns to text). */
    default String likeOperand(String quotedColumn, ColumnInfo column) {
        return quotedColumn;
    }

    /** Binds a value converted by {@link JdbcValues#toJdbc} (null included). */
    void bind(PreparedStatement statement, int index, Object value, ColumnInfo column) throws SQLException;

    /** Reads a column of the current row as a JSON-compatible value. */
    default Object read(ResultSet rows, int index, ColumnInfo column) throws SQLException {
        return JdbcValues.read(rows, index, column);
    }

    /**
     * Inserts {@code rows} (values converted by {@link JdbcValues#toJdbc}, in {@code columns} order)
     * through the database's bulk-load path, inside the caller's transaction. Returns false, having
     * sent nothing, when the dialect has no such path or it cannot carry this table or one of these
     * values; the caller then runs a batched INSERT. An SQLException means the load failed as a whole.
     */
    default boolean bulkInsert(Connection connection, String qualifiedTable, List<ColumnInfo> columns, List<Object[]> rows)
            throws SQLException {
        return false;
    }

    /**
     * The column type a created table gives a Weft field type ({@code string}, {@code integer}, {@code number},
     * {@code boolean}, {@code date}, {@code datetime}, {@code object}, {@code array}); {@code key} when the column is
     * part of the primary key (MySQL cannot index unbounded text).
     */
    default String columnType(String fieldType, boolean key) {
        throw new UnsupportedOperationException("this dialect does not create tables");
    }

    /** Creates a schema (a database, on MySQL) unless it exists. */
    default String createSchema(String quotedSchema) {
        return "CREATE SCHEMA IF NOT EXISTS " + quotedSchema;
    }

    /** Whether the driver streams rows only inside a transaction (PostgreSQL's fetch size needs autocommit off). */
    default boolean streamsInTransaction() {
        return false;
    }
}
