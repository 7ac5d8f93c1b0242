package dev.weft.messaging.contact;

import dev.weft.platform.db.Timestamps;
import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Channels;
import dev.weft.messaging.Json;
import dev.weft.messaging.Locks;
import dev.weft.messaging.Db;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.messaging.conversation.Conversation;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Contacts of the current org, deduplicated by external_id, then email (case-insensitive), then phone (E.164 with
 * national variants folded, {@link PhoneNumbers}). Each key is locked for the transaction before it is looked up
 * ({@link Locks}), so two requests for one person never create two contacts; the unique indexes back that up.
 * Background callers (channel adapters) run inside the org with {@code SystemPrincipal.runAs(org, ...)}.
 */
@ApplicationScoped
public class ContactService {
    /** Statuses of a conversation that still needs someone (the contact's activity counts them). */
    public static final List<String> ACTIVE_STATUSES = List.of("open", "pending", "snoozed");

    private final CursorCodec cursors;
    private final MessagingEvents events;
    private final Locks locks;
    private final Db db;

    public record Upserted(ContactDtos.ContactView contact, boolean created) {
    }

    public ContactService(CursorCodec cursors, MessagingEvents events, Locks locks, Db db) {
        this.db = db;
        this.cursors = cursors;
        this.events = events;
        this.locks = locks;
    }

    /** POST /v1/contacts: updates the contact one of the keys finds (external_id first, then email, then phone), else creates one. */
    @Transactional
    public Upserted upsert(JsonNode body) {
        ContactInput in = ContactInput.parse(body);
        if (!in.hasAnyKey()) {
            throw ApiException.invalid("email", "required", "give at least one of external_id, email or phone: they identify the contact");
        }
        lockKeys(in.externalId, in.emailKey, in.phone == null ? null : in.phone.key());
        Map<String, Contact> matches = new LinkedHashMap<>();
        if (in.externalId != null) {
            byKey("externalId", in.externalId).ifPresent(c -> matches.put("external_id", c));
        }
        if (in.emailKey != null) {
            byKey("emailKey", in.emailKey).ifPresent(c -> matches.put("email", c));
        }
        if (in.phone != null) {
            byKey("phoneKey", in.phone.key()).ifPresent(c -> matches.put("phone", c));
        }
        Set<UUID> distinct = new LinkedHashSet<>();
        matches.values().forEach(c -> distinct.add(c.id));
        if (distinct.size() > 1) {
            throw duplicate(matches);
        }
        if (matches.isEmpty()) {
            Contact contact = new Contact();
            apply(contact, in);
            contact.persist();
            Contact.flush();
            ContactDtos.ContactView view = view(contact, null);
            events.publish("contact.created", contact.contactId(), view);
            Log.infof("event=contact_created org_id=%s contact_id=%s", contact.orgId, contact.contactId());
            return new Upserted(view, true);
        }
        Map.Entry<String, Contact> match = matches.entrySet().iterator().next();
        Contact contact = match.getValue();
        if (!match.getKey().equals("external_id") && in.externalId != null && contact.externalId != null && !contact.externalId.equals(in.externalId)) {
            // The email or phone belongs to someone your own system knows under another id: not the same person.
            throw new ApiException(ErrorCode.DUPLICATE, "the " + match.getKey() + " belongs to " + contact.contactId() + ", whose external_id is "
                    + contact.externalId + ", not " + in.externalId, Map.of("contact_ids", List.of(contact.contactId()), "matched_by",
                    Map.of(match.getKey(), contact.contactId()), "field", "external_id"));
        }
        Contact.findById(contact.id, LockModeType.PESSIMISTIC_WRITE);
        List<String> changed = apply(contact, in);
        if (!changed.isEmpty()) {
            Contact.flush();
        }
        ContactDtos.ContactView view = view(contact, null);
        if (!changed.isEmpty()) {
            events.publish("contact.updated", contact.contactId(), view, Map.of("changed_fields", changed));
        }
        Log.infof("event=contact_matched org_id=%s contact_id=%s matched_by=%s changed=%s", contact.orgId, contact.contactId(), match.getKey(), changed);
        return new Upserted(view, false);
    }

