package dev.weft.auth.apikey;

import dev.weft.auth.client.Scopes;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Set;

/** An API key of one org: its scopes, mode, the SHA-256 of the key and a displayable prefix. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends OrgScopedEntity {
    public static final String ID_PREFIX = "key";

    @Column(nullable = false)
    public String name;

    /** Space-separated, sorted. */
    @Column(nullable = false)
    public String scopes;

    @Column(nullable = false)
    public String mode;

    @Column(name = "key_hash", nullable = false, updatable = false)
    public String keyHash;

    @Column(name = "key_prefix", nullable = false, updatable = false)
    public String keyPrefix;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    public String keyId() {
        return TypeId.format(ID_PREFIX, id);
    }

    public Set<String> scopeSet() {
        return Scopes.parse(scopes);
    }

    public String status() {
        if (revokedAt != null) {
            return "revoked";
        }
        return expiresAt != null && !Instant.now().isBefore(expiresAt) ? "expired" : "active";
    }
}
