package dev.weft.auth.credential;

import dev.weft.platform.auth.RevocationListener;
import dev.weft.platform.db.AfterCommit;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * Applies a revocation to this replica the moment it commits, so auth-service refuses the
 * credential at once; other replicas and services learn it from the credential.revoked event,
 * which the same {@link RevocationListener#apply} turns into the same effect there.
 */
@ApplicationScoped
public class LocalRevocations {
    private final AfterCommit afterCommit;
    private final RevocationListener revocations;

    public LocalRevocations(AfterCommit afterCommit, RevocationListener revocations) {
        this.afterCommit = afterCommit;
        this.revocations = revocations;
    }

    /** Must be called inside the revoking transaction; does nothing if it rolls back. */
    public void afterCommit(String credentialType, String credentialId) {
        afterCommit(credentialType, credentialId, null, "revoked");
    }

    /** @param expiresAt an access token's expiry (else null) */
    public void afterCommit(String credentialType, String credentialId, Instant expiresAt, String reason) {
        Instant revokedAt = Instant.now();
        afterCommit.run(() -> revocations.apply(credentialType, credentialId, revokedAt, expiresAt, reason));
    }
}
