package dev.weft.connections.capture.log;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.jdbc.JdbcConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/** What the PostgreSQL and MySQL/MariaDB log sources set up alike: engine settings, preflight connections and queries. */
final class LogSources {
    private LogSources() {
    }

    /** A stream's name at the source (topic prefix; PostgreSQL's slot and publication): a plain identifier under 64 characters. */
    static String engineName(CaptureContext context) {
        return "weft_" + context.streamId().toString().replace("-", "");
    }

    /**
     * The Debezium settings every log source shares: the stream's own offset store, the server and credentials, the
     * snapshot choice, value handling and batching. Each source adds its connector's own.
     */
    static Properties engineProperties(CaptureContext context, String connectorClass, int defaultPort) {
        ConnectorContext connector = context.connector();
        Properties properties = new Properties();
        properties.setProperty("name", "weft-" + context.streamPublicId());
        properties.setProperty("connector.class", connectorClass);
        properties.setProperty("offset.storage", StreamOffsetStore.class.getName());
        properties.setProperty(StreamOffsetStore.STREAM_PROPERTY, context.streamId().toString());
        // The batch's offset is committed with its events; the engine's own flush after each batch writes the same value
        // (and, on PostgreSQL, acknowledges it to the slot at once).
        properties.setProperty("offset.flush.interval.ms", "0");
        properties.setProperty("topic.prefix", engineName(context));
        properties.setProperty("database.hostname", unbracketed(JdbcConfig.host(connector)));
        properties.setProperty("database.port", String.valueOf(JdbcConfig.port(connector, defaultPort)));
        properties.setProperty("database.user", JdbcConfig.username(connector));
        String password = JdbcConfig.password(connector);
        if (password != null) {
            properties.setProperty("database.password", password);
        }
        properties.setProperty("snapshot.mode", context.snapshot() ? "initial" : "no_data");
        properties.setProperty("decimal.handling.mode", "precise");
        properties.setProperty("tombstones.on.delete", "false");
        properties.setProperty("include.schema.changes", "false");
        // A quiet table still moves the stored position along with the rest of the server's log.
        properties.setProperty("heartbeat.interval.ms", "10000");
        properties.setProperty("max.batch.size", "2048");
        properties.setProperty("max.queue.size", "8192");
        return properties;
    }

    /** The JDBC driver properties for the connection's user and password. */
    static Properties credentials(ConnectorContext connector) {
        Properties properties = new Properties();
        properties.setProperty("user", JdbcConfig.username(connector));
        String password = JdbcConfig.password(connector);
        if (password != null) {
            properties.setProperty("password", password);
        }
        return properties;
    }

    /** The first column of the first row, or null. */
    static String single(Connection db, String sql) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql); ResultSet row = statement.executeQuery()) {
            return row.next() ? row.getString(1) : null;
        }
    }

    /** An IPv6 literal as Debezium wants it: without the URL brackets. */
    static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
