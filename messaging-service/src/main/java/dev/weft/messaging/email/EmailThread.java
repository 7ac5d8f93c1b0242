package dev.weft.messaging.email;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;

/** A thread of emails in one mailbox, keyed by the provider's thread (V4__email.sql). */
@Entity
@Table(name = "email_threads")
public class EmailThread extends OrgScopedEntity {
    public static final String ID_PREFIX = "thr";

    @Column(name = "connection_id")
    public String connectionId;
    @Column(name = "provider_thread_id")
    public String providerThreadId;
    public String subject;
    @Column(name = "last_message_at")
    public Instant lastMessageAt;

    public String threadId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
