package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;

import java.sql.SQLException;

/** Classifies a driver's SQLException by SQLSTATE and keeps its message, minus any credential. */
public final class JdbcErrors {
    private JdbcErrors() {
    }

    public static ConnectorException translate(SQLException e, JdbcTarget target) {
        String message = message(e, target);
        String state = sqlState(e);
        if (state != null && state.startsWith("28")) {
            return new ConnectorException(ConnectorException.Kind.AUTH, message, 0, null, null);
        }
        if ((state != null && state.startsWith("08")) || message.contains("acquisition timeout")) {
            return new ConnectorException(ConnectorException.Kind.UNREACHABLE, message, 0, null, null);
        }
        return new ConnectorException(ConnectorException.Kind.UPSTREAM, message, 0, null, null);
    }

    /** The driver's message (and the network cause, when that is the real story), never the password. */
    public static String message(Throwable e, JdbcTarget target) {
        String message = String.valueOf(e.getMessage()).strip();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())
                && (cause instanceof java.io.IOException || cause instanceof SQLException)) {
            message = message + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        String password = target == null ? null : target.password();
        if (password != null && !password.isEmpty()) {
            message = message.replace(password, "****");
        }
        return message;
    }

    private static String sqlState(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
