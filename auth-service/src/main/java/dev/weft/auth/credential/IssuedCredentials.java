package dev.weft.auth.credential;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.Ids;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** The lifecycle API keys and signing keys share: lookup in the current org, events, revocation. */
@ApplicationScoped
public class IssuedCredentials {
    private final Outbox outbox;
    private final LocalRevocations revocations;

    public IssuedCredentials(Outbox outbox, LocalRevocations revocations) {
        this.outbox = outbox;
        this.revocations = revocations;
    }

    /** The credential of the current org with this id; unknown, malformed and foreign ids alike are 404. */
    public <C extends IssuedCredential> C require(Class<C> type, String idPrefix, String keyId, String what) {
        UUID id = Ids.require(idPrefix, keyId, what);
        // HQL rather than find by id, so Hibernate adds the tenant condition: another org's key is simply absent.
        return Panache.getEntityManager(type)
                .createQuery("from " + type.getSimpleName() + " where id = :id", type)
                .setParameter("id", id)
                .getResultStream().findFirst()
                .orElseThrow(() -> ApiException.notFound(what));
    }

    /** Writes a credential event to the outbox in the caller's transaction; never carries a secret. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void publish(String eventType, IssuedCredential credential, String reason) {
        var data = new CredentialEvent(credential.keyId(), credential.credentialType(), TenantContext.requireOrgId(), credential.name,
                List.copyOf(credential.scopeSet()), credential.eventMode(), reason);
        outbox.publish(DomainEvent.of(Topics.AUTH, eventType, credential.keyId(), data));
    }

    /**
     * Idempotent: revoking a revoked credential changes nothing and emits nothing.
     * @return whether this call revoked it
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean revoke(IssuedCredential credential) {
        if (credential.revokedAt != null) {
            return false;
        }
        credential.revokedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        publish("credential.revoked", credential, "revoked");
        revocations.afterCommit(credential.credentialType(), credential.keyId());
        return true;
    }
}
