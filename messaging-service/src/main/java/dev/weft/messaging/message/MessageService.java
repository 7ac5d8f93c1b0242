package dev.weft.messaging.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.contact.Contact;
import dev.weft.messaging.contact.ContactService;
import dev.weft.messaging.conversation.Conversation;
import dev.weft.messaging.conversation.ConversationService;
import dev.weft.messaging.conversation.ConversationStatus;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.Cursor;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import dev.weft.platform.db.GroupCommit;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.query.NativeQuery;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Messages: {@link #record} stores one (idempotent on the channel's message id) under the conversation's lock, with a
 * created_at from the database clock that never goes below the conversation's previous message, so history pages
 * on (created_at, id) have no gaps and no repeats (docs/messaging.md). {@link #reply} stores an agent's reply as
 * queued, sends it through the channel's {@link ChannelSender} outside the transaction, and records the outcome.
 */
@ApplicationScoped
public class MessageService {
    public static final List<String> TYPES = List.of("text", "template", "image", "video", "audio", "document", "location", "sticker", "interactive");
    private static final Set<String> REPLY_FIELDS = Set.of("content", "body", "type", "template", "internal", "author_type", "agent_id", "metadata");
    /** Delivery statuses only move forward (receipts arrive out of order); failed ends any of them but read. */
    private static final List<String> PROGRESS = List.of("queued", "sent", "delivered", "read");

    private final ConversationService conversations;
    private final ContactService contacts;
    private final ChannelSenders senders;
    private final MessagingEvents events;
    private final CursorCodec cursors;
    private final dev.weft.messaging.Db db;
    private final GroupCommit groupCommit;

    /** A message to store. {@code status}: received (inbound), queued, sent, delivered, read, failed, or stored (an internal note). */
    public record NewMessage(String direction, String type, String content, JsonNode template, JsonNode metadata, String authorType,
                             String agentId, boolean internal, String status, String platformMessageId, String errorCode, String errorMessage) {
        /** A message from the contact, as a channel delivered it. */
        public static NewMessage inbound(String type, String content, String platformMessageId, JsonNode metadata) {
            return new NewMessage("inbound", type, content, null, metadata, "contact", null, false, "received", platformMessageId, null, null);
        }
    }

    public record Recorded(Message message, boolean created) {
    }

    public MessageService(ConversationService conversations, ContactService contacts, ChannelSenders senders, MessagingEvents events,
                          CursorCodec cursors, dev.weft.messaging.Db db, GroupCommit groupCommit) {
        this.db = db;
        this.groupCommit = groupCommit;
        this.conversations = conversations;
        this.contacts = contacts;
        this.senders = senders;
        this.events = events;
        this.cursors = cursors;
    }

    /**
     * Stores a message in the conversation, once per (org, channel, platform_message_id): a redelivery returns the
     * stored message with {@code created=false} and publishes nothing. An inbound message moves the contact's
     * last_inbound_at and reopens a snoozed, pending or resolved conversation.
     */
    @Transactional
    public Recorded record(UUID conversationId, NewMessage m) {
        Conversation conversation = Conversation.findById(conversationId, LockModeType.PESSIMISTIC_WRITE);
        if (conversation == null) {
            throw ApiException.notFound("conversation");
        }
        if (m.platformMessageId() != null) {
            Message existing = stored(conversation.channel, m.platformMessageId());
            if (existing != null) {
                return new Recorded(existing, false);
            }
        }
        return record(conversation, null, m);
    }

    /**
     * What {@link #record} writes, in one statement: the message (created_at from the database clock, never below the
     * conversation's last message, read from the row the caller has locked; the provider's id decided by its unique
     * index), then, only when it was inserted, the contact's last_inbound_at or last_outbound_at and the conversation's
     * last_message_at, version and (reopened by an inbound message) status. Only those columns are written, relative to
     * the stored row, so nothing read earlier is written back. No row back: the provider's id was already stored.
     */
    private static final String RECORD = """
            WITH m AS (
              INSERT INTO messages (id, org_id, conversation_id, contact_id, channel, direction, type, content, template, metadata, author_type,
                                    agent_id, internal, status, platform_message_id, error_code, error_message, created_at, updated_at)
              SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, t.at, t.at
              FROM (SELECT greatest(clock_timestamp(), coalesce(v.last_message_at, '-infinity'::timestamptz)) AS at
                    FROM conversations v WHERE v.id = ? AND v.org_id = ?) t
              ON CONFLICT (org_id, channel, platform_message_id) WHERE platform_message_id IS NOT NULL DO NOTHING
              RETURNING created_at),
            c AS (
              UPDATE contacts SET last_inbound_at = CASE WHEN ? THEN greatest(last_inbound_at, m.created_at) ELSE last_inbound_at END,
                                  last_outbound_at = CASE WHEN ? THEN greatest(last_outbound_at, m.created_at) ELSE last_outbound_at END,
                                  updated_at = m.created_at
              FROM m WHERE contacts.id = ? AND contacts.org_id = ? AND ?)
            UPDATE conversations SET last_message_at = m.created_at, version = conversations.version + ?,
                                     status = CASE WHEN ? THEN 'open' ELSE conversations.status END,
                                     snoozed_until = CASE WHEN ? THEN NULL ELSE conversations.snoozed_until END,
                                     resolved_at = CASE WHEN ? THEN NULL ELSE conversations.resolved_at END,
                                     updated_at = m.created_at
            FROM m WHERE conversations.id = ? AND conversations.org_id = ?
            RETURNING m.created_at, conversations.version""";

    /**
     * {@link #record(UUID, NewMessage)} in a conversation the caller has already locked ({@code SELECT ... FOR UPDATE}
     * in this transaction). One statement ({@link #RECORD}) stores the message with its created_at (the database's
     * clock for every replica, never below the conversation's latest message: see the class comment) and moves the
     * contact and the conversation; a provider id already stored (a concurrent delivery of the same webhook that
     * committed first) makes it do nothing, and the stored message comes back with {@code created=false}. The unique
     * index decides, so no advisory lock is taken on the id. {@code known} is the conversation's contact when the
     * caller has it. Both may be plain rows (ContactService.findOrCreate, ConversationService.openLocked) or managed
     * entities; managed ones are flushed (their pending changes written first) and detached, so no flush at commit
     * writes their whole rows back over this statement's columns.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Recorded record(Conversation conversation, Contact known, NewMessage m) {
        boolean conversationManaged = !conversation.plain;
        boolean contactManaged = known != null && !known.plain;
        if (conversationManaged || contactManaged) {
            jakarta.persistence.EntityManager em = Panache.getEntityManager();
            em.flush();
            if (conversationManaged) {
                em.detach(conversation);
                conversation.plain = true;
            }
            if (contactManaged) {
                em.detach(known);
                known.plain = true;
            }
        }
        Message message = new Message();
        message.id = TypeId.uuidV7();
        message.orgId = conversation.orgId;
        message.conversationId = conversation.id;
        message.contactId = conversation.contactId;
        message.channel = conversation.channel;
        message.direction = m.direction();
        message.type = m.type() == null ? "text" : m.type();
        message.content = m.content();
        message.template = m.template() == null || m.template().isNull() ? null : Json.write(m.template());
        message.metadata = m.metadata() == null || m.metadata().isNull() ? "{}" : Json.write(m.metadata());
        message.authorType = m.authorType();
        message.agentId = m.agentId();
        message.internal = m.internal();
        message.status = m.status();
        message.platformMessageId = m.platformMessageId();
        message.errorCode = m.errorCode();
        message.errorMessage = m.errorMessage();
        boolean inbound = m.direction().equals("inbound");
        boolean outbound = !inbound && !m.internal();
        ConversationService.Reopened reopened = inbound ? conversations.reopenOnInbound(conversation) : null;
        Written written = write(message, inbound, outbound, reopened != null);
        if (written == null) {
            Message existing = stored(conversation.channel, m.platformMessageId());
            if (existing == null) {
                throw new IllegalStateException("the message's insert conflicted, but no message holds " + m.platformMessageId());
            }
            return new Recorded(existing, false);
        }
        Instant createdAt = written.createdAt();
        message.createdAt = createdAt;
        message.updatedAt = createdAt;
        conversation.lastMessageAt = createdAt;
        conversation.version = written.version();
        conversation.updatedAt = createdAt;
        if (known != null && known.id.equals(conversation.contactId) && (inbound || outbound)) {
            if (inbound) {
                known.lastInboundAt = known.lastInboundAt == null || known.lastInboundAt.isBefore(createdAt) ? createdAt : known.lastInboundAt;
            } else {
                known.lastOutboundAt = known.lastOutboundAt == null || known.lastOutboundAt.isBefore(createdAt) ? createdAt : known.lastOutboundAt;
            }
            known.updatedAt = createdAt;
        }
        if (reopened != null) {
            conversations.publishReopened(conversation, reopened);
        }
        // The view is the row as written: every column is known here, so it is not read back.
        events.publish("message.created", message.messageId(), view(message));
        Log.infof("event=message_created org_id=%s message_id=%s conversation_id=%s direction=%s status=%s", message.orgId, message.messageId(),
                conversation.conversationId(), message.direction, message.status);
        return new Recorded(message, true);
    }

    private record Written(Instant createdAt, long version) {
    }

    /** Runs {@link #RECORD}; null when another message already holds the provider id. */
    private Written write(Message message, boolean inbound, boolean outbound, boolean reopen) {
        return this.db.work(db -> {
            try (PreparedStatement insert = db.prepareStatement(RECORD)) {
                insert.setObject(1, message.id);
                insert.setString(2, message.orgId);
                insert.setObject(3, message.conversationId);
                insert.setObject(4, message.contactId);
                insert.setString(5, message.channel);
                insert.setString(6, message.direction);
                insert.setString(7, message.type);
                insert.setString(8, message.content);
                insert.setString(9, message.template);
                insert.setString(10, message.metadata);
                insert.setString(11, message.authorType);
                insert.setString(12, message.agentId);
                insert.setBoolean(13, message.internal);
                insert.setString(14, message.status);
                insert.setString(15, message.platformMessageId);
                insert.setString(16, message.errorCode);
                insert.setString(17, message.errorMessage);
                insert.setObject(18, message.conversationId);
                insert.setString(19, message.orgId);
                insert.setBoolean(20, inbound);
                insert.setBoolean(21, outbound);
                insert.setObject(22, message.contactId);
                insert.setString(23, message.orgId);
                insert.setBoolean(24, inbound || outbound);
                insert.setInt(25, reopen ? 2 : 1);
                insert.setBoolean(26, reopen);
                insert.setBoolean(27, reopen);
                insert.setBoolean(28, reopen);
                insert.setObject(29, message.conversationId);
                insert.setString(30, message.orgId);
                try (ResultSet row = insert.executeQuery()) {
                    return row.next() ? new Written(row.getObject(1, OffsetDateTime.class).toInstant(), row.getLong(2)) : null;
                }
            }
        });
    }

    /**
     * The message already stored under a provider's id on a channel, without a lock: what a redelivered webhook
     * finds before it touches anything. A concurrent first delivery is settled by the unique index ({@link #record}).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Message stored(String channel, String platformMessageId) {
        // A plain row (every webhook and every send's outcome asks, and nearly always finds nothing): a native entity
        // query costs far more CPU than this index lookup. The message comes back detached; callers only read it.
        return this.db.work(db -> {
            try (PreparedStatement select = db.prepareStatement(COLUMNS + " WHERE org_id = ? AND channel = ? AND platform_message_id = ?")) {
                select.setString(1, TenantContext.requireOrgId());
                select.setString(2, channel);
                select.setString(3, platformMessageId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row(row) : null;
                }
            }
        });
    }

    /**
     * A delivery status change (a provider's receipt, a send's outcome): applied only when it moves forward, once,
     * with one message.updated. Returns whether it changed anything.
     */
    @Transactional
    public boolean updateStatus(UUID messageId, String status, String platformMessageId, String errorCode, String errorMessage) {
        return updateStatus(locked(messageId), status, platformMessageId, errorCode, errorMessage);
    }

    private static final String UPDATE_CONTENT = "UPDATE messages SET content = ?, metadata = ?, updated_at = ? WHERE id = ? AND org_id = ?";

    /**
     * A contact edited a message of theirs already stored (Telegram's {@code edited_message}, Messenger's
     * {@code message_edit}): its content and caption become the edit's, {@code metadata.edited_at} the edit's time,
     * with one {@code message.updated} ({@code changed_fields}, {@code previous_content}). An edit older than the one
     * applied (a late redelivery), one that changes nothing (a redelivery), or one of a message we sent, changes
     * nothing: returns false.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean edited(String channel, String platformMessageId, String content, JsonNode incoming, Instant editedAt) {
        Message found = stored(channel, platformMessageId);
        if (found == null || !found.direction.equals("inbound")) {
            return false;
        }
        Message message = locked(found.id);
        ObjectNode metadata = Json.parseObject(message.metadata);
        Instant applied = metadata.path("edited_at").isTextual() ? parseInstant(metadata.path("edited_at").asText()) : null;
        if (applied != null && editedAt.isBefore(applied)) {
            return false;
        }
        String caption = incoming == null ? null : incoming.path("caption").asText(null);
        List<String> changed = new ArrayList<>();
        if (!java.util.Objects.equals(content, message.content)) {
            changed.add("content");
        }
        if (caption != null && !caption.equals(metadata.path("caption").asText(null))) {
            changed.add("metadata.caption");
            metadata.put("caption", caption);
        }
        if (changed.isEmpty()) {
            return false;
        }
        String previous = message.content;
        message.content = content;
        metadata.put("edited_at", editedAt.toString());
        message.metadata = Json.write(metadata);
        message.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        this.db.work(db -> {
            try (PreparedStatement update = db.prepareStatement(UPDATE_CONTENT)) {
                update.setString(1, message.content);
                update.setString(2, message.metadata);
                update.setObject(3, OffsetDateTime.ofInstant(message.updatedAt, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
                update.setObject(4, message.id);
                update.setString(5, message.orgId);
                return update.executeUpdate();
            }
        });
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("changed_fields", changed);
        extra.put("previous_content", previous);
        events.publish("message.updated", message.messageId(), view(message), extra);
        Log.infof("event=message_edited org_id=%s message_id=%s changed=%s", message.orgId, message.messageId(), changed);
        return true;
    }

    private static Instant parseInstant(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** A message's columns in {@link #row}'s order (what {@link #stored} and {@link #locked} read). */
    private static final String COLUMNS = """
            SELECT id, org_id, conversation_id, contact_id, channel, direction, type, content, template, metadata, author_type, agent_id,
                   internal, status, platform_message_id, error_code, error_message, created_at, updated_at
            FROM messages""";
    private static final String LOCKED = COLUMNS + " WHERE id = ? AND org_id = ? FOR UPDATE";

    /** What {@link #updateStatus} changes; updated_at as the entity's @PreUpdate would set it. */
    private static final String UPDATE_STATUS = """
            UPDATE messages SET status = ?, platform_message_id = ?, error_code = ?, error_message = ?, updated_at = ? WHERE id = ? AND org_id = ?""";

    /**
     * {@link #UPDATE_STATUS} giving the message a provider's id, unless another message of the channel already holds it.
     * A concurrent first store of that id that has not committed yet is not seen here: the unique index then makes this
     * UPDATE wait for it and fail (unique_violation), the transaction rolls back whole, and {@link #outcomeTransaction}
     * runs it again, which finds the holder.
     */
    private static final String UPDATE_STATUS_NEW_ID = UPDATE_STATUS
            + " AND NOT EXISTS (SELECT 1 FROM messages h WHERE h.org_id = ? AND h.channel = ? AND h.platform_message_id = ? AND h.id <> ?)";

    /**
     * The message of the current org, locked for this transaction, read as a plain row into a detached {@link Message}
     * (the org bound explicitly): mapping {@code SELECT *} to a managed entity cost more CPU than the query on every
     * send's outcome. {@link #updateStatus} writes its change back with one UPDATE. Messages are never changed through
     * the entity elsewhere, so no pending entity change is skipped by not flushing first.
     */
    private Message locked(UUID messageId) {
        Message found = this.db.work(db -> {
            try (PreparedStatement select = db.prepareStatement(LOCKED)) {
                select.setObject(1, messageId);
                select.setString(2, TenantContext.requireOrgId());
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row(row) : null;
                }
            }
        });
        if (found == null) {
            throw ApiException.notFound("message");
        }
        return found;
    }

    private static Message row(ResultSet row) throws java.sql.SQLException {
        Message m = new Message();
        m.id = row.getObject(1, UUID.class);
        m.orgId = row.getString(2);
        m.conversationId = row.getObject(3, UUID.class);
        m.contactId = row.getObject(4, UUID.class);
        m.channel = row.getString(5);
        m.direction = row.getString(6);
        m.type = row.getString(7);
        m.content = row.getString(8);
        m.template = row.getString(9);
        m.metadata = row.getString(10);
        m.authorType = row.getString(11);
        m.agentId = row.getString(12);
        m.internal = row.getBoolean(13);
        m.status = row.getString(14);
        m.platformMessageId = row.getString(15);
        m.errorCode = row.getString(16);
        m.errorMessage = row.getString(17);
        m.createdAt = row.getObject(18, OffsetDateTime.class).toInstant();
        m.updatedAt = row.getObject(19, OffsetDateTime.class).toInstant();
        return m;
    }

    /**
     * Writes {@link #updateStatus}'s change of a message read by {@link #locked}. With {@code newId}, only when no
     * other message holds its platform_message_id: returns false (nothing written) when one does.
     */
    private boolean writeStatus(Message m, boolean newId) {
        return this.db.work(db -> {
            try (PreparedStatement update = db.prepareStatement(newId ? UPDATE_STATUS_NEW_ID : UPDATE_STATUS)) {
                update.setString(1, m.status);
                update.setString(2, m.platformMessageId);
                update.setString(3, m.errorCode);
                update.setString(4, m.errorMessage);
                update.setObject(5, OffsetDateTime.ofInstant(m.updatedAt, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
                update.setObject(6, m.id);
                update.setString(7, m.orgId);
                if (newId) {
                    update.setString(8, m.orgId);
                    update.setString(9, m.channel);
                    update.setString(10, m.platformMessageId);
                    update.setObject(11, m.id);
                }
                int rows = update.executeUpdate();
                if (rows != 1 && !newId) {
                    throw new IllegalStateException("message " + m.messageId() + " vanished under its row lock");
                }
                return rows == 1;
            }
        });
    }

    private boolean updateStatus(Message message, String status, String platformMessageId, String errorCode, String errorMessage) {
        String previous = message.status;
        boolean forward = status.equals("failed") ? !previous.equals("read") && !previous.equals("failed")
                : PROGRESS.contains(previous) && PROGRESS.indexOf(status) > PROGRESS.indexOf(previous);
        boolean idChanged = platformMessageId != null && !platformMessageId.equals(message.platformMessageId);
        boolean errorChanged = !status.equals("failed") && errorCode != null && !errorCode.equals(message.errorCode);
        if (!forward && !idChanged && !errorChanged) {
            return false;
        }
        String previousId = message.platformMessageId;
        String previousErrorCode = message.errorCode;
        String previousErrorMessage = message.errorMessage;
        List<String> changed = new ArrayList<>();
        if (forward) {
            message.status = status;
            changed.add("status");
        }
        if (errorCode != null || errorMessage != null) {
            message.errorCode = errorCode;
            message.errorMessage = errorMessage;
            changed.add("error");
        } else if (forward && (message.errorCode != null || message.errorMessage != null)) {
            // Sent after a transient failure: the failure is no longer the message's state.
            message.errorCode = null;
            message.errorMessage = null;
            changed.add("error");
        }
        message.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (idChanged) {
            message.platformMessageId = platformMessageId;
            // The provider's new id is settled by the UPDATE itself (no advisory lock, no lookup first): it is written
            // only when no other message holds it, and the unique index backs that against a concurrent store.
            if (writeStatus(message, true)) {
                changed.add(forward ? 1 : 0, "platform_message_id");
            } else {
                // The provider answered with an id another message already has (it never should): the send still
                // happened, so its status moves, but the id stays with the message that had it first.
                Log.warnf("event=platform_message_id_taken org_id=%s message_id=%s platform_message_id=%s", message.orgId,
                        message.messageId(), platformMessageId);
                message.platformMessageId = previousId;
                if (!forward && !errorChanged) {
                    message.errorCode = previousErrorCode;
                    message.errorMessage = previousErrorMessage;
                    return false;
                }
                writeStatus(message, false);
            }
        } else {
            writeStatus(message, false);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("changed_fields", changed);
        if (forward) {
            extra.put("previous_status", previous);
        }
        events.publish("message.updated", message.messageId(), view(message), extra);
        Log.infof("event=message_updated org_id=%s message_id=%s status=%s previous_status=%s", message.orgId, message.messageId(), message.status, previous);
        return true;
    }

    /**
     * POST /v1/conversations/{id}/messages: an internal note is stored (status stored) and never sent; a reply is
     * stored as queued, sent through the channel's sender, and its outcome recorded (sent with the provider's id, or
     * failed with the reason; a transient failure leaves it queued with the reason). With no sender for the channel,
     * or no address of the contact on it, the reply is stored as failed with the reason.
     */
    public MessageDtos.MessageView reply(String conversationId, JsonNode body) {
        Reply reply = parseReply(body);
        Prepared prepared = QuarkusTransaction.requiringNew().call(() -> prepare(conversations.requireLocked(conversationId), null, reply));
        return deliver(prepared);
    }

    /** A reply's body, checked. */
    public record Reply(String type, String content, ObjectNode template, ObjectNode metadata, boolean internal, String authorType, String agentId) {
    }

    /** Checks a reply's body (400 on anything wrong) before any transaction starts. */
    public Reply parseReply(JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, REPLY_FIELDS);
        String content = Json.text(fields, "content", 65536);
        String bodyText = Json.text(fields, "body", 65536);
        if (content != null && bodyText != null && !content.equals(bodyText)) {
            throw ApiException.invalid("content", "one_of", "content and body are the same field (body is seed 003's name): give one");
        }
        content = content != null ? content : bodyText;
        String type = Json.text(fields, "type", 20);
        type = type == null ? "text" : type.toLowerCase(java.util.Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw ApiException.invalid("type", "one_of", "type must be one of " + String.join(", ", TYPES));
        }
        ObjectNode template = Json.object(fields, "template");
        if (type.equals("template") && (template == null || !template.path("name").isTextual())) {
            throw ApiException.invalid("template", "required", "a template message needs template.name (and template.language)");
        }
        if (type.equals("text") && content == null) {
            throw ApiException.invalid("content", "required", "content is required");
        }
        boolean internal = Boolean.TRUE.equals(Json.bool(fields, "internal"));
        String agentId = Json.text(fields, "agent_id", 100);
        String authorType = Json.text(fields, "author_type", 20);
        authorType = authorType == null ? (agentId != null ? "agent" : "api") : authorType;
        if (!List.of("agent", "api", "system").contains(authorType)) {
            throw ApiException.invalid("author_type", "one_of", "author_type must be agent, api or system");
        }
        ObjectNode metadata = Json.object(fields, "metadata");
        switch (type) {
            case "location" -> RichContent.location(metadata);
            case "interactive" -> RichContent.interactive(metadata);
            case "image", "video", "audio", "document", "sticker" -> {
                if (!internal && (content == null || content.isBlank())) {
                    throw ApiException.invalid("content", "required", "a " + type + " message needs content: the file's URL (or the channel's file id)");
                }
            }
            default -> {
            }
        }
        return new Reply(type, content, template, metadata, internal, authorType, agentId);
    }

    /**
     * The stored half of a reply, in the caller's transaction, in a conversation it has locked: the message is stored
     * (queued, or failed with the reason when nothing can send it) with its message.created in the outbox, so an
     * accepted message survives a provider outage or a crash (the retry worker picks a queued one up). {@code contact}
     * is the conversation's contact when the caller has it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Prepared prepare(Conversation conversation, Contact contact, Reply r) {
        if (!r.internal() && ConversationStatus.of(conversation.status) == ConversationStatus.CLOSED) {
            throw new ApiException(ErrorCode.CONFLICT, "the conversation is closed: replies go to a new conversation (internal notes are still allowed)",
                    Map.of("status", conversation.status));
        }
        ChannelSender sender = r.internal() ? null : senders.forChannel(conversation.channel).orElse(null);
        if (sender != null && !sender.sends(r.type())) {
            throw ApiException.invalid("type", "supported_type", "a " + conversation.channel + " conversation cannot send " + r.type()
                    + " messages: " + String.join(", ", TYPES.stream().filter(sender::sends).toList()) + " can be sent");
        }
        if (sender != null) {
            sender.check(r.type(), r.metadata());
        }
        String to = r.internal() ? null : (contact != null && contact.id.equals(conversation.contactId)
                ? contacts.addressOn(contact, conversation.channel) : contacts.addressOn(conversation.contactId, conversation.channel)).orElse(null);
        String status = r.internal() ? "stored" : sender == null || to == null ? "failed" : "queued";
        String errorCode = null;
        String errorMessage = null;
        if (!r.internal() && sender == null) {
            errorCode = "channel_unavailable";
            errorMessage = "no adapter sends on " + conversation.channel + " yet";
        } else if (!r.internal() && to == null) {
            errorCode = "no_address";
            errorMessage = "the contact has no address on " + conversation.channel;
        }
        Message message = record(conversation, contact, new NewMessage("outbound", r.type(), r.content(), r.template(), r.metadata(), r.authorType(),
                r.agentId(), r.internal(), status, null, errorCode, errorMessage)).message();
        ChannelSender.OutboundMessage outbound = sender == null || to == null ? null : new ChannelSender.OutboundMessage(message.orgId,
                message.messageId(), conversation.conversationId(), TypeId.format(Contact.ID_PREFIX, conversation.contactId), conversation.channel,
                conversation.inbox, to, message.type, message.content, r.template(), r.metadata());
        return new Prepared(message, sender, outbound);
    }

    /**
     * The sent half of a reply, outside any transaction: the provider is called with no transaction (and no
     * connection) held, then its outcome is recorded in one short transaction. Returns the message as it now stands.
     */
    public MessageDtos.MessageView deliver(Prepared prepared) {
        if (prepared.outbound() == null) {
            return view(prepared.message());
        }
        ChannelSender.SendOutcome outcome;
        try {
            outcome = prepared.sender().send(prepared.outbound());
        } catch (RuntimeException e) {
            Log.warnf("event=channel_send_error channel=%s message_id=%s error=\"%s\"", prepared.outbound().channel(), prepared.outbound().messageId(), e);
            outcome = ChannelSender.SendOutcome.retry("adapter_error", "the channel adapter failed: " + e.getClass().getSimpleName());
        }
        ChannelSender.SendOutcome result = outcome;
        Message sent = prepared.message();
        // The usual outcome (sent, with an id no other message holds) is one statement that commits on its own, with
        // its event: no transaction to begin and commit around it. Anything else is decided under the row's lock.
        if (result.result() == ChannelSender.SendOutcome.Result.SENT && markSentAlone(sent, result.platformMessageId())) {
            return view(sent);
        }
        return outcomeTransaction(() -> {
            if (result.result() == ChannelSender.SendOutcome.Result.SENT && markSent(sent, result.platformMessageId())) {
                return view(sent);
            }
            Message message = locked(sent.id);
            switch (result.result()) {
                case SENT -> updateStatus(message, "sent", result.platformMessageId(), null, null);
                case FAILED -> updateStatus(message, "failed", null, result.errorCode(), result.errorMessage());
                case RETRY -> updateStatus(message, "queued", null, result.errorCode(), result.errorMessage());
            }
            return view(message);
        });
    }

    /** Whether the message is still exactly the row {@link #prepare} wrote (queued, no provider id, no error), with an id to record. */
    private static boolean justStored(Message message, String platformMessageId) {
        return platformMessageId != null && message.status.equals("queued") && message.platformMessageId == null && message.errorCode == null
                && message.errorMessage == null;
    }

    /** MARK_SENT's and MARK_SENT_ALONE's parameters 1-8: the provider's id and the time, the row, the id's uniqueness check. */
    private static void bindMarkSent(PreparedStatement update, Message message, String platformMessageId, Instant now) throws SQLException {
        update.setString(1, platformMessageId);
        update.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        update.setObject(3, message.id);
        update.setString(4, message.orgId);
        update.setString(5, message.orgId);
        update.setString(6, message.channel);
        update.setString(7, platformMessageId);
        update.setObject(8, message.id);
    }

    /**
     * A send's usual outcome in one statement: the message just stored (still queued, with no provider id and no
     * error: exactly the row {@link #prepare} wrote, which is {@code message}) becomes sent with the provider's id,
     * unless another message holds that id. Returns false, having changed nothing, when the row is not that (a retry
     * or a receipt got there first) or the id is taken; {@link #updateStatus} then decides as for any other change.
     */
    private boolean markSent(Message message, String platformMessageId) {
        if (!justStored(message, platformMessageId)) {
            return false;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        boolean updated = this.db.work(db -> {
            try (PreparedStatement update = db.prepareStatement(MARK_SENT)) {
                bindMarkSent(update, message, platformMessageId, now);
                return update.executeUpdate() == 1;
            }
        });
        if (!updated) {
            return false;
        }
        message.status = "sent";
        message.platformMessageId = platformMessageId;
        message.updatedAt = now;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("changed_fields", List.of("status", "platform_message_id"));
        extra.put("previous_status", "queued");
        events.publish("message.updated", message.messageId(), view(message), extra);
        Log.infof("event=message_updated org_id=%s message_id=%s status=sent previous_status=queued", message.orgId, message.messageId());
        return true;
    }

    /**
     * {@link #markSent} outside any transaction, as one statement that commits on its own: the UPDATE and, only when
     * it changed the row, the {@code message.updated} event's outbox row inserted from its {@code RETURNING}, so the
     * change and its event are written together or not at all, in one round trip. Returns false, having written
     * nothing, in every case {@link #markSent} does, and when the provider's id was stored by a concurrent message
     * meanwhile (its unique index): the transactional path then decides.
     */
    private boolean markSentAlone(Message message, String platformMessageId) {
        if (!justStored(message, platformMessageId)) {
            return false;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // The event describes the row as the UPDATE leaves it; it is written only if the UPDATE is.
        String previousStatus = message.status;
        message.status = "sent";
        message.platformMessageId = platformMessageId;
        Instant previousUpdatedAt = message.updatedAt;
        message.updatedAt = now;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("changed_fields", List.of("status", "platform_message_id"));
        extra.put("previous_status", "queued");
        boolean updated;
        try {
            // Committed with the outcomes of the org's other sends finishing at the same moment (GroupCommit).
            updated = groupCommit.call(message.orgId, message.id.toString(), () -> this.db.work(db -> {
                try (PreparedStatement update = db.prepareStatement(MARK_SENT_ALONE)) {
                    bindMarkSent(update, message, platformMessageId, now);
                    events.bindMessageEvent(update, 9, "message.updated", message.messageId(), view(message), extra);
                    return update.executeUpdate() == 1;
                }
            }));
        } catch (RuntimeException e) {
            if (!uniqueViolation(e)) {
                throw e;
            }
            updated = false;
        }
        if (!updated) {
            message.status = previousStatus;
            message.platformMessageId = null;
            message.updatedAt = previousUpdatedAt;
            return false;
        }
        events.written();
        Log.infof("event=message_updated org_id=%s message_id=%s status=sent previous_status=queued", message.orgId, message.messageId());
        return true;
    }

    private static final String MARK_SENT_ALONE = """
            WITH u AS (
              UPDATE messages SET status = 'sent', platform_message_id = ?, updated_at = ?
              WHERE id = ? AND org_id = ? AND status = 'queued' AND platform_message_id IS NULL AND error_code IS NULL AND error_message IS NULL
                AND NOT EXISTS (SELECT 1 FROM messages h WHERE h.org_id = ? AND h.channel = ? AND h.platform_message_id = ? AND h.id <> ?)
              RETURNING id)
            INSERT INTO outbox (""" + Outbox.ROW_COLUMNS + ") SELECT " + Outbox.ROW_PLACEHOLDERS + " FROM u";

    private static final String MARK_SENT = """
            UPDATE messages SET status = 'sent', platform_message_id = ?, updated_at = ?
            WHERE id = ? AND org_id = ? AND status = 'queued' AND platform_message_id IS NULL AND error_code IS NULL AND error_message IS NULL
              AND NOT EXISTS (SELECT 1 FROM messages h WHERE h.org_id = ? AND h.channel = ? AND h.platform_message_id = ? AND h.id <> ?)""";

    /**
     * Runs a send's outcome in a new transaction, again (up to three times) when it rolled back on the provider id's
     * unique index: a concurrent first store of the same id committed during it, and the next run finds that holder.
     */
    public <T> T outcomeTransaction(java.util.concurrent.Callable<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(work);
            } catch (RuntimeException e) {
                if (attempt >= 3 || !uniqueViolation(e)) {
                    throw e;
                }
                Log.infof("event=send_outcome_retry reason=unique_violation attempt=%d", attempt);
            }
        }
    }

    private static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A stored reply and what sends it (null when nothing is to be sent). */
    public record Prepared(Message message, ChannelSender sender, ChannelSender.OutboundMessage outbound) {
    }

    /**
     * GET /v1/conversations/{id}/messages: newest first. {@code before} is a {@code next_before} this API returned
     * (the exact position: no gaps or repeats, even among messages with one timestamp) or an RFC 3339 time (messages
     * strictly older than it, seed 001).
     */
    public MessageDtos.MessagePage history(String conversationId, String limit, String before, String cursor) {
        UUID conversation = Ids.require(Conversation.ID_PREFIX, conversationId, "conversation");
        String position = before != null && !before.isBlank() ? before.strip() : cursor != null && !cursor.isBlank() ? cursor.strip() : null;
        PageRequest page = PageRequest.of(limit, null, cursors);
        Cursor after = null;
        Instant olderThan = null;
        if (position != null) {
            if (position.indexOf('.') > 0 && !Character.isDigit(position.charAt(0))) {
                after = cursors.decode(position);
            } else {
                try {
                    olderThan = OffsetDateTime.parse(position).toInstant();
                } catch (DateTimeParseException e) {
                    after = cursors.decode(position);
                }
            }
        }
        // Plain SQL with the org bound explicitly: HQL under the @TenantId filter is planned again on every call
        // (OrgScopedLookup says more), which was most of what this page cost above its query.
        String sql = "SELECT * FROM messages WHERE conversation_id = ?1 AND org_id = ?2"
                + (after != null ? " AND (created_at < ?3 OR (created_at = ?3 AND id < ?4))" : olderThan != null ? " AND created_at < ?3" : "")
                + " ORDER BY created_at DESC, id DESC LIMIT " + (page.limit() + 1);
        @SuppressWarnings("unchecked")
        NativeQuery<Message> query = Panache.getEntityManager().createNativeQuery(sql, Message.class).unwrap(NativeQuery.class)
                .addSynchronizedEntityClass(Message.class).setReadOnly(true);
        query.setParameter(1, conversation).setParameter(2, TenantContext.requireOrgId());
        if (after != null) {
            query.setParameter(3, OffsetDateTime.ofInstant(after.createdAt(), ZoneOffset.UTC)).setParameter(4, after.id());
        } else if (olderThan != null) {
            query.setParameter(3, OffsetDateTime.ofInstant(olderThan, ZoneOffset.UTC));
        }
        List<Message> rows = query.getResultList();
        if (rows.isEmpty()) {
            // Only an empty page needs the conversation itself: a message of this org in it proves it exists (404 otherwise).
            conversations.require(conversationId);
        }
        boolean more = rows.size() > page.limit();
        List<Message> shown = more ? rows.subList(0, page.limit()) : rows;
        String next = more ? cursors.encode(shown.get(shown.size() - 1).position()) : null;
        return new MessageDtos.MessagePage(shown.stream().map(this::view).toList(), next, new MessageDtos.Pagination(next, more));
    }

    public MessageDtos.MessageView view(Message m) {
        ObjectNode metadata = Json.parseObject(m.metadata);
        if (m.platformMessageId != null) {
            metadata.put("platform_message_id", m.platformMessageId);
        }
        return new MessageDtos.MessageView(m.messageId(), m.orgId, TypeId.format(Conversation.ID_PREFIX, m.conversationId),
                TypeId.format(Contact.ID_PREFIX, m.contactId), m.channel, m.direction, m.type, m.content, m.content,
                m.template == null ? null : Json.parseObject(m.template), metadata, m.authorType, m.agentId, m.internal, m.status, m.platformMessageId,
                m.errorCode == null && m.errorMessage == null ? null : new MessageDtos.Error(m.errorCode, m.errorMessage), m.createdAt, m.updatedAt);
    }

    static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
