package dev.weft.sync.sync;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.error.ExceptionMappers;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.schedule.Schedule;
import dev.weft.platform.schedule.ScheduleExpression;
import dev.weft.platform.schedule.Schedules;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Syncs of the current org: each one checked against its connections' describe ({@link SyncPlanner}) before it is
 * stored, its schedule written in the same transaction (a refused cron expression leaves no sync behind).
 */
@ApplicationScoped
public class SyncService {
    /** The {@link dev.weft.platform.schedule.ScheduledJob} kind of sync schedules. */
    public static final String SCHEDULE_KIND = "sync";
    public static final String REALTIME = "realtime";

    private final SyncPlanner planner;
    private final dev.weft.sync.connections.ConnectionsClient connections;
    private final dev.weft.sync.transform.TransformStage transforms;
    private final Schedules schedules;
    private final CursorCodec cursors;
    private final ObjectMapper json;
    private final RealtimeChanges realtimeChanges;

    public SyncService(SyncPlanner planner, dev.weft.sync.connections.ConnectionsClient connections,
                       dev.weft.sync.transform.TransformStage transforms, Schedules schedules, CursorCodec cursors, ObjectMapper json,
                       RealtimeChanges realtimeChanges) {
        this.realtimeChanges = realtimeChanges;
        this.planner = planner;
        this.connections = connections;
        this.transforms = transforms;
        this.schedules = schedules;
        this.cursors = cursors;
        this.json = json;
    }

    @Transactional
    public SyncDtos.SyncView create(SyncDtos.SyncRequest request) {
        SyncDtos.SyncRequest checked = check(request);
        Sync sync = new Sync();
        sync.id = TypeId.uuidV7();
        apply(sync, checked);
        sync.persist();
        Schedule schedule = writeSchedule(sync);
        Log.infof("event=sync_created org_id=%s sync_id=%s source=%s destination=%s schedule=%s", sync.orgId, sync.syncId(),
                sync.sourceConnectionId, sync.destinationConnectionId, sync.schedule);
        return view(sync, schedule);
    }

