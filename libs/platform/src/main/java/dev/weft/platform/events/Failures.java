package dev.weft.platform.events;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Tells a failure of the infrastructure (PostgreSQL unreachable, restarting or out of
 * connections), which is waited out however long it lasts, from a failure of the handling itself,
 * which is retried a bounded number of times. Dead-lettering an event because the database was
 * down would lose nothing, but would make an operator redrive thousands of good events.
 */
public final class Failures {
    private Failures() {
    }

    /** Thrown by a handler to say "try again later, this is not the event's fault" (e.g. a dependency is down). */
    public static class Transient extends RuntimeException {
        public Transient(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Transient || t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && transientState(sql.getSQLState(), sql.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes 08 (connection), 53 (insufficient resources), 57P (operator intervention: shutdown,
     * cannot connect now), 40001/40P01 (serialization failure, deadlock); Agroal's pool timeout has no state.
     */
    private static boolean transientState(String state, String message) {
        if (state == null) {
            return message != null && message.contains("acquisition timeout");
        }
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01");
    }
}