    public ContactDtos.ContactView get(String id) {
        Contact contact = require(id);
        long open = Conversation.count("contactId = ?1 and status in ?2", contact.id, ACTIVE_STATUSES);
        return view(contact, new ContactDtos.Activity(contact.lastInboundAt, contact.lastOutboundAt, open));
    }

    /** PATCH /v1/contacts/{id}: a JSON merge patch; a key another contact holds is a 409 DUPLICATE naming both. */
    @Transactional
    public ContactDtos.ContactView update(String id, JsonNode body) {
        Contact contact = require(id);
        ContactInput in = ContactInput.parse(body);
        lockKeys(in.externalIdGiven ? in.externalId : null, in.emailKey, in.phone == null ? null : in.phone.key());
        Contact.findById(contact.id, LockModeType.PESSIMISTIC_WRITE);
        Map<String, Contact> holders = new LinkedHashMap<>();
        if (in.externalIdGiven && in.externalId != null) {
            byKey("externalId", in.externalId).filter(c -> !c.id.equals(contact.id)).ifPresent(c -> holders.put("external_id", c));
        }
        if (in.emailKey != null) {
            byKey("emailKey", in.emailKey).filter(c -> !c.id.equals(contact.id)).ifPresent(c -> holders.put("email", c));
        }
        if (in.phone != null) {
            byKey("phoneKey", in.phone.key()).filter(c -> !c.id.equals(contact.id)).ifPresent(c -> holders.put("phone", c));
        }
        if (!holders.isEmpty()) {
            Map<String, Contact> both = new LinkedHashMap<>();
            both.put("id", contact);
            both.putAll(holders);
            throw duplicate(both);
        }
        List<String> changed = apply(contact, in);
        if (!changed.isEmpty()) {
            Contact.flush();
            events.publish("contact.updated", contact.contactId(), view(contact, null), Map.of("changed_fields", changed));
            Log.infof("event=contact_updated org_id=%s contact_id=%s changed=%s", contact.orgId, contact.contactId(), changed);
        }
        return view(contact, null);
    }

    /** Deletes the contact with its identities, conversations and messages (the foreign keys cascade). */
    @Transactional
    public void delete(String id) {
        Contact contact = require(id);
        ContactDtos.ContactView view = view(contact, null);
        contact.delete();
        events.publish("contact.deleted", contact.contactId(), view);
        Log.infof("event=contact_deleted org_id=%s contact_id=%s", contact.orgId, contact.contactId());
    }

    /** Contacts newest first, filtered by tag, by a channel they were seen on, and by {@code q} in names, email, phone or external id. */
    public Page<ContactDtos.ContactView> list(String tag, String channel, String q, String limit, String cursor) {
        return list(tag, channel, q, null, limit, cursor);
    }

    /** The same, also only the contacts linked to {@code entity} when given. */
    public Page<ContactDtos.ContactView> list(String tag, String channel, String q, EntityRef entity, String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        Keyset<Contact> keyset = Keyset.of(Contact.class);
        if (entity != null) {
            keyset.where("entityType = :entityType", "entityType", entity.type()).where("entityId = :entityId", "entityId", entity.id());
        }
        if (tag != null && !tag.isBlank()) {
            keyset.where("array_contains(tags, :tag)", "tag", tag.strip());
        }
        if (channel != null && !channel.isBlank()) {
            keyset.where("array_contains(channels, :channel)", "channel", Channels.require(channel, "channel"));
        }
        if (q != null && !q.isBlank()) {
            if (q.length() > 200) {
                throw ApiException.invalid("q", "max_length", "q is longer than 200 characters");
            }
            String like = "%" + q.strip().toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            keyset.where("lower(firstName) like :q escape '\\' or lower(lastName) like :q escape '\\' or emailKey like :q escape '\\'"
                    + " or phone like :q escape '\\' or lower(externalId) like :q escape '\\'", "q", like);
        }
        return keyset.page(page, c -> view(c, null), cursors);
    }

