package dev.weft.connections.connector.postgres;

import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.jdbc.JdbcConnector;
import dev.weft.connections.support.Databases;
import dev.weft.connections.connector.jdbc.JdbcConnectorContract;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDBC contract against the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth). */
class PostgresConnectorTest extends JdbcConnectorContract {

    /** The PostgreSQL the test infrastructure provides: the machine's server, or embedded binaries. */
    private static final Databases.Target TARGET = Databases.postgres();

    @Override
    protected JdbcConnector newConnector() {
        return new PostgresConnector();
    }

    @Override
    protected String provider() {
        return "postgres";
    }

    @Override
    protected Connection admin() throws SQLException {
        return DriverManager.getConnection(TARGET.adminUrl(), TARGET.username(), TARGET.password());
    }

    @Override
    protected Map<String, Object> config() {
        return configWithDefaultSchema(schema);
    }

    @Override
    protected Map<String, Object> configWithDefaultSchema(String defaultSchema) {
        return Map.of("host", TARGET.host(), "port", TARGET.port(), "database", TARGET.database(), "schema", defaultSchema, "ssl_mode", "disable");
    }

    @Override
    protected Map<String, String> credentials() {
        return Map.of("username", TARGET.username());
    }

    /** The server trusts every local role's password, so an unknown role is what it refuses here. */
    @Override
    protected Map<String, String> refusedCredentials() {
        return Map.of("username", "weft_no_such_role", "password", "Pa55word-never-shown");
    }

    @Override
    protected List<String> createStatements() {
        String s = schema;
        return List.of(
                "CREATE SCHEMA " + s,
                "CREATE TABLE " + s + ".orders (id bigserial PRIMARY KEY, name varchar(100), amount numeric(12,2) NOT NULL,"
                        + " active boolean NOT NULL DEFAULT true, created date, updated_at timestamptz, payload jsonb, tags text[])",
                "CREATE VIEW " + s + ".big_orders AS SELECT id, name, amount FROM " + s + ".orders WHERE amount > 100",
                "CREATE TABLE " + s + ".lines (order_id integer, line integer, sku text NOT NULL, PRIMARY KEY (order_id, line))",
                "CREATE TABLE " + s + ".changes (id integer PRIMARY KEY, label text NOT NULL, modified_at timestamp)",
                "CREATE TABLE " + s + ".people (id integer PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, age integer, born date,"
                        + " profile json, seen_at timestamp)",
                "CREATE TABLE " + s + ".tickets (id serial PRIMARY KEY, title text NOT NULL)",
                "CREATE TABLE " + s + ".bulk (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), updated_at timestamptz NOT NULL)",
                "CREATE SCHEMA " + otherSchema,
                "CREATE TABLE " + otherSchema + ".contacts (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(100))",
                "CREATE TABLE " + otherSchema + ".orders (id integer PRIMARY KEY, name varchar(100))");
    }

    /** A warehouse's three-part name would create a table named "schema.table": refused, and nothing created. */
    @Test
    void ensure_object_refuses_a_name_with_a_database_part() throws SQLException {
        ObjectSchema wanted = new ObjectSchema("analytics.raw.contacts", "analytics.raw.contacts", List.of(FieldSchema.of("id", "integer")),
                List.of("id"), null, Set.of());
        ConnectorException refused = assertThrows(ConnectorException.class, () -> connector.ensureObject(context(config(), credentials()), wanted));
        assertEquals("analytics.raw.contacts is not a table name Weft creates: write table or schema.table, with no further dot", refused.getMessage());
        try (Connection admin = admin(); Statement statement = admin.createStatement();
             ResultSet found = statement.executeQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'analytics'")) {
            found.next();
            assertEquals(0, found.getInt(1), "no schema was created");
        }
    }

