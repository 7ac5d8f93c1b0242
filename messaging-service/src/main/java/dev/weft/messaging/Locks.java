package dev.weft.messaging;

import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.PreparedStatement;

/**
 * Transaction-scoped PostgreSQL advisory locks on names within the current org (a dedupe key, a contact's
 * conversation on a channel): what two replicas racing on one name serialise on. Released at commit or rollback.
 */
@ApplicationScoped
public class Locks {
    private final Db db;

    public Locks(Db db) {
        this.db = db;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void lock(String name) {
        String key = TenantContext.requireOrgId() + "|" + name;
        // Plain JDBC on the transaction's connection: as a Hibernate native query (no result mapping, no synchronized
        // tables) this flushed the whole session first and cost several times the statement.
        this.db.work(db -> {
            try (PreparedStatement lock = db.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, key);
                return lock.execute();
            }
        });
    }
}