    /**
     * The contact behind a channel address (an inbound message's sender, a send's recipient), created when none is
     * known: the address is looked up as the contact's identity on that channel, then, for WhatsApp and email, by
     * phone or email, so a contact created through the API with that phone is found. Runs in the caller's transaction.
     * A known address's contact comes back as a plain row, not managed by the session: a change to it is written by
     * the method making it ({@link #seenOn}, {@link #nameIfUnnamed}, MessageService.record), never by a flush.
     */
    @Transactional
    public Contact findOrCreate(String channel, String address) {
        return findOrCreate(address(channel, address));
    }

    /** A channel address checked and written as identities hold it: E.164 for WhatsApp, lower case for email. */
    public record Address(String channel, String address, PhoneNumbers.Phone phone, String emailKey) {
    }

    /** Checks and normalizes an address on a channel (an unparseable phone or an empty address: 400). */
    public Address address(String channel, String address) {
        String checkedChannel = Channels.require(channel, "channel");
        String checkedAddress = address == null ? "" : address.strip();
        if (checkedAddress.isEmpty() || checkedAddress.length() > 255) {
            throw ApiException.invalid("to", "required", "the address is empty or too long");
        }
        PhoneNumbers.Phone phone = null;
        String emailKey = null;
        if (checkedChannel.equals("whatsapp")) {
            phone = PhoneNumbers.parse(checkedAddress.startsWith("+") || checkedAddress.startsWith("00") ? checkedAddress : "+" + checkedAddress, "to");
            checkedAddress = phone.e164();
        } else if (checkedChannel.equals("email")) {
            emailKey = checkedAddress.toLowerCase(Locale.ROOT);
            checkedAddress = emailKey;
        }
        return new Address(checkedChannel, checkedAddress, phone, emailKey);
    }

    /** {@link #findOrCreate(String, String)} of an address already checked by {@link #address}. */
    @Transactional
    public Contact findOrCreate(Address to) {
        String checkedChannel = to.channel();
        String checkedAddress = to.address();
        PhoneNumbers.Phone phone = to.phone();
        String emailKey = to.emailKey();
        // A known address (every message after a contact's first) needs no lock: identities are only ever added, and
        // a merge moves them under the contacts' row locks, so a committed one is read as it is. Only a new one is
        // created under the locks, where a second request for the same address waits and then finds it.
        Contact known = byIdentity(checkedChannel, checkedAddress);
        if (known != null) {
            return known;
        }
        locks.lock("identity|" + checkedChannel + "|" + checkedAddress);
        lockKeys(null, emailKey, phone == null ? null : phone.key());
        ContactIdentity identity = ContactIdentity.find("channel = ?1 and address = ?2", checkedChannel, checkedAddress).firstResult();
        if (identity != null) {
            return Contact.findById(identity.contactId);
        }
        Contact contact = phone != null ? byKey("phoneKey", phone.key()).orElse(null) : emailKey != null ? byKey("emailKey", emailKey).orElse(null) : null;
        if (contact == null) {
            contact = new Contact();
            contact.channel = checkedChannel;
            contact.channels = new String[]{checkedChannel};
            if (phone != null) {
                contact.phone = phone.e164();
                contact.phoneKey = phone.key();
            }
            if (emailKey != null) {
                contact.email = checkedAddress;
                contact.emailKey = emailKey;
            }
            contact.persist();
            Contact.flush();
            events.publish("contact.created", contact.contactId(), view(contact, null));
            Log.infof("event=contact_created org_id=%s contact_id=%s channel=%s", contact.orgId, contact.contactId(), checkedChannel);
        }
        ContactIdentity created = new ContactIdentity();
        created.contactId = contact.id;
        created.channel = checkedChannel;
        created.address = checkedAddress;
        created.persist();
        // Written now: addressOn reads identities with plain JDBC, which does not flush the session first.
        ContactIdentity.flush();
        return contact;
    }

    /** A contact's columns in {@link #row}'s order. */
    private static final String CONTACT_COLUMNS = """
            c.id, c.org_id, c.first_name, c.last_name, c.email, c.email_key, c.phone, c.phone_key, c.external_id, c.channel, c.channels,
            c.tags, c.properties, c.entity_type, c.entity_id, c.last_inbound_at, c.last_outbound_at, c.created_at, c.updated_at""";

