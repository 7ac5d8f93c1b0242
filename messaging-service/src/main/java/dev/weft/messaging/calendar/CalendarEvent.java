package dev.weft.messaging.calendar;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;

/** A calendar event: Weft's copy, and when it has a connection, the provider's event it is synced with. */
@Entity
@Table(name = "calendar_events")
public class CalendarEvent extends OrgScopedEntity {
    public static final String ID_PREFIX = "cev";

    @Column(name = "connection_id")
    public String connectionId;
    public String provider;
    @Column(name = "provider_event_id")
    public String providerEventId;
    public String etag;
    public String title;
    public String description;
    public String location;
    @Column(name = "starts_at")
    public Instant startsAt;
    @Column(name = "ends_at")
    public Instant endsAt;
    @Column(name = "all_day")
    public boolean allDay;
    public String status = "confirmed";
    public String organizer;
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] attendees = new String[0];
    @Column(name = "entity_type")
    public String entityType;
    @Column(name = "entity_id")
    public String entityId;
    /** create, update or delete: the local change the sync worker still has to write to the provider. */
    @Column(name = "push_pending")
    public String pushPending;
    @Column(name = "push_error")
    public String pushError;
    @Column(name = "conflict_at")
    public Instant conflictAt;
    @Column(name = "conflict_local")
    public String conflictLocal;
    @Column(name = "deleted_at")
    public Instant deletedAt;

    public String eventId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
