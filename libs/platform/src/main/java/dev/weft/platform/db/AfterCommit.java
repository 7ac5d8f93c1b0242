package dev.weft.platform.db;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * Work that must happen only once the current transaction has committed (and not at all if it rolls back): waking a
 * worker or the outbox relay, applying a revocation to this replica's caches. Runs on the committing thread, after the
 * commit; it must be quick and must not throw.
 */
@ApplicationScoped
public class AfterCommit {
    private final TransactionSynchronizationRegistry transactions;

    public AfterCommit(TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
    }

    /** Runs {@code action} after the current transaction (there must be one) commits. */
    public void run(Runnable action) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    action.run();
                }
            }
        });
    }

    /**
     * As {@link #run}, but once per transaction for a given {@code key}, however many times it is asked (say, once
     * however many events a transaction writes).
     */
    public void once(Object key, Runnable action) {
        if (transactions.getResource(key) != null) {
            return;
        }
        transactions.putResource(key, Boolean.TRUE);
        run(action);
    }
}
