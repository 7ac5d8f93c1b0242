package dev.weft.workflow.execution;

import dev.weft.platform.db.Timestamps;
import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.workflow.trigger.Trigger;
import dev.weft.workflow.workflow.Workflow;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Starts an execution of a trigger's workflow for one triggering event: the execution row (unique per workflow and event
 * id, so a redelivered or repeated event finds the first one), a pending row per step of the workflow's current
 * version, and {@code workflow.triggered} in the outbox, in one statement; then hands it to this replica's worker or
 * wakes the worker (after the caller's transaction commits, if there is one).
 */
@ApplicationScoped
public class ExecutionStarter {
    private final DataSource dataSource;
    private final ObjectMapper json;
    private final Outbox outbox;
    private final ExecutionWorker worker;
    private final Map<String, String[]> stepTypes = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The execution (unless the event already started this workflow), its pending steps and its workflow.triggered event,
     * in one statement: one round trip, atomic on its own. The lease and claim token are set when the execution is handed
     * straight to this replica's worker (else due now, unclaimed). Only while the trigger and the workflow's version it
     * names are still there and enabled ({@code g}: a target remembered by an invoke may be stale). Answers the new
     * execution's creation time (null if the event had started it already) and whether the target still holds.
     */
    private static final String INSERT = """
            WITH g AS (
                SELECT 1 FROM triggers t JOIN workflows w ON w.id = t.workflow_id AND w.org_id = t.org_id
                WHERE t.id = ? AND t.org_id = ? AND w.id = ? AND w.version = ? AND w.enabled),
            e AS (
                INSERT INTO executions (id, org_id, workflow_id, workflow_version, trigger_id, trigger_type, event_id, status, input, context,
                                        current_step, step_count, due_at, lease_owner, started_at, created_at, updated_at)
                SELECT ?, ?, ?, ?, ?, ?, ?, CASE WHEN ?::boolean THEN 'running' ELSE 'queued' END, ?, ?, 0, ?, now() + make_interval(secs => ?), ?,
                       CASE WHEN ?::boolean THEN now() END, now(), now() FROM g
                ON CONFLICT (workflow_id, event_id) DO NOTHING
                RETURNING id, created_at),
            s AS (
                INSERT INTO execution_steps (execution_id, step_index, org_id, type, status)
                SELECT e.id, i - 1, ?, t, 'pending' FROM e, unnest(?::text[]) WITH ORDINALITY AS s(t, i)),
            o AS (
                INSERT INTO outbox (""" + Outbox.ROW_COLUMNS + ") SELECT " + Outbox.ROW_PLACEHOLDERS + """
                 FROM e)
            SELECT (SELECT created_at FROM e), (SELECT count(*) FROM g)""";

    public ExecutionStarter(DataSource dataSource, ObjectMapper json, Outbox outbox, ExecutionWorker worker) {
        this.dataSource = dataSource;
        this.json = json;
        this.outbox = outbox;
        this.worker = worker;
    }

    /** The step types of a workflow version, parsed once per replica (a stored version never changes); bounded, cleared when full. */
    private String[] stepTypes(Target workflow) {
        String key = workflow.workflowId() + ":" + workflow.version();
        String[] cached = stepTypes.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode actions;
        try {
            actions = json.readTree(workflow.actions());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored workflow unreadable", e);
        }
        String[] types = new String[actions.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = actions.get(i).path("type").asText();
        }
        if (stepTypes.size() >= 1000) {
            stepTypes.clear();
        }
        stepTypes.put(key, types);
        return types;
    }

    /** @param created false when the event had already started this workflow (the first execution is returned) */
    public record Started(String executionId, String status, boolean created) {
    }

    /** What starting an execution needs of a trigger and its workflow (the workflow's current version). */
    public record Target(UUID triggerId, String triggerType, UUID workflowId, int version, String name, boolean enabled, String actions,
                         String signingSecret) {
        public String workflowTypeId() {
            return TypeId.format(Workflow.ID_PREFIX, workflowId);
        }
    }

    /** The trigger or its workflow changed since the target was read: read it again. */
    public static final class StaleTarget extends RuntimeException {
        StaleTarget() {
            super("the trigger's workflow changed", null, false, false);
        }
    }

    /** Targets read by invokes, per org and trigger: checked by the start's own statement, so one that changed is never used. */
    private final Map<String, Target> targets = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_TARGETS = 10_000;

    /** {@link #target}, remembered: an invoke then costs one statement (the start checks that it still holds). */
    public Target cachedTarget(UUID triggerId) {
        String key = TenantContext.requireOrgId() + ":" + triggerId;
        Target cached = targets.get(key);
        if (cached != null) {
            return cached;
        }
        Target target = target(triggerId);
        // Only one an invoke can start: a disabled workflow or another type of trigger is read again at every invoke.
        if (target != null && target.enabled() && "api_call".equals(target.triggerType())) {
            if (targets.size() >= MAX_TARGETS) {
                targets.clear();
            }
            targets.put(key, target);
        }
        return target;
    }

    private void forget(UUID triggerId, String orgId) {
        targets.remove(orgId + ":" + triggerId);
    }

    /**
     * The current org's trigger and its workflow in one query, or null: what an invoke needs, without loading two entities
     * through Hibernate (their native-query mapping was a third of the invoke's CPU in bench/workflows).
     */
    public Target target(UUID triggerId) {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT t.type, w.id, w.version, w.name, w.enabled, w.actions, w.signing_secret
                FROM triggers t JOIN workflows w ON w.id = t.workflow_id AND w.org_id = t.org_id
                WHERE t.id = ? AND t.org_id = ?""")) {
            select.setObject(1, triggerId);
            select.setString(2, TenantContext.requireOrgId());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Target(triggerId, row.getString(1), row.getObject(2, UUID.class), row.getInt(3), row.getString(4),
                        row.getBoolean(5), row.getString(6), row.getString(7)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading trigger failed: " + e.getMessage(), e);
        }
    }

    /** Null when the workflow is disabled (nothing starts). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Started start(Trigger trigger, String eventId, Map<String, Object> triggerInfo, Object input, Map<String, Object> context) {
        Workflow workflow = OrgScopedLookup.findById(Workflow.class, trigger.workflowId);
        if (workflow == null) {
            return null;
        }
        return start(new Target(trigger.id, trigger.type, workflow.id, workflow.version, workflow.name, workflow.enabled, workflow.actions,
                workflow.signingSecret), eventId,
                triggerInfo, input, context);
    }

    /**
     * Null when the workflow is disabled (nothing starts). In the caller's transaction if there is one (an event's
     * handling, with its processed-event claim), else on its own (an invoke): the execution, its steps and
     * {@code workflow.triggered} are one statement, so they commit together either way.
     * <p>
     * Without a transaction, and when this replica's worker has a free slot, the execution is inserted already claimed by
     * it (a lease in {@code due_at}, a claim token in {@code lease_owner}) and handed to it with the data in memory: no
     * claim query, no context read back. Should this replica die first, the lease passes and another one claims it.
     */
    public Started start(Target workflow, String eventId, Map<String, Object> triggerInfo, Object input, Map<String, Object> context) {
        if (!workflow.enabled()) {
            return null;
        }
        String[] types = stepTypes(workflow);
        UUID id = TypeId.uuidV7();
        Map<String, Object> fullContext = new LinkedHashMap<>(context);
        fullContext.put("trigger", triggerInfo);
        String orgId = TenantContext.requireOrgId();
        String executionId = TypeId.format(Execution.ID_PREFIX, id);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", executionId);
        event.put("workflow_id", workflow.workflowTypeId());
        event.put("org_id", orgId);
        event.put("workflow_name", workflow.name());
        event.put("workflow_version", workflow.version());
        event.put("trigger", triggerInfo);
        event.put("status", "queued");
        event.put("triggered_at", Instant.now().toString());
        boolean inTransaction = QuarkusTransaction.isActive();
        ExecutionWorker.HandOff handOff = inTransaction ? null : worker.reserve();
        Instant createdAt;
        // Before the insert that sets the hand-off's lease: the lease ends no sooner than a lease after this.
        Instant leasedAt = Instant.now();
        try {
            try (Connection db = dataSource.getConnection(); PreparedStatement insert = db.prepareStatement(INSERT)) {
                int i = 1;
                insert.setObject(i++, workflow.triggerId());
                insert.setString(i++, orgId);
                insert.setObject(i++, workflow.workflowId());
                insert.setInt(i++, workflow.version());
                insert.setObject(i++, id);
                insert.setString(i++, orgId);
                insert.setObject(i++, workflow.workflowId());
                insert.setInt(i++, workflow.version());
                insert.setObject(i++, workflow.triggerId());
                insert.setString(i++, workflow.triggerType());
                insert.setString(i++, eventId);
                // Handed over, it runs now: running (and started) from its insert, since its first record may be its last.
                insert.setBoolean(i++, handOff != null);
                insert.setString(i++, json.writeValueAsString(input));
                insert.setString(i++, json.writeValueAsString(fullContext));
                insert.setInt(i++, types.length);
                insert.setDouble(i++, handOff == null ? 0 : worker.lease().toMillis() / 1000.0);
                insert.setString(i++, handOff == null ? null : handOff.owner());
                insert.setBoolean(i++, handOff != null);
                insert.setString(i++, orgId);
                insert.setArray(i++, db.createArrayOf("text", types));
                outbox.bindRow(insert, i, DomainEvent.of(Topics.WORKFLOWS, "workflow.triggered", executionId, event));
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    createdAt = Timestamps.instant(row, 1);
                    if (row.getInt(2) == 0) {
                        // The trigger is gone, or its workflow disabled or changed since the target was read.
                        forget(workflow.triggerId(), orgId);
                        throw new StaleTarget();
                    }
                }
                if (createdAt == null) {
                    try (PreparedStatement existing = db.prepareStatement("SELECT id, status FROM executions WHERE workflow_id = ? AND event_id = ?")) {
                        existing.setObject(1, workflow.workflowId());
                        existing.setString(2, eventId);
                        try (ResultSet row = existing.executeQuery()) {
                            row.next();
                            Log.infof("event=execution_duplicate org_id=%s workflow_id=%s event_id=%s", orgId, workflow.workflowTypeId(), eventId);
                            return new Started(TypeId.format(Execution.ID_PREFIX, row.getObject(1, UUID.class)), row.getString(2), false);
                        }
                    }
                }
            } catch (SQLException | JsonProcessingException e) {
                throw new IllegalStateException("starting an execution failed: " + e.getMessage(), e);
            }
            outbox.written();
            Log.infof("event=execution_started org_id=%s workflow_id=%s execution_id=%s trigger=%s event_id=%s", orgId, workflow.workflowTypeId(),
                    executionId, workflow.triggerType(), eventId);
            if (handOff != null) {
                worker.start(handOff, new ExecutionWorker.Claimed(id, orgId, workflow.workflowId(), workflow.version(), 0, types.length, null,
                        createdAt, workflow.signingSecret(), fullContext, leasedAt));
                handOff = null;
            } else if (inTransaction) {
                worker.wakeAfterCommit();
            } else {
                worker.wakeNow();
            }
            return new Started(executionId, "queued", true);
        } finally {
            if (handOff != null) {
                worker.release(handOff);
            }
        }
    }
}
