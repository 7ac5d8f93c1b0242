package dev.weft.auth.credential;

import dev.weft.auth.client.Scopes;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;

import java.time.Instant;
import java.util.Set;

/**
 * What API keys and request-signing keys share: a name, the scopes granted, who created it,
 * when it was last used, and revocation (rows are kept, marked revoked).
 */
@MappedSuperclass
public abstract class IssuedCredential extends OrgScopedEntity {

    @Column(nullable = false)
    public String name;

    /** Space-separated, sorted. */
    @Column(nullable = false)
    public String scopes;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** The TypeID prefix of this kind of credential. */
    protected abstract String idPrefix();

    /** The credential type named in events and introspection caches. */
    public abstract String credentialType();

    /** The {@code mode} its events carry, where the kind has one. */
    public String eventMode() {
        return null;
    }

    public String keyId() {
        return TypeId.format(idPrefix(), id);
    }

    public Set<String> scopeSet() {
        return Scopes.parse(scopes);
    }

    public String status() {
        return revokedAt == null ? "active" : "revoked";
    }
}
