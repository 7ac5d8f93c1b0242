package dev.weft.connections.capture;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A change stream: one object of one connection, followed by its database's log or by polling its modification time. */
@Entity
@Table(name = "streams")
public class Stream extends OrgScopedEntity {
    public static final String ID_PREFIX = "strm";
    public static final String LOG = "log";
    public static final String POLL = "poll";

    @Column(name = "connection_id")
    public UUID connectionId;
    public String object;
    /** JSON array of field names, or null for every field. */
    public String fields;
    public String filter;
    public String kind;
    @Convert(converter = StreamStatus.Converter.class)
    public StreamStatus status;
    @Column(name = "status_reason")
    public String statusReason;
    public boolean snapshot;
    @Column(name = "poll_interval_seconds")
    public Integer pollIntervalSeconds;
    public String position;
    @Column(name = "events_published")
    public long eventsPublished;
    @Column(name = "last_event_at")
    public Instant lastEventAt;
    @Column(name = "lag_seconds")
    public Double lagSeconds;
    @Column(name = "leased_by")
    public String leasedBy;
    @Column(name = "leased_until")
    public Instant leasedUntil;

    public String streamId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
