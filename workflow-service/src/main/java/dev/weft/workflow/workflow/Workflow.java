package dev.weft.workflow.workflow;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/**
 * A workflow: its current version's name, actions and trigger (the trigger is a {@link dev.weft.workflow.trigger.Trigger}
 * row of its own, {@code inline}). Every change bumps {@code version} and stores that version's definition in
 * {@code workflow_versions}, which executions run from.
 */
@Entity
@Table(name = "workflows")
public class Workflow extends OrgScopedEntity {
    public static final String ID_PREFIX = "wf";

    public String name;
    public boolean enabled;
    public int version;
    @Column(name = "trigger_id")
    public UUID triggerId;
    /** JSON array of actions, as given. */
    public String actions;
    /** Encrypted whsec_ secret signing the workflow's outbound requests. */
    @Column(name = "signing_secret")
    public String signingSecret;

    public String workflowId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
