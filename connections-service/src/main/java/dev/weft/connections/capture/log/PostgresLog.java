package dev.weft.connections.capture.log;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.CaptureRefused;
import dev.weft.connections.capture.ChangeSource;
import dev.weft.connections.capture.ChangeSources;
import dev.weft.connections.capture.Stream;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.jdbc.JdbcConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own log: logical decoding with {@code pgoutput}, through Debezium, with a publication and a replication
 * slot per stream (named after it). Before the engine starts, the database is asked whether it can stream at all
 * ({@code wal_level}, the role's REPLICATION attribute, the table), so a source that cannot gives a reason to act on.
 * Updates carry the previous row when the table has {@code REPLICA IDENTITY FULL}; otherwise PostgreSQL logs only the
 * key, and events carry no {@code previous}.
 */
@ApplicationScoped
public class PostgresLog implements ChangeSources {

    @Override
    public boolean supports(String provider) {
        return "postgres".equals(provider);
    }

    @Override
    public String kind() {
        return Stream.LOG;
    }

    @Override
    public ChangeSource open(CaptureContext context) {
        Table table = table(context);
        preflight(context.connector(), table);
        Properties properties = LogSources.engineProperties(context, "io.debezium.connector.postgresql.PostgresConnector", 5432);
        String name = slotName(context);
        properties.setProperty("database.dbname", JdbcConfig.required(context.connector(), "database"));
        context.connector().configString("ssl_mode").ifPresent(mode -> properties.setProperty("database.sslmode", mode));
        properties.setProperty("plugin.name", "pgoutput");
        properties.setProperty("slot.name", name);
        properties.setProperty("publication.name", name);
        properties.setProperty("publication.autocreate.mode", "filtered");
        properties.setProperty("table.include.list", Pattern.quote(table.schema()) + "\\." + Pattern.quote(table.name()));
        // Debezium waits up to poll.interval.ms twice: before reading an idle slot again, and for a part-filled batch to
        // fill. Its 500 ms default put 0.7 s p50 / 1.1 s p99 between a commit and its event at 1,000 changes/s
        // (bench/changes); 50 ms keeps the lag well under a second, for a cheap non-blocking slot check 20 times a second.
        properties.setProperty("poll.interval.ms", "50");
        return new DebeziumSource(context, properties, PostgresLog::position, PostgresLog::explain);
    }

    @Override
    public void cleanUp(CaptureContext context) {
        String name = slotName(context);
        try (Connection db = connect(context.connector())) {
            // A slot still held by a walsender (its replica died, or has not noticed yet) cannot be dropped: end that session first.
            try (PreparedStatement end = db.prepareStatement(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                end.setString(1, name);
                end.execute();
            }
            for (int attempt = 0; attempt < 20; attempt++) {
                try (PreparedStatement drop = db.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                    drop.setString(1, name);
                    drop.execute();
                }
                try (PreparedStatement left = db.prepareStatement("SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?")) {
                    left.setString(1, name);
                    try (ResultSet row = left.executeQuery()) {
                        row.next();
                        if (row.getLong(1) == 0) {
                            break;
                        }
                    }
                }
                Thread.sleep(250);
            }
            try (PreparedStatement drop = db.prepareStatement("DROP PUBLICATION IF EXISTS " + name)) {
                drop.execute();
            }
            Log.infof("event=stream_source_cleaned stream_id=%s slot=%s", context.streamPublicId(), name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the replication slot and publication " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The slot and publication of a stream: a plain identifier PostgreSQL accepts (letters, digits, underscores, under 64). */
    static String slotName(CaptureContext context) {
        return LogSources.engineName(context);
    }

    private record Table(String schema, String name) {
    }

    /** The captured table: a qualified object name, or a bare one in the connection's default schema. */
    private static Table table(CaptureContext context) {
        String object = context.object().name();
        int dot = object.indexOf('.');
        if (dot > 0) {
            return new Table(object.substring(0, dot), object.substring(dot + 1));
        }
        return new Table(context.connector().configString("schema").filter(s -> !s.isBlank()).orElse("public"), object);
    }

    /** Whether the database can stream this table at all; each refusal says what to change. */
    private static void preflight(ConnectorContext connector, Table table) {
        try (Connection db = connect(connector)) {
            String walLevel = LogSources.single(db, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                throw new CaptureRefused("the database runs with wal_level=" + walLevel + "; streaming needs wal_level=logical "
                        + "(ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL)");
            }
            if (!"t".equals(LogSources.single(db, "SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles WHERE rolname = current_user"))) {
                throw new CaptureRefused("the connection's user may not read the database's log; grant it "
                        + "(ALTER ROLE <user> WITH REPLICATION) or use a user that has it");
            }
            try (PreparedStatement exists = db.prepareStatement(
                    "SELECT c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                exists.setString(1, table.schema());
                exists.setString(2, table.name());
                try (ResultSet row = exists.executeQuery()) {
                    if (!row.next()) {
                        throw new CaptureRefused("there is no table " + table.schema() + "." + table.name() + " to stream");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not reach the database to check that it can stream: " + e.getMessage(), e);
        }
    }

    private static Connection connect(ConnectorContext connector) throws SQLException {
        Properties properties = LogSources.credentials(connector);
        connector.configString("ssl_mode").ifPresent(mode -> properties.setProperty("sslmode", mode));
        properties.setProperty("connectTimeout", "10");
        String url = "jdbc:postgresql://" + JdbcConfig.host(connector) + ":" + JdbcConfig.port(connector, 5432) + "/" + JdbcConfig.databasePath(connector);
        return DriverManager.getConnection(url, properties);
    }

    /** The LSN of a Debezium PostgreSQL offset, as PostgreSQL writes it ({@code 0/16B3748}). */
    static String position(Map<String, ?> offset) {
        Object lsn = offset == null ? null : offset.get("lsn");
        if (!(lsn instanceof Number number)) {
            return null;
        }
        long value = number.longValue();
        // Written digit by digit: two hex strings, their upper-case copies and a concatenation per change showed in profiles.
        StringBuilder text = new StringBuilder(17);
        hex(text, value >>> 32);
        text.append('/');
        hex(text, value & 0xFFFFFFFFL);
        return text.toString();
    }

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();

    /** {@code value} (at most 32 bits) in upper-case hex without leading zeros, as PostgreSQL writes an LSN's halves. */
    private static void hex(StringBuilder text, long value) {
        for (int shift = Math.max(0, (63 - Long.numberOfLeadingZeros(value)) / 4 * 4); shift >= 0; shift -= 4) {
            text.append(HEX_DIGITS[(int) (value >>> shift) & 0xF]);
        }
    }

    /** Engine failures worth a plainer reason. */
    static String explain(String message) {
        if (message.contains("wal_level")) {
            return "the database does not run with wal_level=logical (ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL)";
        }
        if (message.contains("must be superuser or replication role") || message.contains("permission denied")) {
            return "the connection's user may not read the database's log or the table: " + message;
        }
        if (message.contains("replication slots") && message.contains("are in use")) {
            return "the database has no free replication slot (max_replication_slots): " + message;
        }
        return null;
    }
}
