package dev.weft.platform.tenancy;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.Cursor;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import org.hibernate.annotations.TenantId;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Base of every tenant-owned entity: a UUIDv7 id, the owning org (Hibernate's tenant
 * discriminator, never set by hand), and creation/update times at PostgreSQL's microsecond
 * precision so keyset cursors round-trip exactly.
 */
@MappedSuperclass
public abstract class OrgScopedEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "org_id", nullable = false, updatable = false)
    public String orgId;

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
