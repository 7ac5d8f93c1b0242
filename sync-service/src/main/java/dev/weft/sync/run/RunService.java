package dev.weft.sync.run;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.sync.sync.Sync;
import dev.weft.sync.sync.SyncDtos;
import dev.weft.sync.sync.SyncPlan;
import dev.weft.sync.sync.SyncPlanner;
import dev.weft.sync.sync.SyncService;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs as the API sees them: started by hand or by the schedule (queued here, executed by {@link RunWorker}), listed,
 * read and cancelled. One sync never has two active runs: checked here for a clear 409, and enforced by the database's
 * partial unique index when two requests race.
 */
@ApplicationScoped
public class RunService {
    private final SyncService syncs;
    private final SyncPlanner planner;
    private final CursorCodec cursors;
    private final ObjectMapper json;

    public RunService(SyncService syncs, SyncPlanner planner, CursorCodec cursors, ObjectMapper json) {
        this.syncs = syncs;
        this.planner = planner;
        this.cursors = cursors;
        this.json = json;
    }

    /**
     * The run endpoint's optional body, read strictly: absent, {@code null} or {@code {}} is an ordinary run; anything
     * but an object, an unknown field or a {@code full_refresh} that is not a JSON boolean is a 400 (Jackson alone would
     * take "true" and 1 for true).
     */
    public static RunDtos.RunRequest options(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return RunDtos.RunRequest.NONE;
        }
        if (!body.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object, e.g. {\"full_refresh\": true}");
        }
        var names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("full_refresh")) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "Unknown field " + name, Map.of("field", name, "constraint", "unknown_field"));
            }
        }
        JsonNode fullRefresh = body.get("full_refresh");
        if (fullRefresh != null && !fullRefresh.isNull() && !fullRefresh.isBoolean()) {
            throw ApiException.invalid("full_refresh", "type", "full_refresh must be true or false");
        }
        return new RunDtos.RunRequest(fullRefresh != null && fullRefresh.booleanValue());
    }

    /**
     * POST /v1/syncs/{id}/run: a queued run, or 409 naming the run in progress. A full refresh is checked against the
     * connections first (as a mirror is when saved): it needs a key to compare and a destination it can delete from.
     */
    @Transactional
    public RunDtos.RunView trigger(String syncId, RunDtos.RunRequest options) {
        Sync sync = syncs.require(syncId);
        if (!sync.enabled) {
            throw new ApiException(ErrorCode.CONFLICT, "sync " + sync.syncId() + " is disabled"
                    + (sync.disabledReason == null ? "" : ": " + sync.disabledReason) + "; enable it first", Map.of("sync_id", sync.syncId()));
        }
        active(sync).ifPresent(run -> {
            throw inProgress(sync, run);
        });
        if (options.fullRefresh() && !isMirror(sync)) {
            checkFullRefresh(sync);
        }
        SyncRun run = queue(sync, "manual", options.fullRefresh());
        try {
            SyncRun.getEntityManager().flush();
        } catch (PersistenceException raced) {
            // Another request queued one between the check and the insert.
            throw new ApiException(ErrorCode.CONFLICT, "sync " + sync.syncId() + " already has a run in progress", Map.of("sync_id", sync.syncId()));
        }
        Log.infof("event=run_queued org_id=%s sync_id=%s run_id=%s trigger=manual full_refresh=%s", sync.orgId, sync.syncId(), run.runId(),
                run.fullRefresh);
        return view(run);
    }

    /** Queues a realtime sync's first run (its snapshot), unless one is already active. */
    @Transactional
    public void snapshot(String syncId) {
        Sync sync = syncs.require(syncId);
        if (active(sync).isEmpty()) {
            SyncRun run = queue(sync, "realtime", false);
            Log.infof("event=run_queued org_id=%s sync_id=%s run_id=%s trigger=realtime", sync.orgId, sync.syncId(), run.runId());
        }
    }

    /** Queues a run for the schedule, in the firing's transaction; empty when one is still active (the firing is skipped). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<SyncRun> enqueueScheduled(Sync sync) {
        if (!sync.enabled || active(sync).isPresent()) {
            return Optional.empty();
        }
        SyncRun run = queue(sync, "schedule", false);
        SyncRun.getEntityManager().flush();
        Log.infof("event=run_queued org_id=%s sync_id=%s run_id=%s trigger=schedule", sync.orgId, sync.syncId(), run.runId());
        return Optional.of(run);
    }

    public Page<RunDtos.RunView> list(String syncId, String limit, String cursor) {
        Sync sync = syncs.require(syncId);
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(SyncRun.class).where("syncId = :syncId", "syncId", sync.id).page(page, this::view, cursors);
    }

    public RunDtos.RunView get(String runId) {
        return view(require(runId));
    }

    /** A queued run is cancelled at once; a running one stops after its current batch (its checkpoint sees the request). */
    @Transactional
    public RunDtos.RunView cancel(String runId) {
        SyncRun run = require(runId);
        switch (run.status) {
            case RunStatus.QUEUED -> {
                run.status = RunStatus.CANCELLED;
                run.cancelRequested = true;
                run.finishedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            }
            case RunStatus.RUNNING -> run.cancelRequested = true;
            default -> throw new ApiException(ErrorCode.INVALID_STATUS_TRANSITION, "run " + run.runId() + " is already " + run.status,
                    Map.of("status", run.status));
        }
        Log.infof("event=run_cancel_requested org_id=%s run_id=%s status=%s", run.orgId, run.runId(), run.status);
        return view(run);
    }

    /** A mirror's every run is a full refresh; it is queued as one, so the run shows it. */
    private SyncRun queue(Sync sync, String trigger, boolean fullRefresh) {
        SyncRun run = new SyncRun();
        run.syncId = sync.id;
        run.status = RunStatus.QUEUED;
        run.trigger = trigger;
        run.fullRefresh = fullRefresh || isMirror(sync);
        run.errors = "[]";
        run.queuedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        run.persist();
        return run;
    }

    /**
     * A full refresh needs what a mirror needs: a key, and a destination that takes deletes and has a primary key. A sync
     * that no longer plans (a table dropped since it was saved) is queued as any run would be, and fails at its start
     * with the systems' message; connections-service being unreachable is its usual 502/503, as when saving a sync.
     */
    private void checkFullRefresh(Sync sync) {
        SyncPlan plan;
        try {
            plan = planner.plan(syncs.request(sync));
        } catch (ApiException e) {
            if (e.code() == ErrorCode.INVALID_REQUEST) {
                return;
            }
            throw e;
        }
        SyncPlanner.checkFullRefresh(plan);
    }

    private boolean isMirror(Sync sync) {
        SyncDtos.Destination destination = syncs.request(sync).destination();
        return destination != null && "mirror".equals(destination.mode());
    }

    /** The sync's queued or running run, if any. */
    public static Optional<SyncRun> active(Sync sync) {
        return SyncRun.<SyncRun>find("syncId = ?1 and status in ?2", sync.id, List.copyOf(RunStatus.ACTIVE)).firstResultOptional();
    }

    private static ApiException inProgress(Sync sync, SyncRun run) {
        return new ApiException(ErrorCode.CONFLICT, "sync " + sync.syncId() + " already has run " + run.runId() + " " + run.status,
                Map.of("run_id", run.runId(), "status", run.status));
    }

    private SyncRun require(String runId) {
        SyncRun run = OrgScopedLookup.findById(SyncRun.class, Ids.require(SyncRun.ID_PREFIX, runId, "run"));
        if (run == null) {
            throw ApiException.notFound("run");
        }
        return run;
    }

    /** Of the records the source counted when the run started (after its cursor, when incremental); null when it could not count. */
    private static Integer percent(SyncRun run) {
        if (run.recordsTotal == null) {
            return null;
        }
        return run.recordsTotal == 0 ? 100 : (int) Math.min(100, 100 * run.recordsRead / run.recordsTotal);
    }

    /** When a running read should end at its pace so far. */
    private static Instant eta(SyncRun run) {
        if (run.recordsTotal == null || run.startedAt == null || run.recordsRead == 0 || !RunStatus.RUNNING.equals(run.status)) {
            return null;
        }
        long elapsed = Duration.between(run.startedAt, Instant.now()).toMillis();
        long remaining = Math.max(0, run.recordsTotal - run.recordsRead);
        return Instant.now().plusMillis(elapsed * remaining / run.recordsRead).truncatedTo(ChronoUnit.SECONDS);
    }

    RunDtos.RunView view(SyncRun run) {
        Long duration = run.startedAt == null ? null
                : Duration.between(run.startedAt, run.finishedAt == null ? Instant.now() : run.finishedAt).toMillis();
        List<RunDtos.RecordError> errors;
        try {
            errors = run.errors == null ? List.of() : json.readValue(run.errors, new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            errors = List.of();
        }
        return new RunDtos.RunView(run.runId(), dev.weft.platform.id.TypeId.format(Sync.ID_PREFIX, run.syncId), run.status, run.trigger,
                run.fullRefresh,
                new RunDtos.Progress(run.recordsRead, run.recordsWritten, run.recordsCreated, run.recordsUpdated, run.recordsDeleted,
                        run.recordsSkipped, run.recordsFailed, percent(run), eta(run)),
                new RunDtos.Timings(run.queuedAt, run.startedAt, run.finishedAt, duration), run.batches, errors, run.error, run.cancelRequested,
                run.createdAt);
    }
}
