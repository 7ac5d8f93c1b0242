package dev.weft.sync.sync;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A sync: where records come from, where they go, how they are mapped, filtered and transformed, and when it runs.
 * The JSON parts are stored as the API shows them; {@code cursor} is the source's high-water mark after the last
 * committed batch, written only by a run's checkpoint (so only changed columns are written: an API edit never puts
 * back a cursor a run moved meanwhile).
 */
@Entity
@Table(name = "syncs")
@DynamicUpdate
public class Sync extends OrgScopedEntity {
    public static final String ID_PREFIX = "sync";

    public String name;
    /** JSON {@link SyncDtos.Source}. */
    public String source;
    /** JSON {@link SyncDtos.Destination}. */
    public String destination;
    @Column(name = "source_connection_id")
    public String sourceConnectionId;
    @Column(name = "destination_connection_id")
    public String destinationConnectionId;
    public String schedule;
    public String timezone;
    /** JSON list of {@link SyncDtos.FieldMapping}. */
    @Column(name = "field_mappings")
    public String fieldMappings;
    /** JSON list of filter strings. */
    public String filters;
    @Column(name = "transform_id")
    public String transformId;
    public boolean enabled;
    @Column(name = "disabled_reason")
    public String disabledReason;
    public String cursor;

    public String syncId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
