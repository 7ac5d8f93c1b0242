package dev.weft.messaging;

import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Transaction-scoped PostgreSQL advisory locks on names within the current org (a dedupe key, a contact's
 * conversation on a channel): what two replicas racing on one name serialise on. Released at commit or rollback.
 */
@ApplicationScoped
public class Locks {
    @Transactional(Transactional.TxType.MANDATORY)
    public void lock(String name) {
        Panache.getEntityManager().createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended(?1, 0))")
                .setParameter(1, TenantContext.requireOrgId() + "|" + name).getSingleResult();
    }
}
