package dev.weft.auth.apikey;

import dev.weft.auth.credential.IssuedCredential;
import dev.weft.platform.auth.CredentialCache;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;

/** An API key of one org: its scopes, mode, the SHA-256 of the key and a displayable prefix. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends IssuedCredential {
    public static final String ID_PREFIX = "key";

    @Column(nullable = false)
    public String mode;

    @Column(name = "key_hash", nullable = false, updatable = false)
    public String keyHash;

    @Column(name = "key_prefix", nullable = false, updatable = false)
    public String keyPrefix;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Override
    protected String idPrefix() {
        return ID_PREFIX;
    }

    @Override
    public String credentialType() {
        return CredentialCache.API_KEY;
    }

    @Override
    public String eventMode() {
        return mode;
    }

    @Override
    public String status() {
        if (revokedAt != null) {
            return "revoked";
        }
        return expiresAt != null && !Instant.now().isBefore(expiresAt) ? "expired" : "active";
    }
}
