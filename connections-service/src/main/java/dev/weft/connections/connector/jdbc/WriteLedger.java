package dev.weft.connections.connector.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteResult.RecordResult;
import io.quarkus.logging.Log;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes that happen once however often they are sent. A write carrying a {@code write_id} records it in a table of the
 * destination's own schema ({@value #TABLE}) in the same transaction as its rows, with its answer: when the same id comes
 * again (a sync run resumed after a kill between this commit and its checkpoint, or a write sent twice), nothing is
 * written and the first answer is given back. It is the offsets-in-the-sink pattern: the destination's own commit is
 * the only thing that decides whether a batch happened.
 *
 * <p>The table is created on first use, outside the write's transaction (MySQL's DDL commits whatever is open). Where it
 * cannot be created (no CREATE privilege on the schema), writes go on without it, once per replay as before, and the log
 * says so; a write {@link #RETRY_UNAVAILABLE} later tries again, so a privilege granted since takes effect without a
 * restart. Ids older than {@link #KEPT} are deleted now and then: an id only matters until the run that sent it has
 * checkpointed past it.
 */
final class WriteLedger {
    static final String TABLE = "_weft_writes";
    static final Duration KEPT = Duration.ofDays(7);
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    /** How long a schema whose ledger could not be made goes without one before a write tries to make it again. */
    static final Duration RETRY_UNAVAILABLE = Duration.ofMinutes(10);

    private final Clock clock;
    /** Per pool and schema: the ledger is there; until when it is taken as not makeable; when it was last purged. */
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> unavailableUntil = new ConcurrentHashMap<>();
    private final Map<String, Instant> purged = new ConcurrentHashMap<>();

    WriteLedger() {
        this(Clock.systemUTC());
    }

    WriteLedger(Clock clock) {
        this.clock = clock;
    }

    /**
     * What a recorded write answered: its refused records and, where the destination told, how many it created and
     * changed; and what it wrote to (the table, how many records), so an id sent again with another write is refused.
     */
    record Answer(String table, int total, List<Failure> failures, Long created, Long updated) {
        boolean sameWrite(String table, int records) {
            return table.equals(this.table) && records == total;
        }
    }

    record Failure(int index, String error, String code) {
    }

    /** Thrown in the write's transaction when another write with the same id committed first: this one rolls back whole. */
    static final class AlreadyWritten extends RuntimeException {
        AlreadyWritten() {
            super(null, null, false, false);
        }
    }

    /**
     * Whether the ledger of {@code schema} can be used, creating it when missing. {@code scope} names the pool (the
     * connection and its target), so a schema of one database is never taken for another's.
     */
    boolean usable(Connection connection, SqlDialect dialect, String scope, String schema) {
        String key = scope + "\u0000" + schema;
        if (ready.contains(key)) {
            return true;
        }
        Instant until = unavailableUntil.get(key);
        if (until != null && clock.instant().isBefore(until)) {
            return false;
        }
        boolean made;
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + dialect.qualify(schema, TABLE)
                    + " (write_id varchar(255) NOT NULL PRIMARY KEY, written_at timestamp NOT NULL, answer text NOT NULL)");
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            made = true;
        } catch (SQLException e) {
            // Two first writes at once (a run's writes in flight, another replica) both create it, and PostgreSQL's IF NOT
            // EXISTS does not cover that: the second fails on the catalog's unique index once the first commits. The
            // table is there all the same; only a ledger that is still missing means writes go on without it.
            made = exists(connection, dialect, schema);
            if (!made) {
                Log.warnf("event=write_ledger_unavailable schema=%s error=\"%s\" effect=\"writes with a write_id are not deduplicated here\" retry_in_s=%d",
                        schema, e.getMessage(), RETRY_UNAVAILABLE.toSeconds());
            }
        }
        if (made) {
            ready.add(key);
            if (unavailableUntil.remove(key) != null) {
                Log.infof("event=write_ledger_available schema=%s effect=\"writes with a write_id are deduplicated again\"", schema);
            }
        } else {
            unavailableUntil.put(key, clock.instant().plus(RETRY_UNAVAILABLE));
        }
        return made;
    }

    /** Whether the ledger table can be read, after a failed create (whose aborted transaction is rolled back first). */
    private static boolean exists(Connection connection, SqlDialect dialect, String schema) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            try (Statement probe = connection.createStatement()) {
                probe.executeQuery("SELECT write_id FROM " + dialect.qualify(schema, TABLE) + " WHERE 1 = 0").close();
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return true;
        } catch (SQLException notThere) {
            try {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
            } catch (SQLException ignored) {
                // the connection is broken: the write that follows fails on its own
            }
            return false;
        }
    }

    /**
     * The answer recorded for {@code writeId}, or null when no write with it committed. A ledger dropped since it was
     * made (someone cleaned the schema up) is made again, so writes do not fail for it.
     */
    Answer find(Connection connection, SqlDialect dialect, String scope, String schema, String writeId) throws SQLException {
        try {
            return select(connection, dialect, schema, writeId);
        } catch (SQLException e) {
            // 42P01 (PostgreSQL), 42S02 (MySQL): no such table.
            if (!"42P01".equals(e.getSQLState()) && !"42S02".equals(e.getSQLState())) {
                throw e;
            }
            ready.remove(scope + "\u0000" + schema);
            if (!usable(connection, dialect, scope, schema)) {
                throw e;
            }
            return select(connection, dialect, schema, writeId);
        }
    }

    private static Answer select(Connection connection, SqlDialect dialect, String schema, String writeId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT answer FROM " + dialect.qualify(schema, TABLE) + " WHERE write_id = ?")) {
            statement.setString(1, writeId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? parse(rows.getString(1)) : null;
            }
        }
    }

    /**
     * Records {@code writeId} with the write's answer, inside the write's transaction; {@link AlreadyWritten} when a write
     * with the same id committed meanwhile. Ids past {@link #KEPT} go at most once an hour per schema and scope.
     */
    void record(Connection connection, SqlDialect dialect, String scope, String schema, String tableName, String writeId, RecordResult[] results)
            throws SQLException {
        String table = dialect.qualify(schema, TABLE);
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + table + " (write_id, written_at, answer) VALUES (?, ?, ?)")) {
            statement.setString(1, writeId);
            statement.setTimestamp(2, Timestamp.from(clock.instant()));
            statement.setString(3, render(tableName, results));
            statement.executeUpdate();
        } catch (SQLException e) {
            // 23505 (PostgreSQL), 23000 (MySQL): the id's row is there, committed by a concurrent write of the same batch.
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                throw new AlreadyWritten();
            }
            throw e;
        }
        String key = scope + "\u0000" + schema;
        Instant now = clock.instant();
        Instant last = purged.get(key);
        if (last == null || last.plus(PURGE_EVERY).isBefore(now)) {
            purged.put(key, now);
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM " + table + " WHERE written_at < ?")) {
                statement.setTimestamp(1, Timestamp.from(now.minus(KEPT)));
                statement.executeUpdate();
            }
        }
    }

    /** The recorded answer as every record's result again: the refused ones as they were, the rest succeeded. */
    static WriteResult replay(Answer answer, List<Map<String, Object>> records, List<String> key) {
        Map<Integer, Failure> failed = new HashMap<>();
        for (Failure failure : answer.failures()) {
            failed.put(failure.index(), failure);
        }
        List<RecordResult> results = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Failure failure = failed.get(i);
            results.add(failure == null ? RecordResult.ok(i, RecordResult.idOf(key, records.get(i)))
                    : new RecordResult(i, false, null, failure.error(), null, failure.code()));
        }
        return new WriteResult(results, answer.created(), answer.updated(), true);
    }

    private static String render(String tableName, RecordResult[] results) {
        List<Failure> failures = new ArrayList<>();
        WriteResult told = new WriteResult(List.of(results));
        for (RecordResult result : results) {
            if (!result.success()) {
                failures.add(new Failure(result.index(), result.error(), result.code()));
            }
        }
        try {
            return JdbcValues.JSON.writeValueAsString(new Answer(tableName, results.length, failures, told.created(), told.updated()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer parse(String json) throws SQLException {
        try {
            return JdbcValues.JSON.readValue(json, new TypeReference<Answer>() {
            });
        } catch (JsonProcessingException e) {
            throw new SQLException("the write ledger's answer is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
