package dev.weft.sync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.sync.run.RunStore;
import dev.weft.sync.sync.Sync;
import dev.weft.sync.sync.SyncDtos;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The sync events of the public catalog ({@code sync.started|completed|failed}, webhook-service's event-types.json),
 * written to the outbox in the transaction that changes the run's status. Keyed by the sync, so one sync's events stay
 * in order.
 */
@ApplicationScoped
public class SyncEvents {
    private final Outbox outbox;

    public SyncEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public record Endpoint(String connectionId, String object, String table) {
    }

    public record Stats(long recordsRead, long recordsWritten, long recordsCreated, long recordsUpdated, long recordsDeleted, long recordsSkipped,
                        long recordsFailed) {
    }

    public record Failure(String code, String message, String connectionId) {
    }

    /** {@code full_refresh}: the run reads the whole source and deletes what it did not see (asked for, or a mirror's run). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunEvent(String id, String syncId, String orgId, String syncName, String trigger, boolean fullRefresh, Endpoint source,
                           Endpoint destination, String status, Instant startedAt, Instant completedAt, Instant failedAt, Long durationMs, Stats stats,
                           Failure error) {
    }

    public void started(Sync sync, SyncDtos.SyncRequest spec, UUID runId, String trigger, boolean fullRefresh, Instant startedAt) {
        publish("sync.started", sync, spec, new RunEvent(TypeId.format("run", runId), sync.syncId(), sync.orgId, sync.name, trigger, fullRefresh,
                null, null, "running", startedAt, null, null, null, null, null));
    }

    /** sync.completed for succeeded and partially_succeeded runs, sync.failed for failed ones; cancelled runs publish nothing. */
    public void finished(Sync sync, SyncDtos.SyncRequest spec, UUID runId, RunStore.Finished run, Failure failure) {
        Stats stats = new Stats(run.read(), run.written(), run.created(), run.updated(), run.deleted(), run.skipped(), run.failed());
        long duration = Math.max(0, Duration.between(run.startedAt(), run.finishedAt()).toMillis());
        boolean failed = failure != null;
        publish(failed ? "sync.failed" : "sync.completed", sync, spec, new RunEvent(TypeId.format("run", runId), sync.syncId(), sync.orgId, sync.name,
                run.trigger(), run.fullRefresh(), null, null, run.status(), run.startedAt(), failed ? null : run.finishedAt(),
                failed ? run.finishedAt() : null, duration, stats, failure));
    }

    private void publish(String type, Sync sync, SyncDtos.SyncRequest spec, RunEvent event) {
        SyncDtos.Source source = spec.source();
        SyncDtos.Destination destination = spec.destination();
        RunEvent data = new RunEvent(event.id(), event.syncId(), event.orgId(), event.syncName(), event.trigger(), event.fullRefresh(),
                new Endpoint(source.connectionId(), source.object(), null),
                new Endpoint(destination.connectionId(), destination.object(), destination.table()), event.status(), event.startedAt(),
                event.completedAt(), event.failedAt(), event.durationMs(), event.stats(), event.error());
        outbox.publish(DomainEvent.of(Topics.SYNCS, type, sync.syncId(), data));
    }
}
