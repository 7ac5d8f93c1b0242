package dev.weft.messaging.contact;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/** A contact's address on one channel (a WhatsApp number as the provider writes it, a Telegram chat id, ...). */
@Entity
@Table(name = "contact_identities")
public class ContactIdentity extends OrgScopedEntity {
    @Column(name = "contact_id")
    public UUID contactId;
    public String channel;
    public String address;
}
