package dev.weft.connections.connector.mysql;

import dev.weft.connections.connector.jdbc.SqlDialect;

/** Lets the shared JDBC unit tests render with the MySQL dialect without a database. */
public final class MysqlConnectorDialectAccess {
    private MysqlConnectorDialectAccess() {
    }

    public static SqlDialect dialect() {
        return new MysqlConnector.Dialect();
    }
}
