package dev.weft.connections.connection;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/** A manual sync of a connection's mail and/or calendar, asked for through the API; created_at is when. */
@Entity
@Table(name = "connection_sync_requests")
public class SyncRequest extends OrgScopedEntity {
    public static final String ID_PREFIX = "csr";

    @Column(name = "connection_id", nullable = false, updatable = false)
    public UUID connectionId;
    public String provider;
    public String type;
    @Column(name = "requested_by")
    public String requestedBy;

    public String requestId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
