package dev.weft.workflow.trigger;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.schedule.Schedule;
import dev.weft.platform.schedule.ScheduleExpression;
import dev.weft.platform.schedule.Schedules;
import dev.weft.platform.services.ConnectionStreams;
import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.services.ServiceClient;
import dev.weft.workflow.execution.ExecutionStarter;
import dev.weft.workflow.workflow.Workflow;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Triggers of the current org: a workflow's own (written with it by WorkflowService) and standalone ones; a schedule
 * trigger's clock row is written in the same transaction ({@link Schedules}, fired by {@link ScheduleTriggerJob}).
 */
@ApplicationScoped
public class TriggerService {
    public static final String SCHEDULE_KIND = "workflow_trigger";

    private final Schedules schedules;
    private final CursorCodec cursors;
    private final ObjectMapper json;
    private final ExecutionStarter starter;
    private final ConnectionStreams streams;

    public TriggerService(Schedules schedules, CursorCodec cursors, ObjectMapper json, ExecutionStarter starter, ConnectionStreams streams) {
        this.schedules = schedules;
        this.cursors = cursors;
        this.json = json;
        this.starter = starter;
        this.streams = streams;
    }

    /** POST /v1/triggers: {@code workflow_id} plus a trigger definition. */
    @Transactional
    public TriggerDtos.TriggerView create(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object");
        }
        ObjectNode definition = ((ObjectNode) body).deepCopy();
        JsonNode workflowId = definition.remove("workflow_id");
        if (workflowId == null || !workflowId.isTextual()) {
            throw ApiException.invalid("workflow_id", "required", "workflow_id is required: the workflow this trigger starts");
        }
        UUID id = TypeId.parse(Workflow.ID_PREFIX, workflowId.asText())
                .orElseThrow(() -> ApiException.invalid("workflow_id", "exists", "workflow_id is not a workflow of this organization"));
        Workflow workflow = Workflow.findById(id);
        if (workflow == null) {
            throw ApiException.invalid("workflow_id", "exists", "workflow_id is not a workflow of this organization");
        }
        TriggerSpec spec = TriggerSpec.check(definition, "trigger");
        Trigger trigger = write(new Trigger(), workflow, spec, false);
        Log.infof("event=trigger_created org_id=%s trigger_id=%s workflow_id=%s type=%s", trigger.orgId, trigger.triggerId(),
                workflow.workflowId(), spec.type());
        return view(trigger);
    }

    /** Writes (creates or changes) a trigger row and its schedule, in the caller's transaction. */
    public Trigger write(Trigger trigger, Workflow workflow, TriggerSpec spec, boolean inline) {
        boolean created = trigger.id == null;
        boolean sameSource = !created && Objects.equals(trigger.connectionId, spec.connectionId()) && Objects.equals(trigger.object, spec.object());
        trigger.workflowId = workflow.id;
        trigger.inline = inline;
        trigger.type = spec.type();
        trigger.connectionId = spec.connectionId();
        trigger.object = spec.object();
        trigger.eventType = spec.eventType();
        trigger.definition = text(spec);
        trigger.enabled = workflow.enabled;
        if (created) {
            trigger.id = TypeId.uuidV7();
            trigger.persist();
        }
        if (spec.cron() != null) {
            schedules.upsert(SCHEDULE_KIND, trigger.triggerId(), ScheduleExpression.parse(spec.cron(), spec.timezone(), "trigger.cron", "trigger.timezone"));
            if (!trigger.enabled) {
                schedules.pause(SCHEDULE_KIND, trigger.triggerId());
            } else {
                schedules.resume(SCHEDULE_KIND, trigger.triggerId());
            }
        } else {
            schedules.remove(SCHEDULE_KIND, trigger.triggerId());
        }
        if (!spec.watchesRecords() || !sameSource) {
            trigger.streamId = null;
            trigger.streamError = null;
            trigger.streamPending = false;
        }
        if (spec.watchesRecords() && trigger.enabled && trigger.streamId == null) {
            ensureStream(trigger, inline ? "trigger.object" : "object");
        }
        return trigger;
    }

    /**
     * A record trigger fires on its object's record.* events, which connections-service publishes only while the object
     * has a change stream: created here on demand (or the existing one found), as a realtime sync does. An object that
     * cannot stream is a 400 naming {@code field}; a connection that does not exist (yet: seed 000's {@code conn_sf123})
     * is noted on the trigger; connections-service unreachable or failing is noted and tried again
     * ({@link TriggerStreamRetry}).
     */
    void ensureStream(Trigger trigger, String field) {
        try {
            trigger.streamId = streams.ensure(trigger.connectionId, trigger.object);
            trigger.streamError = null;
            trigger.streamPending = false;
            Log.infof("event=trigger_stream_ensured org_id=%s trigger_id=%s connection_id=%s object=%s stream_id=%s", trigger.orgId,
                    trigger.triggerId(), trigger.connectionId, trigger.object, trigger.streamId);
        } catch (ServiceCallException e) {
            if (e.status() == 400 && field != null) {
                throw ApiException.invalid(field, "stream", trigger.object + " of " + trigger.connectionId
                        + " cannot stream its changes, which a record trigger follows: " + e.reason());
            }
            trigger.streamError = e.status() == 404 ? "connection " + trigger.connectionId + " was not found; create the stream once it exists"
                    : "connections-service answered " + e.status() + ": " + e.reason();
            trigger.streamPending = e.retryable() || e.status() >= 500;
            Log.warnf("event=trigger_stream_not_ensured org_id=%s trigger_id=%s status=%d pending=%s message=\"%s\"", trigger.orgId,
                    trigger.triggerId(), e.status(), trigger.streamPending, e.reason());
        } catch (ServiceClient.Unavailable e) {
            trigger.streamError = e.getMessage();
            trigger.streamPending = true;
            Log.warnf("event=trigger_stream_not_ensured org_id=%s trigger_id=%s pending=true message=\"%s\"", trigger.orgId, trigger.triggerId(),
                    e.getMessage());
        }
    }

    /** Follows its workflow's enabled flag (a disabled workflow's schedule does not fire). */
    public void setEnabled(Trigger trigger, boolean enabled) {
        trigger.enabled = enabled;
        if (enabled && trigger.streamId == null && spec(trigger).watchesRecords()) {
            ensureStream(trigger, trigger.inline ? "trigger.object" : "object");
        }
        if (spec(trigger).cron() != null) {
            if (enabled) {
                schedules.resume(SCHEDULE_KIND, trigger.triggerId());
            } else {
                schedules.pause(SCHEDULE_KIND, trigger.triggerId());
            }
        }
    }

    public void remove(Trigger trigger) {
        schedules.remove(SCHEDULE_KIND, trigger.triggerId());
        trigger.delete();
    }

    public Page<TriggerDtos.TriggerView> list(String limit, String cursor, String workflowId) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        UUID workflow = workflowId == null || workflowId.isBlank() ? null
                : TypeId.parse(Workflow.ID_PREFIX, workflowId).orElse(new UUID(0, 0));
        return Keyset.of(Trigger.class).whereIfPresent("workflowId = :workflow", "workflow", workflow).page(page, this::view, cursors);
    }

    public TriggerDtos.TriggerView get(String id) {
        return view(require(id));
    }

    @Transactional
    public void delete(String id) {
        Trigger trigger = require(id);
        if (trigger.inline) {
            throw new ApiException(dev.weft.platform.error.ErrorCode.CONFLICT,
                    "this is a workflow's own trigger: change or remove it with PATCH /v1/workflows/" + TypeId.format(Workflow.ID_PREFIX, trigger.workflowId));
        }
        remove(trigger);
        Log.infof("event=trigger_deleted org_id=%s trigger_id=%s", trigger.orgId, trigger.triggerId());
    }

    /**
     * POST /v1/triggers/{id}/invoke: starts the trigger's workflow once per event id (the Idempotency-Key, when given).
     * No transaction: the look-up reads, and the start is one statement that commits on its own.
     */
    public TriggerDtos.Invocation invoke(String id, JsonNode payload, String idempotencyKey) {
        UUID triggerId = Ids.require(Trigger.ID_PREFIX, id, "trigger");
        try {
            return invoke(starter.cachedTarget(triggerId), payload, idempotencyKey);
        } catch (ExecutionStarter.StaleTarget e) {
            // The remembered trigger or workflow changed (and was forgotten): once more with what is there now.
            return invoke(starter.cachedTarget(triggerId), payload, idempotencyKey);
        }
    }

    private TriggerDtos.Invocation invoke(ExecutionStarter.Target trigger, JsonNode payload, String idempotencyKey) {
        if (trigger == null) {
            throw ApiException.notFound("trigger");
        }
        if (!"api_call".equals(trigger.triggerType())) {
            throw ApiException.invalid("type", "api_call", "only api_call triggers can be invoked; this one is " + trigger.triggerType());
        }
        if (payload == null || payload.isNull()) {
            payload = json.createObjectNode();
        }
        String eventId = idempotencyKey == null || idempotencyKey.isBlank() ? "invoke:" + TypeId.generate("evt") : "invoke:" + idempotencyKey;
        Map<String, Object> triggerInfo = new LinkedHashMap<>();
        triggerInfo.put("type", "api_call");
        triggerInfo.put("trigger_id", TypeId.format(Trigger.ID_PREFIX, trigger.triggerId()));
        Object data = json.convertValue(payload, Object.class);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("payload", data);
        context.put("record", data instanceof Map<?, ?> ? data : Map.of());
        ExecutionStarter.Started started = starter.start(trigger, eventId, triggerInfo, data, context);
        if (started == null) {
            throw new ApiException(dev.weft.platform.error.ErrorCode.CONFLICT, "the trigger's workflow is disabled");
        }
        return new TriggerDtos.Invocation(started.executionId(), trigger.workflowTypeId(), started.status(),
                !started.created());
    }

    public Trigger require(String id) {
        Trigger trigger = OrgScopedLookup.findById(Trigger.class, Ids.require(Trigger.ID_PREFIX, id, "trigger"));
        if (trigger == null) {
            throw ApiException.notFound("trigger");
        }
        return trigger;
    }

    public TriggerSpec spec(Trigger trigger) {
        try {
            return json.readValue(trigger.definition, TriggerSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored trigger unreadable", e);
        }
    }

    public TriggerDtos.TriggerView view(Trigger trigger) {
        TriggerSpec spec = spec(trigger);
        Schedule schedule = spec.cron() == null ? null : schedules.find(SCHEDULE_KIND, trigger.triggerId()).orElse(null);
        return new TriggerDtos.TriggerView(trigger.triggerId(), TypeId.format(Workflow.ID_PREFIX, trigger.workflowId), spec.type(),
                spec.connectionId(), spec.object(), TriggerSpec.EVENT.equals(spec.type()) ? spec.eventType() : null, spec.field(), spec.filter(),
                spec.cron(), spec.timezone(), trigger.inline, trigger.enabled, schedule == null ? null : schedule.nextFireAt(),
                "api_call".equals(spec.type()) ? "/v1/triggers/" + trigger.triggerId() + "/invoke" : null, trigger.streamId, trigger.streamError,
                trigger.createdAt);
    }

    private String text(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
