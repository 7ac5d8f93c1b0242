package dev.weft.messaging.message;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/** A message in a conversation, either way. {@code createdAt} is set from the database clock by {@link MessageService#record}. */
@Entity
@Table(name = "messages")
public class Message extends OrgScopedEntity {
    public static final String ID_PREFIX = "msg";

    @Column(name = "conversation_id")
    public UUID conversationId;
    @Column(name = "contact_id")
    public UUID contactId;
    public String channel;
    public String direction;
    public String type;
    public String content;
    /** JSON object, for template messages. */
    public String template;
    /** JSON object. */
    public String metadata = "{}";
    @Column(name = "author_type")
    public String authorType;
    @Column(name = "agent_id")
    public String agentId;
    public boolean internal;
    public String status;
    @Column(name = "platform_message_id")
    public String platformMessageId;
    @Column(name = "error_code")
    public String errorCode;
    @Column(name = "error_message")
    public String errorMessage;

    public String messageId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
