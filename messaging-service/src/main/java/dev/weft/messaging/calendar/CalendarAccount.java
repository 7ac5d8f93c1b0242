package dev.weft.messaging.calendar;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;

/** A Google or Microsoft connection whose calendar is synced: its sync position (syncToken, deltaLink) and schedule. */
@Entity
@Table(name = "calendar_accounts")
public class CalendarAccount extends OrgScopedEntity {
    @Column(name = "connection_id")
    public String connectionId;
    public String provider;
    @Column(name = "sync_token")
    public String syncToken;
    @Column(name = "next_sync_at")
    public Instant nextSyncAt;
    @Column(name = "leased_until")
    public Instant leasedUntil;
    @Column(name = "last_sync_at")
    public Instant lastSyncAt;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "full_resyncs")
    public int fullResyncs;
    @Column(name = "last_full_resync_at")
    public Instant lastFullResyncAt;
    @Column(name = "last_full_resync_reason")
    public String lastFullResyncReason;
}
