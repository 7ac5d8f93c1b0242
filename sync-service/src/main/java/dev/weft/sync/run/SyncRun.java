package dev.weft.sync.run;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * One run of a sync, as the API reads it. The worker writes runs with plain SQL ({@link RunStore}), fenced by its
 * lease; this entity only reads them and creates queued ones.
 */
@Entity
@Table(name = "sync_runs")
public class SyncRun extends OrgScopedEntity {
    public static final String ID_PREFIX = "run";

    @Column(name = "sync_id")
    public UUID syncId;
    public String status;
    public String trigger;
    /** Reads the whole source and deletes what it did not see: asked for ({@code full_refresh}), or a mirror's run. */
    @Column(name = "full_refresh")
    public boolean fullRefresh;
    @Column(name = "records_read")
    public long recordsRead;
    @Column(name = "records_written")
    public long recordsWritten;
    @Column(name = "records_created")
    public long recordsCreated;
    @Column(name = "records_updated")
    public long recordsUpdated;
    @Column(name = "records_deleted")
    public long recordsDeleted;
    @Column(name = "records_skipped")
    public long recordsSkipped;
    @Column(name = "records_failed")
    public long recordsFailed;
    public int batches;
    /** Records the run will read, when the source could count them (a full read); null otherwise. */
    @Column(name = "records_total")
    public Long recordsTotal;
    /** JSON list of {@link RunDtos.RecordError}. */
    public String errors;
    public String error;
    @Column(name = "cancel_requested")
    public boolean cancelRequested;
    public int attempts;
    @Column(name = "queued_at")
    public Instant queuedAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;

    public String runId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
