package dev.weft.workflow.execution;

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
 * Starts an execution of a trigger's workflow for one triggering event, in the caller's transaction: the execution
 * row (unique per workflow and event id, so a redelivered or repeated event finds the first one), a pending row per
 * step of the workflow's current version, and {@code workflow.triggered} in the outbox; then wakes this replica's
 * worker once the transaction commits.
 */
@ApplicationScoped
public class ExecutionStarter {
    private final DataSource dataSource;
    private final ObjectMapper json;
    private final Outbox outbox;
    private final ExecutionWorker worker;
    private final Map<String, String[]> stepTypes = new java.util.concurrent.ConcurrentHashMap<>();

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
    public record Target(UUID triggerId, String triggerType, UUID workflowId, int version, String name, boolean enabled, String actions) {
        public String workflowTypeId() {
            return TypeId.format(Workflow.ID_PREFIX, workflowId);
        }
    }

    /**
     * The current org's trigger and its workflow in one query, or null: what an invoke needs, without loading two entities
     * through Hibernate (their native-query mapping was a third of the invoke's CPU in bench/workflows).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Target target(UUID triggerId) {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT t.type, w.id, w.version, w.name, w.enabled, w.actions
                FROM triggers t JOIN workflows w ON w.id = t.workflow_id AND w.org_id = t.org_id
                WHERE t.id = ? AND t.org_id = ?""")) {
            select.setObject(1, triggerId);
            select.setString(2, TenantContext.requireOrgId());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Target(triggerId, row.getString(1), row.getObject(2, UUID.class), row.getInt(3), row.getString(4),
                        row.getBoolean(5), row.getString(6)) : null;
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
        return start(new Target(trigger.id, trigger.type, workflow.id, workflow.version, workflow.name, workflow.enabled, workflow.actions), eventId,
                triggerInfo, input, context);
    }

    /** Null when the workflow is disabled (nothing starts). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Started start(Target workflow, String eventId, Map<String, Object> triggerInfo, Object input, Map<String, Object> context) {
        if (!workflow.enabled()) {
            return null;
        }
        String[] types = stepTypes(workflow);
        UUID id = TypeId.uuidV7();
        Map<String, Object> fullContext = new LinkedHashMap<>(context);
        fullContext.put("trigger", triggerInfo);
        String orgId = TenantContext.requireOrgId();
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO executions (id, org_id, workflow_id, workflow_version, trigger_id, trigger_type, event_id, status, input, context,
                                            current_step, step_count, due_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, 0, ?, now(), now(), now())
                    ON CONFLICT (workflow_id, event_id) DO NOTHING""")) {
                insert.setObject(1, id);
                insert.setString(2, orgId);
                insert.setObject(3, workflow.workflowId());
                insert.setInt(4, workflow.version());
                insert.setObject(5, workflow.triggerId());
                insert.setString(6, workflow.triggerType());
                insert.setString(7, eventId);
                insert.setString(8, json.writeValueAsString(input));
                insert.setString(9, json.writeValueAsString(fullContext));
                insert.setInt(10, types.length);
                if (insert.executeUpdate() == 0) {
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
            }
            try (PreparedStatement steps = db.prepareStatement("""
                    INSERT INTO execution_steps (execution_id, step_index, org_id, type, status)
                    SELECT ?, i - 1, ?, t, 'pending' FROM unnest(?::text[]) WITH ORDINALITY AS s(t, i)""")) {
                steps.setObject(1, id);
                steps.setString(2, orgId);
                steps.setArray(3, db.createArrayOf("text", types));
                steps.executeUpdate();
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("starting an execution failed: " + e.getMessage(), e);
        }
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
        outbox.publish(DomainEvent.of(Topics.WORKFLOWS, "workflow.triggered", executionId, event));
        Log.infof("event=execution_started org_id=%s workflow_id=%s execution_id=%s trigger=%s event_id=%s", orgId, workflow.workflowTypeId(),
                executionId, workflow.triggerType(), eventId);
        worker.wakeAfterCommit();
        return new Started(executionId, "queued", true);
    }
}
