package dev.weft.connections.connector.mysql;

import dev.weft.connections.connector.jdbc.JdbcConnector;
import dev.weft.connections.connector.jdbc.JdbcConnectorContract;
import dev.weft.connections.support.Databases;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** The JDBC contract against the machine's MariaDB (127.0.0.1:3306, user root without password), in a database of its own. */
class MysqlConnectorTest extends JdbcConnectorContract {

    @org.junit.jupiter.api.BeforeAll
    static void needsMariaDb() {
        Databases.assumeMariaDb();
    }

    @Override
    protected JdbcConnector newConnector() {
        return new MysqlConnector();
    }

    @Override
    protected String provider() {
        return "mysql";
    }

    @Override
    protected Connection admin() throws SQLException {
        return Databases.mariadbConnection("jdbc:mariadb://127.0.0.1:3306/test?connectionTimeZone=UTC&forceConnectionTimeZoneToSession=true");
    }

    @Override
    protected Map<String, Object> config() {
        return configWithDefaultSchema(schema);
    }

    @Override
    protected Map<String, Object> configWithDefaultSchema(String defaultSchema) {
        return Map.of("host", "127.0.0.1", "port", 3306, "database", defaultSchema, "ssl", false);
    }

    @Override
    protected Map<String, String> credentials() {
        return Map.of("username", "root");
    }

    @Override
    protected Map<String, String> refusedCredentials() {
        return Map.of("username", "root", "password", "Pa55word-never-shown");
    }

    @Override
    protected List<String> createStatements() {
        String s = schema;
        return List.of(
                "CREATE DATABASE " + s,
                "CREATE TABLE " + s + ".orders (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(100), amount decimal(12,2) NOT NULL,"
                        + " active boolean NOT NULL DEFAULT true, created date, updated_at datetime(6), payload json, tags json)",
                "CREATE VIEW " + s + ".big_orders AS SELECT id, name, amount FROM " + s + ".orders WHERE amount > 100",
                "CREATE TABLE " + s + ".`lines` (order_id int, line int, sku varchar(50) NOT NULL, PRIMARY KEY (order_id, line))",
                "CREATE TABLE " + s + ".changes (id int PRIMARY KEY, label varchar(50) NOT NULL, modified_at datetime NULL)",
                "CREATE TABLE " + s + ".people (id int PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, age int, born date,"
                        + " profile json, seen_at datetime)",
                "CREATE TABLE " + s + ".tickets (id int AUTO_INCREMENT PRIMARY KEY, title varchar(100) NOT NULL)",
                "CREATE TABLE " + s + ".bulk (id bigint PRIMARY KEY, name varchar(100) NOT NULL, amount decimal(12,2), updated_at datetime(6) NOT NULL)",
                "CREATE DATABASE " + otherSchema,
                "CREATE TABLE " + otherSchema + ".contacts (id int PRIMARY KEY, email varchar(200) NOT NULL, name varchar(100))",
                "CREATE TABLE " + otherSchema + ".orders (id int PRIMARY KEY, name varchar(100))");
    }

    @Override
    protected List<String> dropStatements() {
        return List.of("DROP DATABASE IF EXISTS " + schema, "DROP DATABASE IF EXISTS " + otherSchema);
    }
}
