package dev.weft.messaging.email;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** An address matched to a CRM entity: its mail, past and future, links to the entity (V4__email.sql). */
@Entity
@Table(name = "email_matches")
public class EmailMatch extends OrgScopedEntity {
    public String address;
    @Column(name = "entity_type")
    public String entityType;
    @Column(name = "entity_id")
    public String entityId;
}
