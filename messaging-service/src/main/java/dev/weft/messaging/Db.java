package dev.weft.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Plain JDBC on the current transaction's connection (the pool enlists one connection per transaction: the one
 * Hibernate's session and the outbox use too), without going through a Hibernate session. The hot paths (every send
 * and webhook) read and write plain rows with it, so their transactions open no session at all: opening one, and its
 * flush at commit, cost more CPU than their statements. Like Hibernate's {@code doWork}, it does not flush the
 * session first: callers write what they changed on managed entities before (MessageService.record flushes them).
 */
@ApplicationScoped
public class Db {
    /** Work on the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection db) throws SQLException;
    }

    private final DataSource dataSource;

    public Db(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Work outside any transaction, on a pooled connection in autocommit mode: each statement commits on its own. For a
     * change that is one statement (with its event in the same statement), where a transaction around it would only add
     * its begin, its commit's round trip and the transaction manager's bookkeeping.
     */
    @Transactional(Transactional.TxType.NEVER)
    public <T> T alone(Work<T> work) {
        try (Connection db = dataSource.getConnection()) {
            return work.run(db);
        } catch (SQLException e) {
            throw new IllegalStateException("a messaging statement failed: " + e.getMessage(), e);
        }
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public <T> T work(Work<T> work) {
        // Closing the handle does not end the transaction's use of the connection: it goes back to the pool at commit.
        try (Connection db = dataSource.getConnection()) {
            return work.run(db);
        } catch (SQLException e) {
            throw new IllegalStateException("a messaging statement failed: " + e.getMessage(), e);
        }
    }
}
