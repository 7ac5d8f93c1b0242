package dev.weft.messaging.conversation;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A conversation with one contact on one channel, in one inbox. {@code version} is its ETag: every change moves it,
 * always under the row's lock (PATCH, a new message, a merge), so a stale If-Match is seen.
 */
@Entity
@Table(name = "conversations")
public class Conversation extends OrgScopedEntity {
    public static final String ID_PREFIX = "cnv";

    @Column(name = "contact_id")
    public UUID contactId;
    public String channel;
    public String inbox;
    public String subject;
    /** The CRM entity the conversation is linked to (issue 14), both or neither. */
    @jakarta.persistence.Column(name = "entity_type")
    public String entityType;
    @jakarta.persistence.Column(name = "entity_id")
    public String entityId;
    public String status;
    @Column(name = "assignee_id")
    public String assigneeId;
    @Column(name = "snoozed_until")
    public Instant snoozedUntil;
    @Column(name = "resolved_at")
    public Instant resolvedAt;
    @Column(name = "last_message_at")
    public Instant lastMessageAt;
    public long version = 1;

    /**
     * Read as a plain row (ContactService / ConversationService on the hot paths), not managed by the session: what
     * changes on it is written by explicit UPDATEs of those columns, never by a flush.
     */
    @jakarta.persistence.Transient
    public transient boolean plain;

    public String conversationId() {
        return TypeId.format(ID_PREFIX, id);
    }

    public String etag() {
        return "\"" + version + "\"";
    }
}
