package dev.weft.connections.support;

import dev.weft.testing.WeftTestInfra;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The real databases the JDBC connectors are tested against: the PostgreSQL the test
 * infrastructure runs (the machine's server or embedded binaries) and the machine's MariaDB on
 * 127.0.0.1:3306 (root, no password), as CI machines of this kind provide.
 */
public final class Databases {
    public static final String PG_SCHEMA = "weft_data_api";
    public static final String MARIADB_DATABASE = "weft_data_api";

    private Databases() {
    }

    /**
     * Until a PostgreSQL session waits on a lock in a statement starting with {@code statementLike} (a LIKE pattern):
     * how a test holds one session's DDL open while another runs into it.
     */
    public static void awaitLockWait(Connection admin, String statementLike) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (PreparedStatement query = admin.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?")) {
            query.setString(1, statementLike);
            while (System.nanoTime() < deadline) {
                try (ResultSet waiting = query.executeQuery()) {
                    waiting.next();
                    if (waiting.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("no session came to wait on a lock in " + statementLike);
    }

    public record Target(String name, String provider, String adminUrl, String username, String password, String host, int port,
                         String database, String schema) {
        public Connection admin() throws SQLException {
            return provider.equals("postgres") ? DriverManager.getConnection(adminUrl, username, password) : mariadbConnection(adminUrl);
        }

        public String qualified(String table) {
            return provider.equals("postgres") ? schema + "." + table : database + "." + table;
        }

        public List<String> setup(String table) {
            if (provider.equals("postgres")) {
                return List.of("CREATE SCHEMA IF NOT EXISTS " + schema,
                        "DROP TABLE IF EXISTS " + qualified(table),
                        "CREATE TABLE " + qualified(table) + " (id bigint PRIMARY KEY, name text NOT NULL, region text, amount numeric(12,2),"
                                + " updated_at timestamptz NOT NULL DEFAULT now())");
            }
            return List.of("CREATE DATABASE IF NOT EXISTS " + database,
                    "DROP TABLE IF EXISTS " + qualified(table),
                    "CREATE TABLE " + qualified(table) + " (id bigint PRIMARY KEY, name varchar(200) NOT NULL, region varchar(50),"
                            + " amount decimal(12,2), updated_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))");
        }

        public String connectionBody() {
            return connectionBody(true);
        }

        /** A connection whose config names no schema: PostgreSQL's default schema is then {@code public}. */
        public String connectionBodyWithoutSchema() {
            return connectionBody(false);
        }

        /** The schema (database, on MariaDB) a connection without {@code schema} in its config names bare. */
        public String defaultSchemaWithoutConfig() {
            return provider.equals("postgres") ? "public" : database;
        }

        private String connectionBody(boolean withSchema) {
            String config = "{\"host\":\"%s\",\"port\":%d,\"database\":\"%s\"".formatted(host, port, database);
            if (provider.equals("postgres")) {
                config += (withSchema ? ",\"schema\":\"%s\"".formatted(schema) : "") + ",\"ssl_mode\":\"disable\"";
            }
            config += "}";
            String credentials = password == null || password.isEmpty()
                    ? "{\"username\":\"%s\"}".formatted(username)
                    : "{\"username\":\"%s\",\"password\":\"%s\"}".formatted(username, password);
            return "{\"provider\":\"%s\",\"name\":\"%s\",\"config\":%s,\"credentials\":%s}".formatted(provider, name, config, credentials);
        }
    }

    public static Target postgres() {
        URI uri = URI.create(WeftTestInfra.jdbcUrl().substring("jdbc:".length()));
        String database = uri.getPath().substring(1);
        return new Target("PostgreSQL", "postgres", WeftTestInfra.jdbcUrl(), WeftTestInfra.username(),
                WeftTestInfra.password() == null ? "" : WeftTestInfra.password(), uri.getHost(), uri.getPort(), database, PG_SCHEMA);
    }

    public static Target mariadb() {
        return new Target("MariaDB", "mysql", "jdbc:mariadb://127.0.0.1:3306/", "root", "", "127.0.0.1", 3306, MARIADB_DATABASE, null);
    }

    /**
     * PostgreSQL always (the test infrastructure provides one); MariaDB when one answers on
     * 127.0.0.1:3306, as on this machine kind. CI sets {@code WEFT_TEST_MARIADB_REQUIRED=true} so that a
     * missing server fails the build instead of shrinking it.
     */
    public static List<Target> targets() {
        return mariaDbAvailable() ? List.of(postgres(), mariadb()) : List.of(postgres());
    }

    /** Skips the calling test class or method (JUnit assumption) when no MariaDB is reachable and none is required. */
    public static void assumeMariaDb() {
        org.junit.jupiter.api.Assumptions.assumeTrue(mariaDbAvailable(), "no MariaDB on 127.0.0.1:3306");
    }

    private static Boolean mariaDbAvailable;

    /**
     * A root connection through the driver itself: after a Quarkus test has run in this JVM,
     * DriverManager may only know the driver as loaded by Quarkus's class loader and refuse it here.
     */
    public static Connection mariadbConnection(String url) throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", "root");
        properties.setProperty("password", "");
        return new org.mariadb.jdbc.Driver().connect(url, properties);
    }

    public static synchronized boolean mariaDbAvailable() {
        if (mariaDbAvailable == null) {
            try (Connection ignored = mariadbConnection("jdbc:mariadb://127.0.0.1:3306/?connectTimeout=2000")) {
                mariaDbAvailable = true;
            } catch (SQLException e) {
                if (Boolean.parseBoolean(System.getenv("WEFT_TEST_MARIADB_REQUIRED"))) {
                    throw new IllegalStateException("WEFT_TEST_MARIADB_REQUIRED is set but MariaDB on 127.0.0.1:3306 does not answer: " + e.getMessage());
                }
                System.err.println("MariaDB on 127.0.0.1:3306 not reachable; its tests are skipped: " + e.getMessage());
                mariaDbAvailable = false;
            }
        }
        return mariaDbAvailable;
    }
}
