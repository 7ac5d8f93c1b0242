package dev.weft.auth.credential;

import dev.weft.platform.auth.CredentialCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * Clears this replica's credential cache the moment a revocation commits, so auth-service refuses
 * the key at once; other replicas and services learn it from the credential.revoked event.
 */
@ApplicationScoped
public class LocalRevocations {
    private final TransactionSynchronizationRegistry transactions;
    private final CredentialCache cache;

    public LocalRevocations(TransactionSynchronizationRegistry transactions, CredentialCache cache) {
        this.transactions = transactions;
        this.cache = cache;
    }

    /** Must be called inside the revoking transaction; does nothing if it rolls back. */
    public void afterCommit(String credentialType, String credentialId) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    cache.revoked(credentialType, credentialId);
                }
            }
        });
    }
}
