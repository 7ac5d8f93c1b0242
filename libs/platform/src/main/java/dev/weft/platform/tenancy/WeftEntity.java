package dev.weft.platform.tenancy;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.Cursor;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Base of every Weft entity: a UUIDv7 id and creation/update times at PostgreSQL's microsecond
 * precision, so keyset cursors round-trip exactly. Tenant-owned rows extend
 * {@link OrgScopedEntity}; only the tenants themselves (organizations) extend this directly.
 */
@MappedSuperclass
public abstract class WeftEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @PrePersist
    void beforeInsert() {
        if (id == null) {
            id = TypeId.uuidV7();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        createdAt = now;
        updatedAt = now;
    }

    @PreUpdate
    void beforeUpdate() {
        updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public Cursor position() {
        return new Cursor(createdAt, id);
    }
}
