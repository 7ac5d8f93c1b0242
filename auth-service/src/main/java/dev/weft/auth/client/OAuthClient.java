package dev.weft.auth.client;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Set;

/** An OAuth client of one org: a name, its scopes, and the hash of its current secret. */
@Entity
@Table(name = "oauth_clients")
public class OAuthClient extends OrgScopedEntity {
    public static final String ID_PREFIX = "cli";

    @Column(nullable = false)
    public String name;

    /** Space-separated, sorted. */
    @Column(nullable = false)
    public String scopes;

    @Column(name = "secret_hash", nullable = false)
    public String secretHash;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "secret_rotated_at")
    public Instant secretRotatedAt;

    public String clientId() {
        return TypeId.format(ID_PREFIX, id);
    }

    public Set<String> scopeSet() {
        return Scopes.parse(scopes);
    }
}
