package dev.weft.workflow.execution;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * One run of one workflow version for one triggering event. Read through this entity (lists, the API); written by
 * {@link ExecutionStore} in SQL, since the worker's claims and step transitions are guarded updates.
 */
@Entity
@Table(name = "executions")
public class Execution extends OrgScopedEntity {
    public static final String ID_PREFIX = "exe";

    @Column(name = "workflow_id")
    public UUID workflowId;
    @Column(name = "workflow_version")
    public int workflowVersion;
    @Column(name = "trigger_id")
    public UUID triggerId;
    @Column(name = "trigger_type")
    public String triggerType;
    @Column(name = "event_id")
    public String eventId;
    public String status;
    public String input;
    public String context;
    @Column(name = "current_step")
    public int currentStep;
    @Column(name = "step_count")
    public int stepCount;
    @Column(name = "due_at")
    public Instant dueAt;
    public String error;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;

    public String executionId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
