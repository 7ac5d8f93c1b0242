package dev.weft.messaging.email;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/** One attachment of a synced email (V9__email_attachments.sql): metadata only, the content stays with the provider. */
@Entity
@Table(name = "email_attachments")
public class EmailAttachment extends OrgScopedEntity {
    public static final String ID_PREFIX = "att";

    @Column(name = "email_id")
    public UUID emailId;
    /** IMAP: the MIME section ("2", "1.2"); Gmail: the payload part's partId; Graph: the attachment id. */
    @Column(name = "provider_attachment_id")
    public String providerAttachmentId;
    public int position;
    public String filename;
    @Column(name = "content_type")
    public String contentType;
    @Column(name = "size_bytes")
    public Long size;
    @Column(name = "content_id")
    public String contentId;
    @Column(name = "is_inline")
    public boolean inline;

    public String attachmentId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