    /**
     * The contact holding an address (org, channel, address), with the address a send goes to (addressOn's answer), so a
     * send to a known recipient asks nothing more. Public for the test that holds its cost to a few pages whatever the
     * org's size (the send address by the contact_identities_by_contact index, never by scanning the org's identities).
     */
    public static final String BY_IDENTITY = "SELECT " + CONTACT_COLUMNS + """
            , (SELECT a.address FROM contact_identities a WHERE a.contact_id = c.id AND a.org_id = i.org_id AND a.channel = i.channel
               ORDER BY a.created_at LIMIT 1)
            FROM contact_identities i JOIN contacts c ON c.id = i.contact_id WHERE i.org_id = ? AND i.channel = ? AND i.address = ?""";

    /**
     * The contact holding an address on a channel, in one statement with the org bound (no HQL under the tenant filter),
     * read as a plain row into a detached {@link Contact}: every webhook and send asks, and mapping it to a managed
     * entity (then flushing the whole row at commit) cost several times the query. What a message changes on it is
     * written with explicit UPDATEs of those columns ({@link #seenOn}, {@link #nameIfUnnamed}, MessageService.record).
     */
    private Contact byIdentity(String channel, String address) {
        return this.db.work(db -> {
            try (java.sql.PreparedStatement query = db.prepareStatement(BY_IDENTITY)) {
                query.setString(1, TenantContext.requireOrgId());
                query.setString(2, channel);
                query.setString(3, address);
                try (java.sql.ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        return null;
                    }
                    return fromRow(row, 0, channel);
                }
            }
        });
    }

    /**
     * A row of {@link #BY_IDENTITY}'s columns, from column {@code offset + 1} (the contact's 19, then its address on
     * {@code channel}), as a detached plain {@link Contact}.
     */
    public static Contact fromRow(java.sql.ResultSet row, int offset, String channel) throws java.sql.SQLException {
        int o = offset;
        Contact c = new Contact();
        c.id = row.getObject(o + 1, UUID.class);
        c.orgId = row.getString(o + 2);
        c.firstName = row.getString(o + 3);
        c.lastName = row.getString(o + 4);
        c.email = row.getString(o + 5);
        c.emailKey = row.getString(o + 6);
        c.phone = row.getString(o + 7);
        c.phoneKey = row.getString(o + 8);
        c.externalId = row.getString(o + 9);
        c.channel = row.getString(o + 10);
        c.channels = strings(row.getArray(o + 11));
        c.tags = strings(row.getArray(o + 12));
        c.properties = row.getString(o + 13);
        c.entityType = row.getString(o + 14);
        c.entityId = row.getString(o + 15);
        c.lastInboundAt = Timestamps.instant(row, o + 16);
        c.lastOutboundAt = Timestamps.instant(row, o + 17);
        c.createdAt = Timestamps.instant(row, o + 18);
        c.updatedAt = Timestamps.instant(row, o + 19);
        c.plain = true;
        c.sendAddress = row.getString(o + 20);
        c.sendAddressChannel = channel;
        return c;
    }

    /** How many columns {@link #fromRow} reads. */
    public static final int ROW_COLUMNS = 20;

    private static String[] strings(java.sql.Array array) throws java.sql.SQLException {
        if (array == null) {
            return new String[0];
        }
        Object[] values = (Object[]) array.getArray();
        return Arrays.copyOf(values, values.length, String[].class);
    }

    /** Whether the contact is managed by this transaction's session (else a plain row whose changes are written by hand). */
    private static boolean managed(Contact contact) {
        return !contact.plain;
    }

    /**
     * An inbound message's sender name, as the contact's first name when it has no name yet (nothing else changes).
     * A plain row is written with one UPDATE of that column, only while it is still unnamed.
     */
    public void nameIfUnnamed(Contact contact, String name) {
        if (name == null || contact.firstName != null || contact.lastName != null) {
            return;
        }
        contact.firstName = name.length() > 200 ? name.substring(0, 200) : name;
        if (managed(contact)) {
            return;
        }
        contact.updatedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        this.db.work(db -> {
            try (java.sql.PreparedStatement update = db.prepareStatement("""
                    UPDATE contacts SET first_name = ?, updated_at = ? WHERE id = ? AND org_id = ? AND first_name IS NULL AND last_name IS NULL""")) {
                update.setString(1, contact.firstName);
                update.setObject(2, java.time.OffsetDateTime.ofInstant(contact.updatedAt, java.time.ZoneOffset.UTC), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
                update.setObject(3, contact.id);
                update.setString(4, contact.orgId);
                return update.executeUpdate();
            }
        });
    }

    /** {@link #addressOn(UUID, String)}, answered from the contact's row when it was read with it (findOrCreate). */
    public java.util.Optional<String> addressOn(Contact contact, String channel) {
        if (contact.sendAddress != null && channel.equals(contact.sendAddressChannel)) {
            return java.util.Optional.of(contact.sendAddress);
        }
        return addressOn(contact.id, channel);
    }

    /** The contact's address on a channel (what a channel adapter sends to), if it has one. */
    public java.util.Optional<String> addressOn(UUID contactId, String channel) {
        // Plain JDBC for the one column (every send asks): HQL under the @TenantId filter was a fifth of a send's CPU.
        String orgId = TenantContext.requireOrgId();
        String address = this.db.work(db -> {
            try (java.sql.PreparedStatement query = db.prepareStatement(
                    "SELECT address FROM contact_identities WHERE contact_id = ? AND org_id = ? AND channel = ? ORDER BY created_at LIMIT 1")) {
                query.setObject(1, contactId);
                query.setString(2, orgId);
                query.setString(3, channel);
                try (java.sql.ResultSet row = query.executeQuery()) {
                    return row.next() ? row.getString(1) : null;
                }
            }
        });
        if (address != null) {
            return java.util.Optional.of(address);
        }
        Contact contact = OrgScopedLookup.findById(Contact.class, contactId);
        if (contact == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(channel.equals("email") ? contact.email : channel.equals("whatsapp") ? contact.phone : null);
    }

    public Contact require(String id) {
        Contact contact = OrgScopedLookup.findById(Contact.class, Ids.require(Contact.ID_PREFIX, id, "contact"));
        if (contact == null) {
            throw ApiException.notFound("contact");
        }
        return contact;
    }

    /** Adds a channel the contact is seen on (a conversation opened there). */
    public void seenOn(Contact contact, String channel) {
        boolean changed = false;
        if (!Arrays.asList(contact.channels).contains(channel)) {
            String[] channels = Arrays.copyOf(contact.channels, contact.channels.length + 1);
            channels[channels.length - 1] = channel;
            contact.channels = channels;
            changed = true;
        }
        if (contact.channel == null) {
            contact.channel = channel;
            changed = true;
        }
        if (!changed || managed(contact)) {
            return;
        }
        // A plain row (byIdentity): only these two columns are written, relative to what is stored, so a concurrent
        // change of another column or channel is not overwritten.
        contact.updatedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        this.db.work(db -> {
            try (java.sql.PreparedStatement update = db.prepareStatement("""
                    UPDATE contacts SET channels = CASE WHEN ? = ANY (channels) THEN channels ELSE array_append(channels, ?::varchar) END,
                                        channel = coalesce(channel, ?), updated_at = ?
                    WHERE id = ? AND org_id = ?""")) {
                update.setString(1, channel);
                update.setString(2, channel);
                update.setString(3, channel);
                update.setObject(4, java.time.OffsetDateTime.ofInstant(contact.updatedAt, java.time.ZoneOffset.UTC), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
                update.setObject(5, contact.id);
                update.setString(6, contact.orgId);
                return update.executeUpdate();
            }
        });
    }

    public ContactDtos.ContactView view(Contact contact, ContactDtos.Activity activity) {
        return new ContactDtos.ContactView(contact.contactId(), contact.orgId, contact.firstName, contact.lastName, contact.email, contact.phone,
                contact.externalId, contact.channel, List.of(contact.channels), List.of(contact.tags), Json.parseObject(contact.properties),
                contact.entityType, contact.entityType == null ? null : new EntityRef(contact.entityType, contact.entityId).idForJson(), activity,
                contact.createdAt, contact.updatedAt);
    }

    /** Locks the dedupe keys for this transaction, in one order (no deadlock between two requests with the same keys). */
    public void lockKeys(String externalId, String emailKey, String phoneKey) {
        List<String> keys = new ArrayList<>();
        if (externalId != null) {
            keys.add("external_id|" + externalId);
        }
        if (emailKey != null) {
            keys.add("email|" + emailKey);
        }
        if (phoneKey != null) {
            keys.add("phone|" + phoneKey);
        }
        keys.sort(null);
        keys.forEach(key -> locks.lock("contact|" + key));
    }

    public java.util.Optional<Contact> byKey(String field, String value) {
        return Contact.find(field, value).firstResultOptional();
    }

    static ApiException duplicate(Map<String, Contact> matches) {
        Map<String, String> matchedBy = new LinkedHashMap<>();
        Set<String> ids = new LinkedHashSet<>();
        matches.forEach((key, contact) -> {
            matchedBy.put(key, contact.contactId());
            ids.add(contact.contactId());
        });
        return new ApiException(ErrorCode.DUPLICATE, "the request matches " + ids.size() + " different contacts: " + String.join(" and ", ids)
                + " (" + matchedBy + "); merge them (POST /v1/contacts/{id}/merge) or change the request",
                Map.of("contact_ids", List.copyOf(ids), "matched_by", matchedBy));
    }

    /** Applies the given fields as a merge patch; returns the fields that changed (properties.<key> for a property). */
    private List<String> apply(Contact contact, ContactInput in) {
        List<String> changed = new ArrayList<>();
        if (in.has("first_name") && !Objects.equals(contact.firstName, in.firstName)) {
            contact.firstName = in.firstName;
            changed.add("first_name");
        }
        if (in.has("last_name") && !Objects.equals(contact.lastName, in.lastName)) {
            contact.lastName = in.lastName;
            changed.add("last_name");
        }
        // The same key written another way (EMAIL case, a phone's spacing or Brazil's ninth digit) keeps the stored form.
        if (in.has("email") && !Objects.equals(contact.emailKey, in.emailKey)) {
            contact.email = in.email;
            contact.emailKey = in.emailKey;
            changed.add("email");
        }
        if (in.has("phone") && !Objects.equals(contact.phoneKey, in.phone == null ? null : in.phone.key())) {
            contact.phone = in.phone == null ? null : in.phone.e164();
            contact.phoneKey = in.phone == null ? null : in.phone.key();
            changed.add("phone");
        }
        if (in.externalIdGiven && !Objects.equals(contact.externalId, in.externalId)) {
            contact.externalId = in.externalId;
            changed.add("external_id");
        }
        if (in.has("channel") && !Objects.equals(contact.channel, in.channel)) {
            contact.channel = in.channel;
            changed.add("channel");
        }
        if (in.channel != null && !Arrays.asList(contact.channels).contains(in.channel)) {
            seenOn(contact, in.channel);
        }
        if (in.entityGiven) {
            String type = in.entity == null ? null : in.entity.type();
            String entityId = in.entity == null ? null : in.entity.id();
            if (!Objects.equals(contact.entityType, type)) {
                changed.add("entity_type");
            }
            if (!Objects.equals(contact.entityId, entityId)) {
                changed.add("entity_id");
            }
            contact.entityType = type;
            contact.entityId = entityId;
        }
        if (in.has("tags")) {
            String[] tags = in.tags == null ? new String[0] : in.tags.toArray(String[]::new);
            if (!Arrays.equals(contact.tags, tags)) {
                contact.tags = tags;
                changed.add("tags");
            }
        }
        if (in.properties != null) {
            ObjectNode properties = Json.parseObject(contact.properties);
            for (Iterator<Map.Entry<String, JsonNode>> it = in.properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                JsonNode before = properties.get(property.getKey());
                if (property.getValue().isNull()) {
                    if (before != null) {
                        properties.remove(property.getKey());
                        changed.add("properties." + property.getKey());
                    }
                } else if (!property.getValue().equals(before)) {
                    properties.set(property.getKey(), property.getValue());
                    changed.add("properties." + property.getKey());
                }
            }
            contact.properties = Json.write(properties);
        } else if (in.has("properties") && !contact.properties.equals("{}")) {
            Json.parseObject(contact.properties).fieldNames().forEachRemaining(key -> changed.add("properties." + key));
            contact.properties = "{}";
        }
        return changed;
    }
}
