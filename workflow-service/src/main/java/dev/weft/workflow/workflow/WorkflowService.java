package dev.weft.workflow.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.workflow.action.Actions;
import dev.weft.workflow.trigger.Trigger;
import dev.weft.workflow.trigger.TriggerService;
import dev.weft.workflow.trigger.TriggerSpec;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Workflows of the current org. Every create and change is checked whole (trigger and each action, 400 naming the
 * field), bumps the version, and stores that version's definition immutably beside the workflow, in one transaction
 * with the trigger row and its schedule.
 */
@ApplicationScoped
public class WorkflowService {
    private final Actions actions;
    private final TriggerService triggers;
    private final SecretCipher cipher;
    private final CursorCodec cursors;
    private final ObjectMapper json;
    private final DataSource dataSource;

    public WorkflowService(Actions actions, TriggerService triggers, SecretCipher cipher, CursorCodec cursors, ObjectMapper json, DataSource dataSource) {
        this.actions = actions;
        this.triggers = triggers;
        this.cipher = cipher;
        this.cursors = cursors;
        this.json = json;
        this.dataSource = dataSource;
    }

    @Transactional
    public WorkflowDtos.WorkflowView create(WorkflowDtos.WorkflowRequest request) {
        TriggerSpec trigger = check(request);
        Workflow workflow = new Workflow();
        workflow.id = TypeId.uuidV7();
        workflow.name = request.name().strip();
        workflow.enabled = request.enabled() == null || request.enabled();
        workflow.version = 1;
        workflow.actions = text(request.actions());
        String secret = StandardWebhooks.generateSecret();
        workflow.signingSecret = cipher.encrypt(secret, workflow.workflowId());
        workflow.persist();
        if (trigger != null) {
            workflow.triggerId = triggers.write(new Trigger(), workflow, trigger, true).id;
        }
        storeVersion(workflow, request.trigger());
        Log.infof("event=workflow_created org_id=%s workflow_id=%s trigger=%s actions=%d", workflow.orgId, workflow.workflowId(),
                trigger == null ? "none" : trigger.type(), request.actions().size());
        return view(workflow, secret);
    }

    public Page<WorkflowDtos.WorkflowView> list(String limit, String cursor) {
        return Keyset.of(Workflow.class).page(PageRequest.of(limit, cursor, cursors), w -> view(w, null), cursors);
    }

    public WorkflowDtos.WorkflowView get(String id) {
        return view(require(id), null);
    }

    /** JSON Merge Patch over {name, trigger, actions, enabled}; checked like a create; a new version. */
    @Transactional
    public WorkflowDtos.WorkflowView update(String id, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object");
        }
        Workflow workflow = require(id);
        for (var it = patch.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!List.of("name", "trigger", "actions", "enabled").contains(field)) {
                throw ApiException.invalid(field, "unknown", "unknown field " + field + ": a workflow has name, trigger, actions and enabled");
            }
        }
        Trigger current = workflow.triggerId == null ? null : Trigger.findById(workflow.triggerId);
        JsonNode triggerNode = patch.has("trigger") ? patch.get("trigger")
                : current == null ? null : json.valueToTree(triggers.spec(current));
        if (patch.has("trigger") && patch.get("trigger").isObject() && current != null && !patch.get("trigger").has("type")) {
            // A merge patch of the trigger's fields keeps its type.
            ObjectNode merged = json.valueToTree(triggers.spec(current));
            merged.setAll((ObjectNode) patch.get("trigger"));
            triggerNode = merged;
        }
        JsonNode enabled = patch.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw ApiException.invalid("enabled", "type", "enabled must be true or false");
        }
        WorkflowDtos.WorkflowRequest request = new WorkflowDtos.WorkflowRequest(
                patch.has("name") ? (patch.get("name").isTextual() ? patch.get("name").asText() : "") : workflow.name,
                triggerNode == null || triggerNode.isNull() ? null : triggerNode,
                patch.has("actions") ? patch.get("actions") : read(workflow.actions),
                enabled == null || enabled.isNull() ? workflow.enabled : enabled.asBoolean());
        TriggerSpec spec = check(request);
        workflow.name = request.name().strip();
        workflow.enabled = request.enabled();
        workflow.actions = text(request.actions());
        workflow.version++;
        if (spec == null && current != null) {
            triggers.remove(current);
            workflow.triggerId = null;
        } else if (spec != null) {
            workflow.triggerId = triggers.write(current == null ? new Trigger() : current, workflow, spec, true).id;
        }
        for (Trigger trigger : Trigger.<Trigger>list("workflowId", workflow.id)) {
            if (trigger.enabled != workflow.enabled) {
                triggers.setEnabled(trigger, workflow.enabled);
            }
        }
        storeVersion(workflow, request.trigger());
        Log.infof("event=workflow_updated org_id=%s workflow_id=%s version=%d enabled=%s", workflow.orgId, workflow.workflowId(), workflow.version,
                workflow.enabled);
        return view(workflow, null);
    }

    @Transactional
    public void delete(String id) {
        Workflow workflow = require(id);
        for (Trigger trigger : Trigger.<Trigger>list("workflowId", workflow.id)) {
            triggers.remove(trigger);
        }
        workflow.delete();
        Log.infof("event=workflow_deleted org_id=%s workflow_id=%s", workflow.orgId, workflow.workflowId());
    }

    public Workflow require(String id) {
        Workflow workflow = Workflow.findById(Ids.require(Workflow.ID_PREFIX, id, "workflow"));
        if (workflow == null) {
            throw ApiException.notFound("workflow");
        }
        return workflow;
    }

    private TriggerSpec check(WorkflowDtos.WorkflowRequest request) {
        if (request.name() == null || request.name().isBlank()) {
            throw ApiException.invalid("name", "required", "name is required");
        }
        if (request.name().length() > 200) {
            throw ApiException.invalid("name", "max_length", "name is longer than 200 characters");
        }
        actions.check(request.actions());
        return request.trigger() == null || request.trigger().isNull() ? null : TriggerSpec.check(request.trigger(), "trigger");
    }

    private void storeVersion(Workflow workflow, JsonNode trigger) {
        Workflow.getEntityManager().flush();
        try (Connection db = dataSource.getConnection(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO workflow_versions (workflow_id, version, org_id, definition) VALUES (?, ?, ?, ?)")) {
            insert.setObject(1, workflow.id);
            insert.setInt(2, workflow.version);
            insert.setString(3, workflow.orgId);
            insert.setString(4, json.writeValueAsString(Map.of("name", workflow.name, "trigger", trigger == null ? json.nullNode() : trigger,
                    "actions", read(workflow.actions))));
            insert.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("storing workflow version failed: " + e.getMessage(), e);
        }
    }

    private WorkflowDtos.WorkflowView view(Workflow workflow, String secret) {
        Trigger trigger = workflow.triggerId == null ? null : Trigger.findById(workflow.triggerId);
        return new WorkflowDtos.WorkflowView(workflow.workflowId(), workflow.name, workflow.enabled, workflow.version,
                trigger == null ? null : triggers.view(trigger), read(workflow.actions), secret, workflow.createdAt, workflow.updatedAt);
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored workflow unreadable", e);
        }
    }

    private String text(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
