package dev.weft.platform.tenancy;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import io.quarkus.hibernate.orm.runtime.tenant.TenantResolver;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes every Hibernate query org-scoped by construction: entities extending
 * {@link OrgScopedEntity} carry {@code @TenantId org_id}, which Hibernate adds to every query
 * and sets on every insert from the current principal.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class OrgTenantResolver implements TenantResolver {
    /** Matches no row: code that runs without a principal sees nothing tenant-scoped. */
    static final String NO_TENANT = "org_none";

    @Override
    public String getDefaultTenantId() {
        return NO_TENANT;
    }

    @Override
    public String resolveTenantId() {
        return TenantContext.current().map(RequestPrincipal::orgId).orElse(NO_TENANT);
    }
}
