package dev.weft.messaging.conversation;

import dev.weft.platform.db.Timestamps;
import dev.weft.platform.tenancy.OrgScopedLookup;
import dev.weft.messaging.entity.EntityRef;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.Channels;
import dev.weft.messaging.Json;
import dev.weft.messaging.Locks;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.contact.Contact;
import dev.weft.messaging.contact.ContactService;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import io.quarkus.hibernate.orm.panache.Panache;
import dev.weft.platform.tenancy.TenantContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Conversations of the current org: opened for a contact on a channel in an inbox (round-robin among the inbox's
 * agents when no assignee is given), listed, and moved through {@link ConversationStatus}'s table under the row's
 * lock, with If-Match against the conversation's ETag. Every change publishes conversation.updated; an assignee
 * change also conversation.assigned, and entering resolved or closed from an active status conversation.resolved.
 */
@ApplicationScoped
public class ConversationService {
    public static final String DEFAULT_INBOX = "default";
    private static final Pattern INBOX = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern AGENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}");
    private static final Set<String> CREATE_FIELDS = Set.of("contact_id", "customer_id", "channel", "inbox", "subject", "assignee_id",
            "entity_type", "entity_id");
    private static final Set<String> UPDATE_FIELDS = Set.of("status", "snoozed_until", "assignee_id", "subject", "entity_type", "entity_id");

    private final ContactService contacts;
    private final MessagingEvents events;
    private final Locks locks;
    private final CursorCodec cursors;
    private final dev.weft.messaging.Db db;

    public record Opened(Conversation conversation, boolean created) {
    }

    /** A conversation as the API shows it, with its ETag. */
    public record Tagged(ConversationDtos.ConversationView view, String etag) {
    }

    public ConversationService(ContactService contacts, MessagingEvents events, Locks locks, CursorCodec cursors, dev.weft.messaging.Db db) {
        this.db = db;
        this.contacts = contacts;
        this.events = events;
        this.locks = locks;
        this.cursors = cursors;
    }

    /**
     * The contact's conversation on this channel and inbox that is not closed (the newest, should there be several
     * after a merge), or a new one. Two callers racing for one contact, channel and inbox get the same conversation.
     */
    @Transactional
    public Opened openFor(Contact contact, String channel, String inbox) {
        String checkedChannel = Channels.require(channel, "channel");
        String checkedInbox = inbox(inbox);
        locks.lock("conversation|" + contact.id + "|" + checkedChannel + "|" + checkedInbox);
        Conversation existing = Conversation.find("contactId = ?1 and channel = ?2 and inbox = ?3 and status <> 'closed' order by createdAt desc, id desc",
                contact.id, checkedChannel, checkedInbox).firstResult();
        if (existing != null) {
            return new Opened(existing, false);
        }
        return new Opened(create(contact, checkedChannel, checkedInbox, null, null), true);
    }

    /**
     * {@link #openFor}'s conversation, locked for this transaction (what storing a message in it needs). The common
     * case, an open conversation, is one {@code SELECT ... FOR UPDATE} with no advisory lock: a conversation closed
     * meanwhile is not returned by it (PostgreSQL re-checks the row it waited for), and only then, or with none open,
     * does {@link #openFor} run under the contact's lock. The open one comes back as a plain row, not managed by the
     * session (mapping it to an entity and flushing it whole at commit cost several times the query on every send and
     * webhook): MessageService.record writes what a message changes on it with one explicit UPDATE.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Conversation openLocked(Contact contact, String channel, String inbox) {
        String checkedChannel = Channels.require(channel, "channel");
        String checkedInbox = inbox(inbox);
        Conversation open = this.db.work(db -> {
            try (java.sql.PreparedStatement query = db.prepareStatement("SELECT " + CONVERSATION_COLUMNS + """
                     FROM conversations WHERE org_id = ? AND contact_id = ? AND channel = ? AND inbox = ? AND status <> 'closed'
                    ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE""")) {
                query.setString(1, TenantContext.requireOrgId());
                query.setObject(2, contact.id);
                query.setString(3, checkedChannel);
                query.setString(4, checkedInbox);
                try (java.sql.ResultSet row = query.executeQuery()) {
                    return row.next() ? row(row, 0) : null;
                }
            }
        });
        if (open != null) {
            return open;
        }
        Conversation conversation = openFor(contact, checkedChannel, checkedInbox).conversation();
        Panache.getEntityManager().lock(conversation, LockModeType.PESSIMISTIC_WRITE);
        return conversation;
    }

    /** The conversation's columns in {@link #row}'s order, unqualified. */
    private static final String CONVERSATION_COLUMNS = """
            id, org_id, contact_id, channel, inbox, subject, entity_type, entity_id, status, assignee_id, snoozed_until, resolved_at,
            last_message_at, version, created_at, updated_at""";

    /**
     * {@link #arrive}'s one statement: whether the provider's message id is stored already, the contact holding the
     * address ({@link ContactService#BY_IDENTITY}) and that contact's newest conversation on the channel and inbox that
     * is not closed, locked, as {@link #openLocked} reads it.
     */
    private static final String ARRIVAL = "SELECT EXISTS (SELECT 1 FROM messages m WHERE m.org_id = ? AND m.channel = ? AND m.platform_message_id = ?),"
            + " k.*, v.* FROM (SELECT 1) one LEFT JOIN LATERAL (" + ContactService.BY_IDENTITY + ") k ON true"
            + " LEFT JOIN LATERAL (SELECT " + CONVERSATION_COLUMNS + """
             FROM conversations WHERE org_id = ? AND contact_id = k.id AND channel = ? AND inbox = ? AND status <> 'closed'
            ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE) v ON true""";

    /** What {@link #arrive} found: the message already stored, or the contact and its locked open conversation (either may be new). */
    public record Arrival(boolean stored, Contact contact, Conversation conversation) {
    }

    /**
     * Where a message to or from {@code address} goes, in one round trip when the address is known: whether
     * {@code platformMessageId} (if any) is stored already (then nothing else is done), else the contact
     * ({@link ContactService#findOrCreate}) and its open conversation on the channel and inbox, locked
     * ({@link #openLocked}); either is created when missing. Every webhook and send asks this first; three statements
     * before, one now.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Arrival arrive(ContactService.Address address, String inbox, String platformMessageId) {
        Arrival found = find(address, inbox, platformMessageId);
        return found.stored() ? found : complete(found, address, inbox);
    }

    /**
     * {@link #arrive}'s statement alone: creates nothing, so the contact or the conversation may be null. For a caller
     * that decides from what exists whether to go on (a send refused by a closed window stores nothing).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Arrival find(ContactService.Address address, String inbox, String platformMessageId) {
        String checkedInbox = inbox(inbox);
        String org = TenantContext.requireOrgId();
        return this.db.work(db -> {
            try (java.sql.PreparedStatement query = db.prepareStatement(ARRIVAL)) {
                query.setString(1, org);
                query.setString(2, address.channel());
                query.setString(3, platformMessageId);
                query.setString(4, org);
                query.setString(5, address.channel());
                query.setString(6, address.address());
                query.setString(7, org);
                query.setString(8, address.channel());
                query.setString(9, checkedInbox);
                try (java.sql.ResultSet row = query.executeQuery()) {
                    row.next();
                    boolean stored = row.getBoolean(1);
                    Contact contact = row.getObject(2) == null ? null : ContactService.fromRow(row, 1, address.channel());
                    int conversationAt = 1 + ContactService.ROW_COLUMNS;
                    Conversation conversation = row.getObject(conversationAt + 1) == null ? null : row(row, conversationAt);
                    return new Arrival(stored, contact, conversation);
                }
            }
        });
    }

    /** What {@link #find} found, with the contact and its open conversation created where missing. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Arrival complete(Arrival found, ContactService.Address address, String inbox) {
        Contact contact = found.contact() != null ? found.contact() : contacts.findOrCreate(address);
        Conversation conversation = found.conversation() != null ? found.conversation() : openLocked(contact, address.channel(), inbox(inbox));
        return new Arrival(false, contact, conversation);
    }

    private static Conversation row(java.sql.ResultSet row, int o) throws java.sql.SQLException {
        Conversation c = new Conversation();
        c.id = row.getObject(o + 1, UUID.class);
        c.orgId = row.getString(o + 2);
        c.contactId = row.getObject(o + 3, UUID.class);
        c.channel = row.getString(o + 4);
        c.inbox = row.getString(o + 5);
        c.subject = row.getString(o + 6);
        c.entityType = row.getString(o + 7);
        c.entityId = row.getString(o + 8);
        c.status = row.getString(o + 9);
        c.assigneeId = row.getString(o + 10);
        c.snoozedUntil = Timestamps.instant(row, o + 11);
        c.resolvedAt = Timestamps.instant(row, o + 12);
        c.lastMessageAt = Timestamps.instant(row, o + 13);
        c.version = row.getLong(o + 14);
        c.createdAt = Timestamps.instant(row, o + 15);
        c.updatedAt = Timestamps.instant(row, o + 16);
        c.plain = true;
        return c;
    }

    /** POST /v1/conversations: an agent starts a conversation with a contact. */
    @Transactional
    public Tagged create(JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, CREATE_FIELDS);
        String contactId = Json.text(fields, "contact_id", 100);
        String customerId = Json.text(fields, "customer_id", 100);
        if (contactId != null && customerId != null && !contactId.equals(customerId)) {
            throw ApiException.invalid("contact_id", "one_of", "contact_id and customer_id name the same thing: give one");
        }
        contactId = contactId != null ? contactId : customerId;
        if (contactId == null) {
            throw ApiException.invalid("contact_id", "required", "contact_id is required");
        }
        Contact contact = TypeId.parse(Contact.ID_PREFIX, contactId).map(id -> (Contact) Contact.findById(id)).orElse(null);
        if (contact == null) {
            throw ApiException.invalid("contact_id", "exists", "no contact " + contactId);
        }
        String channel = Json.text(fields, "channel", 40);
        if (channel == null) {
            throw ApiException.invalid("channel", "required", "channel is required");
        }
        EntityRef entity = EntityRef.optional(fields);
        Conversation conversation = create(contact, Channels.require(channel, "channel"), inbox(Json.text(fields, "inbox", 100)),
                Json.text(fields, "subject", 500), agent(fields), entity);
        return tagged(conversation);
    }

    private Conversation create(Contact contact, String channel, String inbox, String subject, String assigneeId) {
        return create(contact, channel, inbox, subject, assigneeId, null);
    }

    private Conversation create(Contact contact, String channel, String inbox, String subject, String assigneeId, EntityRef entity) {
        Conversation conversation = new Conversation();
        if (entity != null) {
            conversation.entityType = entity.type();
            conversation.entityId = entity.id();
        }
        conversation.contactId = contact.id;
        conversation.channel = channel;
        conversation.inbox = inbox;
        conversation.subject = subject;
        conversation.status = ConversationStatus.OPEN.wire();
        conversation.assigneeId = assigneeId != null ? assigneeId : nextAgent(inbox);
        conversation.persist();
        contacts.seenOn(contact, channel);
        Conversation.flush();
        ConversationDtos.ConversationView view = view(conversation);
        events.publish("conversation.created", conversation.conversationId(), view);
        if (conversation.assigneeId != null) {
            events.publish("conversation.assigned", conversation.conversationId(), view);
        }
        Log.infof("event=conversation_created org_id=%s conversation_id=%s contact_id=%s channel=%s inbox=%s assignee_id=%s", conversation.orgId,
                conversation.conversationId(), contact.contactId(), channel, inbox, conversation.assigneeId);
        return conversation;
    }

    /** Round-robin: the inbox's next agent in turn, or none when the inbox has no agents. */
    private String nextAgent(String inbox) {
        Inbox row = Inbox.find("name", inbox).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (row == null || row.agentIds.length == 0) {
            return null;
        }
        String agent = row.agentIds[(int) Math.floorMod(row.nextAgent, (long) row.agentIds.length)];
        row.nextAgent++;
        return agent;
    }

    public Tagged get(String id) {
        return tagged(require(id));
    }

    public Page<ConversationDtos.ConversationView> list(String status, String assigneeId, String channel, String contactId, String inbox,
                                                        String limit, String cursor) {
        return list(status, assigneeId, channel, contactId, inbox, null, limit, cursor);
    }

    /** The same, also only the conversations linked to {@code entity} when given. */
    public Page<ConversationDtos.ConversationView> list(String status, String assigneeId, String channel, String contactId, String inbox,
                                                        EntityRef entity, String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        Keyset<Conversation> keyset = Keyset.of(Conversation.class);
        if (entity != null) {
            keyset.where("entityType = :entityType", "entityType", entity.type()).where("entityId = :entityId", "entityId", entity.id());
        }
        if (status != null && !status.isBlank()) {
            keyset.where("status = :status", "status", ConversationStatus.parse(status, "status").wire());
        }
        if (assigneeId != null && !assigneeId.isBlank()) {
            keyset.where("assigneeId = :assignee", "assignee", assigneeId.strip());
        }
        if (channel != null && !channel.isBlank()) {
            keyset.where("channel = :channel", "channel", Channels.require(channel, "channel"));
        }
        if (contactId != null && !contactId.isBlank()) {
            // An id that names no contact of this org simply matches nothing.
            keyset.where("contactId = :contact", "contact", TypeId.parse(Contact.ID_PREFIX, contactId.strip()).orElse(new UUID(0, 0)));
        }
        if (inbox != null && !inbox.isBlank()) {
            keyset.where("inbox = :inbox", "inbox", inbox(inbox));
        }
        return keyset.page(page, this::view, cursors);
    }

    /** GET /v1/customers/{id}/conversations: the contact must exist in this org. */
    public Page<ConversationDtos.ConversationView> listForContact(String contactId, String status, String limit, String cursor) {
        Contact contact = contacts.require(contactId);
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        Keyset<Conversation> keyset = Keyset.of(Conversation.class).where("contactId = :contact", "contact", contact.id);
        if (status != null && !status.isBlank()) {
            keyset.where("status = :status", "status", ConversationStatus.parse(status, "status").wire());
        }
        return keyset.page(page, this::view, cursors);
    }

    /** PATCH /v1/conversations/{id}: status (by the transition table), snoozed_until, assignee_id, subject. */
    @Transactional
    public Tagged update(String id, JsonNode body, String ifMatch) {
        Map<String, JsonNode> fields = Json.fields(body, UPDATE_FIELDS);
        Conversation conversation = requireLocked(id);
        if (ifMatch != null && !matches(ifMatch, conversation)) {
            throw new ApiException(ErrorCode.CONFLICT, "the conversation changed since you read it (its ETag is now " + conversation.etag()
                    + "); read it again and retry if the change still applies", Map.of("etag", conversation.etag()));
        }
        ConversationStatus from = ConversationStatus.of(conversation.status);
        ConversationStatus to = fields.containsKey("status") ? ConversationStatus.parse(Json.text(fields, "status", 20), "status") : from;
        ConversationStatus.check(from, to);
        Instant snoozedUntil = conversation.snoozedUntil;
        if (fields.containsKey("snoozed_until") && !fields.get("snoozed_until").isNull()) {
            if (to != ConversationStatus.SNOOZED) {
                throw ApiException.invalid("snoozed_until", "status", "snoozed_until goes with status snoozed");
            }
            snoozedUntil = instant(Json.text(fields, "snoozed_until", 40), "snoozed_until");
            if (!snoozedUntil.isAfter(Instant.now())) {
                throw ApiException.invalid("snoozed_until", "future", "snoozed_until must be in the future");
            }
        } else if (fields.containsKey("snoozed_until") || to != ConversationStatus.SNOOZED || from != ConversationStatus.SNOOZED) {
            snoozedUntil = null;
        }
        String assignee = fields.containsKey("assignee_id") ? agent(fields) : conversation.assigneeId;
        String subject = fields.containsKey("subject") ? Json.text(fields, "subject", 500) : conversation.subject;

        List<String> changed = new ArrayList<>();
        String previousAssignee = conversation.assigneeId;
        if (to != from) {
            conversation.status = to.wire();
            changed.add("status");
            if (!to.active() && from.active()) {
                conversation.resolvedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            } else if (to.active()) {
                conversation.resolvedAt = null;
            }
        }
        if (!Objects.equals(snoozedUntil, conversation.snoozedUntil)) {
            conversation.snoozedUntil = snoozedUntil;
            changed.add("snoozed_until");
        }
        if (!Objects.equals(assignee, conversation.assigneeId)) {
            conversation.assigneeId = assignee;
            changed.add("assignee_id");
        }
        if (!Objects.equals(subject, conversation.subject)) {
            conversation.subject = subject;
            changed.add("subject");
        }
        if (fields.containsKey("entity_type") || fields.containsKey("entity_id")) {
            EntityRef entity = EntityRef.optional(fields);
            String type = entity == null ? null : entity.type();
            String entityId = entity == null ? null : entity.id();
            if (!Objects.equals(type, conversation.entityType)) {
                changed.add("entity_type");
            }
            if (!Objects.equals(entityId, conversation.entityId)) {
                changed.add("entity_id");
            }
            conversation.entityType = type;
            conversation.entityId = entityId;
        }
        if (changed.isEmpty()) {
            return tagged(conversation);
        }
        conversation.version++;
        Conversation.flush();
        ConversationDtos.ConversationView view = view(conversation);
        Map<String, Object> updated = new LinkedHashMap<>();
        updated.put("changed_fields", changed);
        if (to != from) {
            updated.put("previous_status", from.wire());
        }
        events.publish("conversation.updated", conversation.conversationId(), view, updated);
        if (changed.contains("assignee_id")) {
            Map<String, Object> assigned = new LinkedHashMap<>();
            assigned.put("previous_assignee_id", previousAssignee);
            events.publish("conversation.assigned", conversation.conversationId(), view, assigned);
        }
        if (to != from && !to.active() && from.active()) {
            events.publish("conversation.resolved", conversation.conversationId(), view,
                    Map.of("previous_status", from.wire(), "resolved_at", conversation.resolvedAt));
        }
        Log.infof("event=conversation_updated org_id=%s conversation_id=%s changed=%s status=%s assignee_id=%s", conversation.orgId,
                conversation.conversationId(), changed, conversation.status, conversation.assigneeId);
        return tagged(conversation);
    }

    /** What {@link #reopenOnInbound} changed, for {@link #publishReopened} once it is written. */
    public record Reopened(ConversationStatus from, List<String> changed) {
    }

    /**
     * The contact wrote: a snoozed, pending or resolved conversation opens again. Changes the conversation's fields
     * (status, snoozed_until, resolved_at, version) and returns what changed, or null; the caller (MessageService.record,
     * holding the conversation's lock) writes them with the message and then calls {@link #publishReopened}.
     */
    public Reopened reopenOnInbound(Conversation conversation) {
        ConversationStatus from = ConversationStatus.of(conversation.status);
        if (from != ConversationStatus.SNOOZED && from != ConversationStatus.PENDING && from != ConversationStatus.RESOLVED) {
            return null;
        }
        List<String> changed = new ArrayList<>(List.of("status"));
        if (conversation.snoozedUntil != null) {
            changed.add("snoozed_until");
        }
        conversation.status = ConversationStatus.OPEN.wire();
        conversation.snoozedUntil = null;
        conversation.resolvedAt = null;
        conversation.version++;
        return new Reopened(from, changed);
    }

    /** The reopening's one conversation.updated, with the conversation as written. */
    public void publishReopened(Conversation conversation, Reopened reopened) {
        events.publish("conversation.updated", conversation.conversationId(), view(conversation),
                Map.of("changed_fields", reopened.changed(), "previous_status", reopened.from().wire()));
        Log.infof("event=conversation_reopened org_id=%s conversation_id=%s from=%s", conversation.orgId, conversation.conversationId(),
                reopened.from().wire());
    }

    /** The snooze alarm: reopens a conversation still snoozed under the alarm's lease (see {@link SnoozeAlarm}). */
    @Transactional
    public void wake(UUID id, Instant lease) {
        Conversation conversation = Conversation.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (conversation == null || !ConversationStatus.SNOOZED.wire().equals(conversation.status) || conversation.snoozedUntil == null
                || !conversation.snoozedUntil.equals(lease.truncatedTo(ChronoUnit.MICROS))) {
            return;
        }
        conversation.status = ConversationStatus.OPEN.wire();
        conversation.snoozedUntil = null;
        conversation.version++;
        Conversation.flush();
        events.publish("conversation.updated", conversation.conversationId(), view(conversation),
                Map.of("changed_fields", List.of("status", "snoozed_until"), "previous_status", ConversationStatus.SNOOZED.wire()));
        Log.infof("event=conversation_woken org_id=%s conversation_id=%s", conversation.orgId, conversation.conversationId());
    }

    /** Moves every conversation of one contact to another (a merge); each publishes conversation.updated. Returns how many moved. */
    public int moveContact(UUID from, UUID to) {
        List<Conversation> moved = Conversation.find("contactId", from).withLock(LockModeType.PESSIMISTIC_WRITE).list();
        for (Conversation conversation : moved) {
            conversation.contactId = to;
            conversation.version++;
        }
        Conversation.flush();
        for (Conversation conversation : moved) {
            events.publish("conversation.updated", conversation.conversationId(), view(conversation), Map.of("changed_fields", List.of("contact_id")));
        }
        return moved.size();
    }

    /** PUT /v1/inboxes/{name}: the inbox's agents, in the order they take new conversations. */
    @Transactional
    public ConversationDtos.InboxView putInbox(String name, JsonNode body) {
        String inbox = inbox(name);
        Map<String, JsonNode> fields = Json.fields(body, Set.of("agent_ids"));
        JsonNode agents = fields.get("agent_ids");
        if (agents == null || !agents.isArray()) {
            throw ApiException.invalid("agent_ids", "required", "agent_ids must be an array of agent ids");
        }
        if (agents.size() > 500) {
            throw ApiException.invalid("agent_ids", "max_items", "at most 500 agent_ids");
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            JsonNode agent = agents.get(i);
            if (!agent.isTextual() || !AGENT.matcher(agent.asText()).matches()) {
                throw ApiException.invalid("agent_ids[" + i + "]", "format", "an agent id is 1 to 100 letters, digits and _ . : @ -");
            }
            if (!ids.contains(agent.asText())) {
                ids.add(agent.asText());
            }
        }
        locks.lock("inbox|" + inbox);
        Inbox row = Inbox.find("name", inbox).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (row == null) {
            row = new Inbox();
            row.name = inbox;
            row.agentIds = ids.toArray(String[]::new);
            row.persist();
        } else {
            row.agentIds = ids.toArray(String[]::new);
        }
        Inbox.flush();
        Log.infof("event=inbox_agents_set org_id=%s inbox=%s agents=%d", row.orgId, inbox, ids.size());
        return inboxView(row);
    }

    public ConversationDtos.InboxView getInbox(String name) {
        Inbox row = Inbox.find("name", inbox(name)).firstResult();
        if (row == null) {
            throw ApiException.notFound("inbox");
        }
        return inboxView(row);
    }

    public Conversation require(String id) {
        Conversation conversation = OrgScopedLookup.findById(Conversation.class, Ids.require(Conversation.ID_PREFIX, id, "conversation"));
        if (conversation == null) {
            throw ApiException.notFound("conversation");
        }
        return conversation;
    }

    /** The conversation, locked for this transaction (every change to it takes this lock first). */
    public Conversation requireLocked(String id) {
        Conversation conversation = Conversation.findById(Ids.require(Conversation.ID_PREFIX, id, "conversation"), LockModeType.PESSIMISTIC_WRITE);
        if (conversation == null) {
            throw ApiException.notFound("conversation");
        }
        return conversation;
    }

    public ConversationDtos.ConversationView view(Conversation c) {
        String contactId = TypeId.format(Contact.ID_PREFIX, c.contactId);
        return new ConversationDtos.ConversationView(c.conversationId(), c.orgId, contactId, contactId, c.channel, c.inbox, c.subject, c.status,
                c.assigneeId, c.snoozedUntil, c.resolvedAt, c.lastMessageAt, c.entityType,
                c.entityType == null ? null : new EntityRef(c.entityType, c.entityId).idForJson(), c.createdAt, c.updatedAt);
    }

    public Tagged tagged(Conversation conversation) {
        return new Tagged(view(conversation), conversation.etag());
    }

    private static ConversationDtos.InboxView inboxView(Inbox row) {
        return new ConversationDtos.InboxView(row.name, List.of(row.agentIds), row.createdAt, row.updatedAt);
    }

    /** If-Match: {@code *}, or a list of entity tags one of which is the conversation's (weak or strong). */
    private static boolean matches(String ifMatch, Conversation conversation) {
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals(conversation.etag()) || t.equals("W/" + conversation.etag())) {
                return true;
            }
        }
        return false;
    }

    static String inbox(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_INBOX;
        }
        String inbox = value.strip();
        if (!INBOX.matcher(inbox).matches()) {
            throw ApiException.invalid("inbox", "format", "an inbox name is 1 to 63 lowercase letters, digits, _ and -");
        }
        return inbox;
    }

    private static String agent(Map<String, JsonNode> fields) {
        String agent = Json.text(fields, "assignee_id", 100);
        if (agent != null && !AGENT.matcher(agent).matches()) {
            throw ApiException.invalid("assignee_id", "format", "an agent id is 1 to 100 letters, digits and _ . : @ -");
        }
        return agent;
    }

    private static Instant instant(String value, String field) {
        try {
            return java.time.OffsetDateTime.parse(value).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException | NullPointerException e) {
            throw ApiException.invalid(field, "date_time", field + " must be an RFC 3339 date-time, e.g. 2025-01-15T09:30:00Z");
        }
    }
}
