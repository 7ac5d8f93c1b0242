package dev.weft.messaging.document;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;

/** A file the org stored: {@code pending} until its upload is confirmed, then {@code uploaded}. The bytes live in a {@link DocumentStore}. */
@Entity
@Table(name = "documents")
public class Document extends OrgScopedEntity {
    public static final String ID_PREFIX = "doc";
    public static final String PENDING = "pending";
    public static final String UPLOADED = "uploaded";

    @Column(name = "file_name")
    public String fileName;
    @Column(name = "content_type")
    public String contentType;
    @Column(name = "declared_size")
    public Long declaredSize;
    @Column(name = "declared_sha256")
    public String declaredSha256;
    @Column(name = "size_bytes")
    public Long sizeBytes;
    public String sha256;
    public String status = PENDING;
    public boolean archived;
    @Column(name = "archived_at")
    public Instant archivedAt;
    @Column(name = "entity_type")
    public String entityType;
    @Column(name = "entity_id")
    public String entityId;
    public String store;
    @Column(name = "object_key")
    public String objectKey;
    @Column(name = "upload_started_at")
    public Instant uploadStartedAt;
    @Column(name = "uploaded_at")
    public Instant uploadedAt;
    @Column(name = "created_by")
    public String createdBy;

    public String documentId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
