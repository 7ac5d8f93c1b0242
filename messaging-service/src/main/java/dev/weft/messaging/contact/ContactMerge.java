package dev.weft.messaging.contact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.conversation.ConversationService;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.TypeId;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * POST /v1/contacts/{id}/merge: the other contact's conversations (with their messages), channel identities, tags and
 * properties move to this one, its keys and names fill the ones this contact lacks, and it is deleted, all in one
 * transaction. Irreversible; one contact.merged event says so (and one conversation.updated per conversation moved).
 */
@ApplicationScoped
public class ContactMerge {
    private final ContactService contacts;
    private final ConversationService conversations;
    private final MessagingEvents events;

    public ContactMerge(ContactService contacts, ConversationService conversations, MessagingEvents events) {
        this.contacts = contacts;
        this.conversations = conversations;
        this.events = events;
    }

    @Transactional
    public ContactDtos.ContactView merge(String id, JsonNode body) {
        Contact survivor = contacts.require(id);
        Map<String, JsonNode> fields = Json.fields(body, Set.of("contact_id"));
        String otherId = Json.text(fields, "contact_id", 100);
        if (otherId == null) {
            throw ApiException.invalid("contact_id", "required", "contact_id (the contact to merge into this one) is required");
        }
        UUID otherUuid = TypeId.parse(Contact.ID_PREFIX, otherId).orElseThrow(() -> ApiException.invalid("contact_id", "exists", "no contact " + otherId));
        if (otherUuid.equals(survivor.id)) {
            throw ApiException.invalid("contact_id", "other", "a contact cannot be merged into itself");
        }
        // Both rows locked in one order, so two merges of the same pair never deadlock.
        for (UUID row : survivor.id.compareTo(otherUuid) < 0 ? new UUID[]{survivor.id, otherUuid} : new UUID[]{otherUuid, survivor.id}) {
            Contact.findById(row, LockModeType.PESSIMISTIC_WRITE);
        }
        Contact other = Contact.findById(otherUuid);
        if (other == null) {
            throw ApiException.invalid("contact_id", "exists", "no contact " + otherId);
        }

        int moved = conversations.moveContact(other.id, survivor.id);
        int messages = Panache.getEntityManager().createQuery("update Message set contactId = :to where contactId = :from")
                .setParameter("to", survivor.id).setParameter("from", other.id).executeUpdate();
        Panache.getEntityManager().createQuery("update ContactIdentity set contactId = :to where contactId = :from")
                .setParameter("to", survivor.id).setParameter("from", other.id).executeUpdate();

        // The other's keys go with it before the survivor takes them (the unique indexes see one holder at a time).
        String externalId = other.externalId;
        String email = other.email;
        String emailKey = other.emailKey;
        String phone = other.phone;
        String phoneKey = other.phoneKey;
        Set<String> tags = new LinkedHashSet<>(Arrays.asList(survivor.tags));
        tags.addAll(Arrays.asList(other.tags));
        Set<String> channels = new LinkedHashSet<>(Arrays.asList(survivor.channels));
        channels.addAll(Arrays.asList(other.channels));
        ObjectNode properties = Json.parseObject(other.properties);
        ObjectNode own = Json.parseObject(survivor.properties);
        for (Iterator<Map.Entry<String, JsonNode>> it = own.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            properties.set(property.getKey(), property.getValue());
        }
        String otherContactId = other.contactId();
        ContactDtos.ContactView otherView = contacts.view(other, null);
        Panache.getEntityManager().detach(other);
        Contact.delete("id", other.id);
        Contact.flush();

        if (survivor.externalId == null) {
            survivor.externalId = externalId;
        }
        if (survivor.emailKey == null) {
            survivor.email = email;
            survivor.emailKey = emailKey;
        }
        if (survivor.phoneKey == null) {
            survivor.phone = phone;
            survivor.phoneKey = phoneKey;
        }
        survivor.firstName = survivor.firstName != null ? survivor.firstName : otherView.firstName();
        survivor.lastName = survivor.lastName != null ? survivor.lastName : otherView.lastName();
        survivor.channel = survivor.channel != null ? survivor.channel : otherView.channel();
        survivor.tags = tags.toArray(String[]::new);
        survivor.channels = channels.toArray(String[]::new);
        survivor.properties = Json.write(properties);
        survivor.lastInboundAt = later(survivor.lastInboundAt, other.lastInboundAt);
        survivor.lastOutboundAt = later(survivor.lastOutboundAt, other.lastOutboundAt);
        Contact.flush();
        ContactDtos.ContactView view = contacts.view(survivor, null);
        events.publish("contact.merged", survivor.contactId(), view, Map.of("merged_contact_id", otherContactId,
                "moved_conversations", moved, "moved_messages", messages, "merged_contact", otherView));
        Log.infof("event=contact_merged org_id=%s contact_id=%s merged_contact_id=%s conversations=%d messages=%d", survivor.orgId,
                survivor.contactId(), otherContactId, moved, messages);
        return view;
    }

    private static java.time.Instant later(java.time.Instant a, java.time.Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
