package dev.weft.workflow.trigger;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/**
 * What starts a workflow: a record change, a catalog event, a schedule or an API call. A workflow's own trigger
 * ({@code inline}) and standalone ones (POST /v1/triggers) are rows alike; {@code eventType} is the Kafka event type a
 * consumed event must have to be looked at ({@code record.created} for record_created, ...).
 */
@Entity
@Table(name = "triggers")
public class Trigger extends OrgScopedEntity {
    public static final String ID_PREFIX = "trg";

    @Column(name = "workflow_id")
    public UUID workflowId;
    public boolean inline;
    public String type;
    @Column(name = "connection_id")
    public String connectionId;
    public String object;
    @Column(name = "event_type")
    public String eventType;
    /** JSON, as given (normalised type). */
    public String definition;
    public boolean enabled;
    /** A record trigger's change stream at connections-service, once found or created; else why not in streamError. */
    @Column(name = "stream_id")
    public String streamId;
    @Column(name = "stream_error")
    public String streamError;
    /** Ensuring the stream failed in a way worth trying again (connections-service unreachable or failing). */
    @Column(name = "stream_pending")
    public boolean streamPending;

    public String triggerId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
