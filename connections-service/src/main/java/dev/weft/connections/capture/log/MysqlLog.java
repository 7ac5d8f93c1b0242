package dev.weft.connections.capture.log;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.CaptureRefused;
import dev.weft.connections.capture.ChangeSource;
import dev.weft.connections.capture.ChangeSources;
import dev.weft.connections.capture.Stream;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.jdbc.JdbcConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * MySQL's and MariaDB's binary log, through Debezium: the server's own replication protocol, as a replica with a
 * server id of the stream's own. Debezium 3.x reads MariaDB with a connector of its own (its GTIDs and binlog events
 * differ), so the server is asked what it is ({@code SELECT VERSION()} naming MariaDB) and the matching connector is
 * used. Before the engine starts, the server is asked whether it can stream at all ({@code log_bin}, {@code binlog_format},
 * {@code binlog_row_image}, the user's replication grants, the table), so a source that cannot gives a reason to act on.
 *
 * <p>The binlog carries rows, not table definitions: the table's definition is kept in the stream's schema history
 * ({@link StreamSchemaHistory}), its position in the stream's offsets ({@link StreamOffsetStore}), both in
 * connections-service's own schema. With {@code binlog_row_image=FULL} (checked) every update carries the whole previous
 * row, so events always have {@code previous} and {@code changed_fields}; deletes carry the deleted row. Nothing is
 * created in the source server, so deleting a stream leaves nothing to drop there.
 */
@ApplicationScoped
public class MysqlLog implements ChangeSources {
    static final String MYSQL_CONNECTOR = "io.debezium.connector.mysql.MySqlConnector";
    static final String MARIADB_CONNECTOR = "io.debezium.connector.mariadb.MariaDbConnector";

    @Override
    public boolean supports(String provider) {
        return "mysql".equals(provider);
    }

    @Override
    public String kind() {
        return Stream.LOG;
    }

    @Override
    public ChangeSource open(CaptureContext context) {
        Table table = table(context);
        boolean mariadb = preflight(context.connector(), table);
        ConnectorContext connector = context.connector();
        Properties properties = LogSources.engineProperties(context, mariadb ? MARIADB_CONNECTOR : MYSQL_CONNECTOR, 3306);
        properties.setProperty("schema.history.internal", StreamSchemaHistory.class.getName());
        properties.setProperty(StreamSchemaHistory.STREAM_PROPERTY, context.streamId().toString());
        // Only the captured table's definition is needed to decode its rows; the rest of the server's DDL is not kept.
        properties.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
        properties.setProperty("schema.history.internal.store.only.captured.databases.ddl", "true");
        properties.setProperty("database.server.id", String.valueOf(serverId(context.streamId())));
        boolean ssl = connector.configFlag("ssl", false);
        properties.setProperty("database.ssl.mode", mariadb ? (ssl ? "verify-full" : "disable") : (ssl ? "verify_identity" : "disabled"));
        properties.setProperty("database.include.list", Pattern.quote(table.database()));
        properties.setProperty("table.include.list", Pattern.quote(table.database()) + "\\." + Pattern.quote(table.name()));
        properties.setProperty("bigint.unsigned.handling.mode", "precise");
        // Without a stored offset, the connector first reads the server's current binlog position and the table's
        // definition (stored in the schema history): only then does the stream read from a fixed position.
        DebeziumSource source = new DebeziumSource(context, properties, MysqlLog::position, MysqlLog::explain, !context.offsets().isEmpty());
        StreamSchemaHistory.register(context, source::positionFixed);
        return new ChangeSource() {
            @Override
            public void start() {
                source.start();
            }

            @Override
            public void close() {
                try {
                    source.close();
                } finally {
                    StreamSchemaHistory.unregister(context);
                }
            }
        };
    }

    /**
     * The id this stream's binlog reader announces to the server, as every replica of a server needs one of its own:
     * derived from the stream's id (stable across restarts and takeovers), kept clear of the small ids servers are
     * usually given.
     */
    static long serverId(UUID streamId) {
        return 100_000L + (streamId.getLeastSignificantBits() & 0x3FFF_FFFFL);
    }

    record Table(String database, String name) {
    }

    /** The captured table: {@code database.table}, or a bare name in the connection's database. */
    private static Table table(CaptureContext context) {
        String object = context.object().name();
        int dot = object.indexOf('.');
        if (dot > 0) {
            return new Table(object.substring(0, dot), object.substring(dot + 1));
        }
        return new Table(JdbcConfig.required(context.connector(), "database"), object);
    }

    /**
     * Whether the server can stream this table at all; each refusal says what to change.
     *
     * @return whether the server is MariaDB
     */
    static boolean preflight(ConnectorContext connector, Table table) {
        try (Connection db = connect(connector)) {
            String version = LogSources.single(db, "SELECT VERSION()");
            boolean mariadb = version != null && version.toLowerCase(Locale.ROOT).contains("mariadb");
            String server = mariadb ? "MariaDB" : "MySQL";
            String logBin = variable(db, "log_bin");
            if (!"ON".equalsIgnoreCase(logBin) && !"1".equals(logBin)) {
                throw new CaptureRefused("the " + server + " server runs with log_bin " + (logBin == null ? "unset" : logBin)
                        + "; streaming reads its binary log: start the server with log_bin (log-bin in its configuration), a unique"
                        + " server_id, binlog_format=ROW and binlog_row_image=FULL, then restart it");
            }
            String format = variable(db, "binlog_format");
            if (!"ROW".equalsIgnoreCase(format)) {
                throw new CaptureRefused("the " + server + " server logs with binlog_format=" + format + "; streaming needs the changed rows"
                        + " themselves: SET GLOBAL binlog_format = 'ROW' (and binlog_format=ROW in its configuration, to last a restart)");
            }
            String image = variable(db, "binlog_row_image");
            if (image != null && !"FULL".equalsIgnoreCase(image)) {
                throw new CaptureRefused("the " + server + " server logs with binlog_row_image=" + image + "; streaming needs whole rows"
                        + " before and after each change: SET GLOBAL binlog_row_image = 'FULL' (and in its configuration, to last a restart)");
            }
            List<String> missing = missingGrants(db);
            if (!missing.isEmpty()) {
                throw new CaptureRefused("the connection's user may not read the binary log: it lacks " + String.join(" and ", missing)
                        + "; GRANT " + String.join(", ", missing) + " ON *.* TO the user (or use a user that has them)");
            }
            try (PreparedStatement exists = db.prepareStatement(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_type = 'BASE TABLE'")) {
                exists.setString(1, table.database());
                exists.setString(2, table.name());
                try (ResultSet row = exists.executeQuery()) {
                    if (!row.next()) {
                        throw new CaptureRefused("there is no table " + table.database() + "." + table.name() + " to stream");
                    }
                }
            }
            return mariadb;
        } catch (SQLException e) {
            throw new IllegalStateException("could not reach the database to check that it can stream: " + e.getMessage(), e);
        }
    }

    /**
     * The replication privileges the user's global grants lack. MariaDB 10.5+ shows REPLICATION CLIENT as BINLOG MONITOR;
     * older servers let SUPER stand for it. Grants through roles are not followed (MySQL lists them apart).
     */
    private static List<String> missingGrants(Connection db) throws SQLException {
        StringBuilder global = new StringBuilder();
        try (PreparedStatement grants = db.prepareStatement("SHOW GRANTS FOR CURRENT_USER()"); ResultSet rows = grants.executeQuery()) {
            while (rows.next()) {
                String grant = rows.getString(1).toUpperCase(Locale.ROOT);
                int on = grant.indexOf(" ON *.* TO ");
                if (grant.startsWith("GRANT ") && on > 0) {
                    global.append(',').append(grant, "GRANT ".length(), on);
                }
            }
        }
        String privileges = global.toString();
        if (privileges.contains("ALL PRIVILEGES")) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        if (!privileges.contains("REPLICATION SLAVE") && !privileges.contains("REPLICATION REPLICA")) {
            missing.add("REPLICATION SLAVE");
        }
        if (!privileges.contains("REPLICATION CLIENT") && !privileges.contains("BINLOG MONITOR") && !privileges.contains("SUPER")) {
            missing.add("REPLICATION CLIENT");
        }
        return missing;
    }

    private static String variable(Connection db, String name) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement("SHOW GLOBAL VARIABLES WHERE Variable_name = ?")) {
            statement.setString(1, name);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getString(2) : null;
            }
        }
    }

    /** Through the MariaDB driver, which speaks to MySQL too (as the data API does). */
    private static Connection connect(ConnectorContext connector) throws SQLException {
        Properties properties = LogSources.credentials(connector);
        properties.setProperty("sslMode", connector.configFlag("ssl", false) ? "verify-full" : "disable");
        properties.setProperty("connectTimeout", "10000");
        String url = "jdbc:mariadb://" + JdbcConfig.host(connector) + ":" + JdbcConfig.port(connector, 3306) + "/";
        // The driver itself, not DriverManager: under Quarkus the latter may know the driver only in another class loader.
        Connection db = new org.mariadb.jdbc.Driver().connect(url, properties);
        if (db == null) {
            throw new SQLException("the MariaDB driver does not accept " + url);
        }
        return db;
    }

    /** The binlog position of a Debezium MySQL/MariaDB offset, as {@code SHOW MASTER STATUS} writes it: {@code binlog.000003:1234}. */
    static String position(Map<String, ?> offset) {
        Object file = offset == null ? null : offset.get("file");
        Object pos = offset == null ? null : offset.get("pos");
        if (file == null || pos == null) {
            return null;
        }
        return file + ":" + pos;
    }

    /** Engine failures worth a plainer reason. */
    static String explain(String message) {
        if (message.contains("Access denied") || message.contains("REPLICATION SLAVE") || message.contains("BINLOG MONITOR")) {
            return "the connection's user may not read the binary log or the table (it needs REPLICATION SLAVE, REPLICATION CLIENT"
                    + " and SELECT): " + message;
        }
        if (message.contains("purged") || message.contains("Could not find first log file") || message.contains("binlog is no longer available")) {
            return "the server no longer has the binary log this stream stopped at (it was purged; see binlog_expire_logs_seconds);"
                    + " delete the stream and create it again: " + message;
        }
        if (message.contains("binlog_format") || message.contains("binlog_row_image")) {
            return "the server's binary log is not in ROW format with FULL row images: " + message;
        }
        return null;
    }
}
