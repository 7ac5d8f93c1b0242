package dev.weft.auth.signingkey;

import dev.weft.auth.client.Scopes;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A key for WEFT-HMAC signed requests: its scopes and its secret, sealed by SecretCipher (the
 * server recomputes each signature, so the secret cannot be hashed).
 */
@Entity
@Table(name = "request_signing_keys")
public class RequestSigningKey extends OrgScopedEntity {
    public static final String ID_PREFIX = "sk";

    @Column(nullable = false)
    public String name;

    /** Space-separated, sorted. */
    @Column(nullable = false)
    public String scopes;

    @Column(name = "secret_enc", nullable = false)
    public String secretEnc;

    @Column(name = "created_by")
    public String createdBy;

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
        return revokedAt == null ? "active" : "revoked";
    }

    /** Binds the ciphertext to its row and org: copied elsewhere, it no longer decrypts. */
    public static String associatedData(UUID id, String orgId) {
        return "request_signing_key:" + id + ":" + orgId;
    }
}