    /** A connection configured with a schema that does not exist yet: a sync's destination table creates it too. */
    @Test
    void ensure_object_creates_the_connections_own_schema_when_it_does_not_exist_yet() throws SQLException {
        String fresh = schema + "_new";
        ObjectSchema wanted = new ObjectSchema("contacts", "contacts", List.of(FieldSchema.of("id", "integer"),
                FieldSchema.of("email_address", "string")), List.of("id"), null, Set.of());
        try {
            Connector.EnsuredObject first = connector.ensureObject(context(configWithDefaultSchema(fresh), credentials()), wanted);
            Connector.EnsuredObject second = connector.ensureObject(context(configWithDefaultSchema(fresh), credentials()), wanted);
            assertTrue(first.created());
            assertFalse(second.created());
            assertEquals(List.of("id", "email_address"), first.schema().fieldNames());
            try (Connection admin = admin(); Statement statement = admin.createStatement();
                 ResultSet table = statement.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + fresh
                         + "' AND table_name = 'contacts'")) {
                table.next();
                assertEquals(1, table.getInt(1), "the table is in the connection's own schema");
            }
        } finally {
            connector.release("conn_test");
            try (Connection admin = admin(); Statement statement = admin.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + fresh + " CASCADE");
            }
        }
    }

    /**
     * Ensures {@code wanted} while another session has run {@code otherRun} (DDL, uncommitted): waits until the ensure
     * waits on that session's lock at {@code waitsAt} (a pattern of its statement), then commits the other session.
     */
    private Connector.EnsuredObject ensureAsAnotherRunCommits(ObjectSchema wanted, String waitsAt, String... otherRun) throws Exception {
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection other = admin(); Statement ddl = other.createStatement(); Connection watcher = admin()) {
            other.setAutoCommit(false);
            for (String statement : otherRun) {
                ddl.execute(statement);
            }
            java.util.concurrent.Future<Connector.EnsuredObject> ensured = thread.submit(() -> connector.ensureObject(context(config(), credentials()), wanted));
            Databases.awaitLockWait(watcher, waitsAt);
            other.commit();
            return ensured.get();
        } finally {
            thread.shutdownNow();
        }
    }

    /**
     * Another run creating the same destination table at the same moment: PostgreSQL's CREATE TABLE IF NOT EXISTS fails
     * for the second once the first commits; the table is answered as existing, not as an error that fails the run.
     */
    @Test
    void ensure_object_answers_a_table_another_run_created_at_the_same_moment() throws Exception {
        ObjectSchema wanted = new ObjectSchema("raced", "raced", List.of(FieldSchema.of("id", "integer")), List.of("id"), null, Set.of());
        Connector.EnsuredObject answer = ensureAsAnotherRunCommits(wanted, "CREATE TABLE IF NOT EXISTS %raced%",
                "CREATE TABLE " + schema + ".raced (id bigint NOT NULL PRIMARY KEY)");
        assertFalse(answer.created());
        assertEquals(List.of("id"), answer.schema().fieldNames());
    }

    /**
     * Two runs creating new tables in one new schema at the same moment: PostgreSQL's CREATE SCHEMA IF NOT EXISTS fails
     * for the second once the first commits; the schema is used and the table created, not an error that fails the run.
     */
    @Test
    void ensure_object_uses_a_schema_another_run_created_at_the_same_moment() throws Exception {
        String racing = schema + "_racing";
        ObjectSchema wanted = new ObjectSchema(racing + ".accounts", "accounts", List.of(FieldSchema.of("id", "integer")), List.of("id"), null, Set.of());
        try {
            Connector.EnsuredObject answer = ensureAsAnotherRunCommits(wanted, "CREATE SCHEMA IF NOT EXISTS %racing%",
                    "CREATE SCHEMA " + racing, "CREATE TABLE " + racing + ".contacts (id bigint NOT NULL PRIMARY KEY)");
            assertTrue(answer.created());
            assertEquals(List.of("id"), answer.schema().fieldNames());
            try (Connection admin = admin(); Statement check = admin.createStatement();
                 ResultSet tables = check.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + racing + "'")) {
                tables.next();
                assertEquals(2, tables.getInt(1), "the other run's table and this one's, in the schema both created");
            }
        } finally {
            try (Connection admin = admin(); Statement statement = admin.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + racing + " CASCADE");
            }
        }
    }

    @Override
    protected List<String> dropStatements() {
        return List.of("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "DROP SCHEMA IF EXISTS " + otherSchema + " CASCADE");
    }
}
