package dev.weft.messaging.contact;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;

/** A person the org talks to. {@code emailKey} and {@code phoneKey} are what deduplication compares (see {@link PhoneNumbers}). */
@Entity
@Table(name = "contacts")
public class Contact extends OrgScopedEntity {
    public static final String ID_PREFIX = "contact";

    @Column(name = "first_name")
    public String firstName;
    @Column(name = "last_name")
    public String lastName;
    public String email;
    @Column(name = "email_key")
    public String emailKey;
    public String phone;
    @Column(name = "phone_key")
    public String phoneKey;
    @Column(name = "external_id")
    public String externalId;
    public String channel;
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] channels = new String[0];
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] tags = new String[0];
    /** JSON object. */
    public String properties = "{}";
    /** The CRM entity the contact is linked to (issue 14), both or neither. */
    @Column(name = "entity_type")
    public String entityType;
    @Column(name = "entity_id")
    public String entityId;
    @Column(name = "last_inbound_at")
    public Instant lastInboundAt;
    @Column(name = "last_outbound_at")
    public Instant lastOutboundAt;

    /**
     * Read as a plain row (ContactService / ConversationService on the hot paths), not managed by the session: what
     * changes on it is written by explicit UPDATEs of those columns, never by a flush.
     */
    @jakarta.persistence.Transient
    public transient boolean plain;

    /** Where to send on {@link #sendAddressChannel}, as ContactService.addressOn answers, when read with the row (a send's recipient). */
    @jakarta.persistence.Transient
    public transient String sendAddress;
    @jakarta.persistence.Transient
    public transient String sendAddressChannel;

    public String contactId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
