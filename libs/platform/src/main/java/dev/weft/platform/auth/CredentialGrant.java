package dev.weft.platform.auth;

import java.time.Instant;
import java.util.Set;

/**
 * What auth-service says an active API key or signing key grants. {@code secret} is set only for
 * signing keys (the verifier must recompute the HMAC); {@code mode} only for API keys
 * ({@code live}/{@code test}); {@code expiresAt} may be null (no expiry).
 */
public record CredentialGrant(String credentialId, String orgId, Set<String> scopes, String plan, String mode,
                              Instant expiresAt, String secret) {

    public CredentialGrant {
        scopes = Set.copyOf(scopes);
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Never prints the secret (records print every field by default). */
    @Override
    public String toString() {
        return "CredentialGrant[credentialId=" + credentialId + ", orgId=" + orgId + ", scopes=" + scopes + ", plan=" + plan
                + ", mode=" + mode + ", expiresAt=" + expiresAt + ", secret=" + (secret == null ? "none" : "***") + "]";
    }
}
