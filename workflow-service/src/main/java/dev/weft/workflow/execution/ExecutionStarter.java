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

    public ExecutionStarter(DataSource dataSource, ObjectMapper json, Outbox outbox, ExecutionWorker worker) {
        this.dataSource = dataSource;
        this.json = json;
        this.outbox = outbox;
        this.worker = worker;
    }

    /** @param created false when the event had already started this workflow (the first execution is returned) */
    public record Started(String executionId, String status, boolean created) {
    }

    /** Null when the workflow is disabled (nothing starts). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Started start(Trigger trigger, String eventId, Map<String, Object> triggerInfo, Object input, Map<String, Object> context) {
        Workflow workflow = OrgScopedLookup.findById(Workflow.class, trigger.workflowId);
        if (workflow == null || !workflow.enabled) {
            return null;
        }
        JsonNode actions;
        try {
            actions = json.readTree(workflow.actions);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored workflow unreadable", e);
        }
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
                insert.setObject(3, workflow.id);
                insert.setInt(4, workflow.version);
                insert.setObject(5, trigger.id);
                insert.setString(6, trigger.type);
                insert.setString(7, eventId);
                insert.setString(8, json.writeValueAsString(input));
                insert.setString(9, json.writeValueAsString(fullContext));
                insert.setInt(10, actions.size());
                if (insert.executeUpdate() == 0) {
                    try (PreparedStatement existing = db.prepareStatement("SELECT id, status FROM executions WHERE workflow_id = ? AND event_id = ?")) {
                        existing.setObject(1, workflow.id);
                        existing.setString(2, eventId);
                        try (ResultSet row = existing.executeQuery()) {
                            row.next();
                            Log.infof("event=execution_duplicate org_id=%s workflow_id=%s event_id=%s", orgId, workflow.workflowId(), eventId);
                            return new Started(TypeId.format(Execution.ID_PREFIX, row.getObject(1, UUID.class)), row.getString(2), false);
                        }
                    }
                }
            }
            try (PreparedStatement steps = db.prepareStatement("""
                    INSERT INTO execution_steps (execution_id, step_index, org_id, type, status)
                    SELECT ?, i - 1, ?, t, 'pending' FROM unnest(?::text[]) WITH ORDINALITY AS s(t, i)""")) {
                String[] types = new String[actions.size()];
                for (int i = 0; i < types.length; i++) {
                    types[i] = actions.get(i).path("type").asText();
                }
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
        event.put("workflow_id", workflow.workflowId());
        event.put("org_id", orgId);
        event.put("workflow_name", workflow.name);
        event.put("workflow_version", workflow.version);
        event.put("trigger", triggerInfo);
        event.put("status", "queued");
        event.put("triggered_at", Instant.now().toString());
        outbox.publish(DomainEvent.of(Topics.WORKFLOWS, "workflow.triggered", executionId, event));
        Log.infof("event=execution_started org_id=%s workflow_id=%s execution_id=%s trigger=%s event_id=%s", orgId, workflow.workflowId(),
                executionId, trigger.type, eventId);
        worker.wakeAfterCommit();
        return new Started(executionId, "queued", true);
    }
}
