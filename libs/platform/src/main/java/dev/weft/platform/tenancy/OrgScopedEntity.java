package dev.weft.platform.tenancy;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import org.hibernate.annotations.TenantId;

/**
 * Base of every tenant-owned entity: the owning org is Hibernate's tenant discriminator, set on
 * insert and added to every query from the current principal, never by hand.
 */
@MappedSuperclass
public abstract class OrgScopedEntity extends WeftEntity {

    @TenantId
    @Column(name = "org_id", nullable = false, updatable = false)
    public String orgId;
}
