package dev.weft.messaging.email;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.UUID;

/** A synced or sent email (V4__email.sql). Rows are written by {@link EmailStore}'s upsert; flags by the API. */
@Entity
@Table(name = "emails")
public class Email extends OrgScopedEntity {
    public static final String ID_PREFIX = "eml";

    @Column(name = "connection_id")
    public String connectionId;
    @Column(name = "account_id")
    public UUID accountId;
    @Column(name = "provider_message_id")
    public String providerMessageId;
    @Column(name = "imap_uid")
    public Long imapUid;
    @Column(name = "message_id")
    public String messageId;
    @Column(name = "in_reply_to")
    public String inReplyTo;
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "references_ids")
    public String[] referencesIds = new String[0];
    @Column(name = "thread_id")
    public UUID threadId;
    public String folder;
    public String direction;
    @Column(name = "is_read")
    public boolean read;
    @Column(name = "is_starred")
    public boolean starred;
    @Column(name = "is_archived")
    public boolean archived;
    @Column(name = "from_address")
    public String fromAddress;
    @Column(name = "from_name")
    public String fromName;
    @Column(name = "to_list")
    public String toList;
    @Column(name = "cc_list")
    public String ccList;
    @Column(name = "bcc_list")
    public String bccList;
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] addresses = new String[0];
    public String subject;
    @Column(name = "body_text")
    public String bodyText;
    public String snippet;
    /** Any attachment that is not inline (the paperclip); the attachments themselves are {@link EmailAttachment}s. */
    @Column(name = "has_attachments")
    public boolean hasAttachments;
    @Column(name = "received_at")
    public Instant receivedAt;

    public String emailId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
