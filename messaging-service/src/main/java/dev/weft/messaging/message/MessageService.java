package dev.weft.messaging.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.Locks;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.contact.Contact;
import dev.weft.messaging.contact.ContactService;
import dev.weft.messaging.conversation.Conversation;
import dev.weft.messaging.conversation.ConversationService;
import dev.weft.messaging.conversation.ConversationStatus;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.Cursor;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.OrgScopedLookup;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.hibernate.query.NativeQuery;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
    private final Locks locks;

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
                          CursorCodec cursors, Locks locks) {
        this.conversations = conversations;
        this.locks = locks;
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

    /** The INSERT of {@link #record}: created_at from the database clock in the statement itself, the provider's id decided by its unique index. */
    private static final String INSERT = """
            INSERT INTO messages (id, org_id, conversation_id, contact_id, channel, direction, type, content, template, metadata, author_type,
                                  agent_id, internal, status, platform_message_id, error_code, error_message, created_at, updated_at)
            SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, t.at, t.at
            FROM (SELECT greatest(clock_timestamp(), coalesce(?, '-infinity'::timestamptz)) AS at) t
            ON CONFLICT (org_id, channel, platform_message_id) WHERE platform_message_id IS NOT NULL DO NOTHING
            RETURNING created_at""";

    /**
     * {@link #record(UUID, NewMessage)} in a conversation the caller has already locked ({@code SELECT ... FOR UPDATE}
     * in this transaction). One INSERT stores the message with its created_at (the database's clock for every replica,
     * never below the conversation's latest message: see the class comment); a provider id already stored (a
     * concurrent delivery of the same webhook that committed first) makes the INSERT do nothing, and the stored message
     * comes back with {@code created=false}. The unique index decides, so no advisory lock is taken on the id.
     * {@code known} is the conversation's contact when the caller has it (else it is read).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Recorded record(Conversation conversation, Contact known, NewMessage m) {
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
        Instant createdAt = insert(message, conversation.lastMessageAt);
        if (createdAt == null) {
            Message existing = stored(conversation.channel, m.platformMessageId());
            if (existing == null) {
                throw new IllegalStateException("the message's insert conflicted, but no message holds " + m.platformMessageId());
            }
            return new Recorded(existing, false);
        }
        message.createdAt = createdAt;
        message.updatedAt = createdAt;

        conversation.lastMessageAt = createdAt;
        conversation.version++;
        Contact contact = known != null && known.id.equals(conversation.contactId) ? known : OrgScopedLookup.findById(Contact.class, conversation.contactId);
        if (m.direction().equals("inbound")) {
            contact.lastInboundAt = createdAt;
            conversations.reopenOnInbound(conversation);
        } else if (!m.internal()) {
            contact.lastOutboundAt = createdAt;
        }
        // The view is the row as written: every column is known here, so it is not read back.
        events.publish("message.created", message.messageId(), view(message));
        Log.infof("event=message_created org_id=%s message_id=%s conversation_id=%s direction=%s status=%s", message.orgId, message.messageId(),
                conversation.conversationId(), message.direction, message.status);
        return new Recorded(message, true);
    }

    /** Inserts the row; returns its created_at, or null when another message already holds its provider id. */
    private static Instant insert(Message message, Instant floor) {
        return Panache.getEntityManager().unwrap(Session.class).doReturningWork(db -> {
            try (PreparedStatement insert = db.prepareStatement(INSERT)) {
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
                insert.setObject(18, floor == null ? null : OffsetDateTime.ofInstant(floor, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
                try (ResultSet row = insert.executeQuery()) {
                    return row.next() ? row.getObject(1, OffsetDateTime.class).toInstant() : null;
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
        return Panache.getEntityManager().unwrap(Session.class).doReturningWork(db -> {
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
     * The message holding a provider's message id on a channel, after taking the id's advisory lock for the rest of
     * the transaction: whoever stores or claims that id next (a concurrent delivery of the same webhook, in whichever
     * conversation) waits for this transaction and then finds the row, so the unique index is never what decides.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public java.util.Optional<Message> byPlatformId(String channel, String platformMessageId) {
        locks.lock("message|" + channel + "|" + platformMessageId);
        return java.util.Optional.ofNullable(stored(channel, platformMessageId));
    }

    /**
     * A delivery status change (a provider's receipt, a send's outcome): applied only when it moves forward, once,
     * with one message.updated. Returns whether it changed anything.
     */
    @Transactional
    public boolean updateStatus(UUID messageId, String status, String platformMessageId, String errorCode, String errorMessage) {
        return updateStatus(locked(messageId), status, platformMessageId, errorCode, errorMessage);
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
     * The message of the current org, locked for this transaction, read as a plain row into a detached {@link Message}
     * (the org bound explicitly): mapping {@code SELECT *} to a managed entity cost more CPU than the query on every
     * send's outcome. {@link #updateStatus} writes its change back with one UPDATE. Messages are never changed through
     * the entity elsewhere, so no pending entity change is skipped by not flushing first.
     */
    private static Message locked(UUID messageId) {
        Message found = Panache.getEntityManager().unwrap(Session.class).doReturningWork(db -> {
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

    /** Writes {@link #updateStatus}'s change of a message read by {@link #locked}. */
    private static void writeStatus(Message m) {
        Panache.getEntityManager().unwrap(Session.class).doWork(db -> {
            try (PreparedStatement update = db.prepareStatement(UPDATE_STATUS)) {
                update.setString(1, m.status);
                update.setString(2, m.platformMessageId);
                update.setString(3, m.errorCode);
                update.setString(4, m.errorMessage);
                update.setObject(5, OffsetDateTime.ofInstant(m.updatedAt, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
                update.setObject(6, m.id);
                update.setString(7, m.orgId);
                if (update.executeUpdate() != 1) {
                    throw new IllegalStateException("message " + m.messageId() + " vanished under its row lock");
                }
            }
        });
    }

    private boolean updateStatus(Message message, String status, String platformMessageId, String errorCode, String errorMessage) {
        String previous = message.status;
        boolean forward = status.equals("failed") ? !previous.equals("read") && !previous.equals("failed")
                : PROGRESS.contains(previous) && PROGRESS.indexOf(status) > PROGRESS.indexOf(previous);
        boolean idChanged = platformMessageId != null && !platformMessageId.equals(message.platformMessageId);
        if (idChanged) {
            Message holder = byPlatformId(message.channel, platformMessageId).orElse(null);
            if (holder != null && !holder.id.equals(message.id)) {
                // The provider answered with an id another message already has (it never should): the send still
                // happened, so its status moves, but the id stays with the message that had it first.
                Log.warnf("event=platform_message_id_taken org_id=%s message_id=%s platform_message_id=%s held_by=%s", message.orgId,
                        message.messageId(), platformMessageId, holder.messageId());
                idChanged = false;
            }
        }
        boolean errorChanged = !status.equals("failed") && errorCode != null && !errorCode.equals(message.errorCode);
        if (!forward && !idChanged && !errorChanged) {
            return false;
        }
        List<String> changed = new ArrayList<>();
        if (forward) {
            message.status = status;
            changed.add("status");
        }
        if (idChanged) {
            message.platformMessageId = platformMessageId;
            changed.add("platform_message_id");
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
        writeStatus(message);
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
        return new Reply(type, content, template, Json.object(fields, "metadata"), internal, authorType, agentId);
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
        String to = r.internal() ? null : contacts.addressOn(conversation.contactId, conversation.channel).orElse(null);
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
        UUID id = prepared.message().id;
        return QuarkusTransaction.requiringNew().call(() -> {
            Message message = locked(id);
            switch (result.result()) {
                case SENT -> updateStatus(message, "sent", result.platformMessageId(), null, null);
                case FAILED -> updateStatus(message, "failed", null, result.errorCode(), result.errorMessage());
                case RETRY -> updateStatus(message, "queued", null, result.errorCode(), result.errorMessage());
            }
            return view(message);
        });
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