    public Page<SyncDtos.SyncView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Sync.class).page(page, this::view, cursors);
    }

    public SyncDtos.SyncView get(String id) {
        return view(require(id));
    }

    /** JSON Merge Patch (RFC 7386) over the sync as the API shows it; the result is checked like a new sync. */
    @Transactional
    public SyncDtos.SyncView update(String id, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object");
        }
        Sync sync = require(id);
        ObjectNode current = json.valueToTree(request(sync));
        JsonNode merged = merge(current, patch);
        SyncDtos.SyncRequest request;
        try {
            request = json.treeToValue(merged, SyncDtos.SyncRequest.class);
        } catch (JsonProcessingException e) {
            throw ExceptionMappers.invalidBody(e, "the patched sync is not valid: ");
        }
        SyncDtos.SyncRequest checked = check(request);
        boolean reenabled = !sync.enabled && Boolean.TRUE.equals(checked.enabled());
        SyncDtos.Source after = checked.source();
        if (!read(sync.source, SyncDtos.Source.class).readsAs(after)) {
            // The cursor is a position in what the source was read by; it means nothing in another object or field.
            dev.weft.sync.run.RunService.active(sync).ifPresent(run -> {
                throw new ApiException(ErrorCode.CONFLICT, "sync " + sync.syncId() + " has run " + run.runId() + " " + run.status
                        + "; changing source.connection_id, source.object or source.cursor_field waits for it to end (or be cancelled)",
                        Map.of("run_id", run.runId(), "status", run.status));
            });
            if (sync.cursor != null) {
                sync.cursor = null;
                Log.infof("event=sync_cursor_reset org_id=%s sync_id=%s object=%s cursor_field=%s", sync.orgId, sync.syncId(), after.object(),
                        after.cursorField());
            }
        }
        apply(sync, checked);
        if (reenabled) {
            sync.disabledReason = null;
        }
        Schedule schedule = writeSchedule(sync);
        Log.infof("event=sync_updated org_id=%s sync_id=%s enabled=%s schedule=%s", sync.orgId, sync.syncId(), sync.enabled, sync.schedule);
        return view(sync, schedule);
    }

    @Transactional
    public void delete(String id) {
        Sync sync = require(id);
        schedules.remove(SCHEDULE_KIND, sync.syncId());
        sync.delete();
        Log.infof("event=sync_deleted org_id=%s sync_id=%s", sync.orgId, sync.syncId());
    }

    /**
     * Disables every sync of the current org that reads from or writes to {@code connectionId}, saying why on the sync,
     * pauses their schedules and cancels their queued runs (a running one stops at its next checkpoint). Idempotent.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int disableForConnection(String connectionId, String reason) {
        List<Sync> using = Sync.list("sourceConnectionId = ?1 or destinationConnectionId = ?1", connectionId);
        for (Sync sync : using) {
            sync.enabled = false;
            sync.disabledReason = reason;
            if (sync.schedule != null && !sync.schedule.equals(REALTIME)) {
                schedules.pause(SCHEDULE_KIND, sync.syncId());
            }
            dev.weft.sync.run.SyncRun.update("status = 'cancelled', cancelRequested = true, finishedAt = ?1 where syncId = ?2 and status = 'queued'",
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS), sync.id);
            dev.weft.sync.run.SyncRun.update("cancelRequested = true where syncId = ?1 and status = 'running'", sync.id);
            Log.infof("event=sync_disabled org_id=%s sync_id=%s connection_id=%s reason=\"%s\"", sync.orgId, sync.syncId(), connectionId, reason);
        }
        return using.size();
    }

    public Sync require(String id) {
        Sync sync = OrgScopedLookup.findById(Sync.class, Ids.require(Sync.ID_PREFIX, id, "sync"));
        if (sync == null) {
            throw ApiException.notFound("sync");
        }
        return sync;
    }

    /** The stored sync as a request (what PATCH merges into, and what a run plans from). */
    public SyncDtos.SyncRequest request(Sync sync) {
        return new SyncDtos.SyncRequest(sync.name, read(sync.source, SyncDtos.Source.class), read(sync.destination, SyncDtos.Destination.class),
                sync.schedule, sync.timezone, read(sync.fieldMappings, new TypeReference<List<SyncDtos.FieldMapping>>() { }),
                read(sync.filters, new TypeReference<List<String>>() { }), sync.transformId, sync.enabled);
    }

    /** Checks the request's shape, then its names against the connections. */
    private SyncDtos.SyncRequest check(SyncDtos.SyncRequest request) {
        if (request.name() == null || request.name().isBlank()) {
            throw ApiException.invalid("name", "required", "name is required");
        }
        if (request.name().length() > 200) {
            throw ApiException.invalid("name", "max_length", "name is longer than 200 characters");
        }
        if (request.source() == null) {
            throw ApiException.invalid("source", "required", "source is required: {connection_id, object}");
        }
        if (request.destination() == null) {
            throw ApiException.invalid("destination", "required", "destination is required: {connection_id, table}");
        }
        SyncDtos.Destination destination = request.destination();
        if (destination.table() != null && destination.object() != null && !destination.table().equals(destination.object())) {
            throw ApiException.invalid("destination.table", "one_of", "give destination.table or destination.object, not both");
        }
        if (destination.target() == null || destination.target().isBlank()) {
            throw ApiException.invalid("destination.table", "required", "destination.table is required");
        }
        if (request.fieldMappings() != null && request.fieldMappings().size() > 500) {
            throw ApiException.invalid("field_mappings", "max_items", "at most 500 field_mappings");
        }
        if (request.filters() != null && request.filters().size() > 50) {
            throw ApiException.invalid("filters", "max_items", "at most 50 filters");
        }
        if (request.transformId() != null && (request.transformId().isBlank() || request.transformId().length() > 100)) {
            throw ApiException.invalid("transform_id", "format", "transform_id is not a transform id");
        }
        String schedule = request.schedule() == null || request.schedule().isBlank() ? null : request.schedule().strip();
        if (schedule != null && schedule.equalsIgnoreCase(REALTIME)) {
            schedule = REALTIME;
        }
        if (schedule != null && !schedule.equals(REALTIME)) {
            ScheduleExpression.parse(schedule, request.timezone());
        } else if (request.timezone() != null && !request.timezone().isBlank()) {
            ScheduleExpression.parse(ScheduleExpression.DAILY, request.timezone());
        }
        SyncPlan plan = planner.plan(request);
        // The transforms must exist in this org and compile, as a run will compile them.
        try (dev.weft.sync.transform.TransformStage.Compiled ignored = transforms.compile(request.transformId(), plan.mappings())) {
            // compiled, closed
        } catch (dev.weft.sync.transform.TransformStage.TransformUnavailable e) {
            throw ApiException.invalid(e.field(), "transform", e.getMessage());
        }
        if (REALTIME.equals(schedule) && (request.enabled() == null || request.enabled())) {
            // Realtime follows the source's change stream: made (or found) now, so a source that cannot stream is a 400 here.
            try {
                connections.ensureStream(plan.sourceConnectionId(), plan.source().name());
            } catch (dev.weft.platform.services.ServiceCallException e) {
                if (e.status() == 400) {
                    throw ApiException.invalid("schedule", "realtime", "schedule realtime needs the source's changes, and "
                            + plan.source().name() + " cannot stream them: " + e.reason());
                }
                throw e.asApiException();
            }
        }
        // Stored with the names as the systems spell them and the mode the plan chose.
        SyncDtos.Destination chosen = new SyncDtos.Destination(plan.destinationConnectionId(), destination.table() == null ? null : plan.destination().name(),
                destination.table() == null ? plan.destination().name() : null,
                destination.key() == null || destination.key().isEmpty() ? null : plan.key(), plan.mode());
        SyncDtos.Source source = request.source();
        SyncDtos.Source stored = new SyncDtos.Source(plan.sourceConnectionId(), plan.source().name(), source.fields() == null ? null : plan.readFields(),
                source.filter(), source.cursorField() == null ? null : plan.source().cursorField());
        return new SyncDtos.SyncRequest(request.name().strip(), stored, chosen, schedule,
                request.timezone() == null || request.timezone().isBlank() ? "UTC" : request.timezone().strip(),
                request.fieldMappings() == null ? List.of() : request.fieldMappings(), request.filters() == null ? List.of() : request.filters(),
                request.transformId(), request.enabled() == null || request.enabled());
    }

    private void apply(Sync sync, SyncDtos.SyncRequest checked) {
        sync.name = checked.name();
        sync.source = write(checked.source());
        sync.destination = write(checked.destination());
        sync.sourceConnectionId = checked.source().connectionId();
        sync.destinationConnectionId = checked.destination().connectionId();
        sync.schedule = checked.schedule();
        sync.timezone = checked.timezone();
        sync.fieldMappings = write(checked.fieldMappings());
        sync.filters = write(checked.filters());
        sync.transformId = checked.transformId();
        sync.enabled = checked.enabled();
    }

    /** A clock schedule for hourly, daily and cron syncs, paused while the sync is disabled; none for manual and realtime ones. */
    private Schedule writeSchedule(Sync sync) {
        if (sync.schedule == null || sync.schedule.equals(REALTIME)) {
            schedules.remove(SCHEDULE_KIND, sync.syncId());
            return null;
        }
        Schedule schedule = schedules.upsert(SCHEDULE_KIND, sync.syncId(), sync.schedule, sync.timezone);
        if (!sync.enabled && schedule.enabled()) {
            schedules.pause(SCHEDULE_KIND, sync.syncId());
            return null;
        }
        if (sync.enabled && !schedule.enabled()) {
            return schedules.resume(SCHEDULE_KIND, sync.syncId()).orElse(null);
        }
        return schedule;
    }

    private SyncDtos.SyncView view(Sync sync) {
        Schedule schedule = sync.schedule == null || sync.schedule.equals(REALTIME) ? null : schedules.find(SCHEDULE_KIND, sync.syncId()).orElse(null);
        return view(sync, schedule);
    }

    private SyncDtos.SyncView view(Sync sync, Schedule schedule) {
        SyncDtos.SyncRequest r = request(sync);
        Instant next = schedule == null ? null : schedule.nextFireAt();
        SyncDtos.Realtime realtime = REALTIME.equals(sync.schedule) ? realtimeChanges.of(sync) : null;
        return new SyncDtos.SyncView(sync.syncId(), r.name(), r.source(), r.destination(), r.schedule(), r.timezone(), next, r.fieldMappings(),
                r.filters(), r.transformId(), sync.enabled, sync.disabledReason, realtime, sync.createdAt, sync.updatedAt);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JsonNodeFactoryHolder.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    private static final class JsonNodeFactoryHolder {
        static ObjectNode object() {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
    }


    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return text == null ? null : json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored sync JSON unreadable", e);
        }
    }

    private <T> T read(String text, TypeReference<T> type) {
        try {
            return text == null ? null : json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored sync JSON unreadable", e);
        }
    }
}
