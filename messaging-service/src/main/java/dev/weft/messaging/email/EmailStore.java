package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.Locks;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.id.TypeId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes fetched and sent mail: each message once per connection (looked up by its provider id, so a resync or a
 * redelivery updates flags and folder instead of adding a row), threaded, and announced with {@code email.received}
 * when it is new and inbound, in the same transaction (outbox).
 */
@ApplicationScoped
public class EmailStore {
    private final MessagingEvents events;
    private final Locks locks;

    public EmailStore(MessagingEvents events, Locks locks) {
        this.events = events;
        this.locks = locks;
    }

    /** Stores one message of {@code account}; true when it was new. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean store(MailAccount account, Mailbox.Fetched f) {
        locks.lock("email|" + account.connectionId + "|" + f.providerId());
        Email existing = Email.find("connectionId = ?1 and providerMessageId = ?2", account.connectionId, f.providerId()).firstResult();
        if (existing == null) {
            existing = adoptSent(account, f);
        }
        if (existing != null) {
            existing.read = f.read();
            existing.starred = f.starred();
            existing.imapUid = f.imapUid() != null ? f.imapUid() : existing.imapUid;
            existing.folder = f.folder();
            existing.archived = "archive".equals(f.folder());
            attachments(existing, f.attachments());
            return false;
        }
        Email email = new Email();
        email.connectionId = account.connectionId;
        email.accountId = account.id;
        email.providerMessageId = f.providerId();
        email.imapUid = f.imapUid();
        email.messageId = f.messageId();
        email.inReplyTo = f.inReplyTo();
        email.referencesIds = f.references() == null ? new String[0] : f.references().toArray(String[]::new);
        email.folder = f.folder();
        email.archived = "archive".equals(f.folder());
        boolean outbound = "sent".equals(f.folder()) || f.from() != null && account.address != null && account.address.equalsIgnoreCase(f.from().address());
        email.direction = outbound ? "outbound" : "inbound";
        email.read = f.read();
        email.starred = f.starred();
        email.fromAddress = f.from() == null ? null : f.from().address();
        email.fromName = f.from() == null ? null : f.from().name();
        email.toList = list(f.to());
        email.ccList = list(f.cc());
        email.bccList = "[]";
        email.addresses = addresses(f.from(), f.to(), f.cc(), List.of());
        email.subject = f.subject();
        email.bodyText = f.text();
        email.snippet = f.snippet();
        email.receivedAt = f.receivedAt().truncatedTo(ChronoUnit.MICROS);
        email.threadId = thread(account.connectionId, f.threadKey(), f.inReplyTo(), f.references(), f.subject(), email.receivedAt).id;
        email.persist();
        attachments(email, f.attachments());
        if (!outbound) {
            events.publish("email.received", email.emailId(), received(email));
        }
        return true;
    }

    /**
     * A message Weft itself sent and stored (under {@code sent:<Message-ID>}, the provider having given no id) synced
     * back from the provider: the stored row takes the provider's id. Found by its Message-ID in any folder (the
     * server's Sent folder, or the inbox of a mail sent to oneself); in the sent folder also by subject and recipients.
     */
    private Email adoptSent(MailAccount account, Mailbox.Fetched f) {
        Email mine = f.messageId() == null ? null
                : Email.find("connectionId = ?1 and providerMessageId = ?2", account.connectionId, "sent:" + f.messageId()).firstResult();
        if (mine == null && "sent".equals(f.folder()) && f.subject() != null) {
            // Graph assigns its own Message-ID: the same subject and recipients sent within the hour is the same mail.
            List<Email> candidates = Email.find("connectionId = ?1 and providerMessageId like 'sent:%' and subject = ?2 and receivedAt > ?3",
                    account.connectionId, f.subject(), f.receivedAt().minus(1, ChronoUnit.HOURS)).list();
            String[] wanted = addresses(null, f.to(), f.cc(), List.of());
            for (Email candidate : candidates) {
                if (Set.of(candidate.addresses).containsAll(Set.of(wanted))) {
                    mine = candidate;
                    break;
                }
            }
        }
        if (mine != null) {
            mine.providerMessageId = f.providerId();
        }
        return mine;
    }

    /**
     * Records the fetched attachments' metadata (null: the provider did not say, what is stored stays). Rows are kept
     * while the provider lists the same attachments, so their ids stay the same across resyncs; otherwise replaced.
     */
    private static void attachments(Email email, List<Mailbox.Attachment> fetched) {
        if (fetched == null) {
            return;
        }
        java.util.Map<String, Mailbox.Attachment> wanted = new java.util.LinkedHashMap<>();
        fetched.forEach(a -> wanted.putIfAbsent(a.providerId(), a));
        email.hasAttachments = wanted.values().stream().anyMatch(a -> !a.inline());
        List<String> stored = EmailAttachment.<EmailAttachment>list("emailId = ?1 order by position", email.id).stream()
                .map(a -> a.providerAttachmentId).toList();
        if (stored.equals(List.copyOf(wanted.keySet()))) {
            return;
        }
        EmailAttachment.delete("emailId", email.id);
        int position = 0;
        for (Mailbox.Attachment a : wanted.values()) {
            EmailAttachment row = new EmailAttachment();
            row.emailId = email.id;
            row.providerAttachmentId = a.providerId();
            row.position = position++;
            row.filename = a.filename();
            row.contentType = a.contentType();
            row.size = a.size();
            row.contentId = a.contentId();
            row.inline = a.inline();
            row.persist();
        }
    }

    /** The thread a message joins: its parent's (by In-Reply-To/References), else the provider's thread key's. */
    @Transactional(Transactional.TxType.MANDATORY)
    public EmailThread thread(String connectionId, String threadKey, String inReplyTo, List<String> references, String subject, Instant at) {
        List<String> parents = new ArrayList<>();
        if (inReplyTo != null) {
            parents.add(inReplyTo);
        }
        if (references != null) {
            parents.addAll(references.reversed());
        }
        EmailThread thread = null;
        if (!parents.isEmpty()) {
            Email parent = Email.find("connectionId = ?1 and messageId in ?2 order by receivedAt desc", connectionId, parents).firstResult();
            if (parent != null) {
                thread = EmailThread.findById(parent.threadId);
            }
        }
        if (thread == null) {
            locks.lock("email-thread|" + connectionId + "|" + threadKey);
            thread = EmailThread.find("connectionId = ?1 and providerThreadId = ?2", connectionId, threadKey).firstResult();
        }
        if (thread == null) {
            thread = new EmailThread();
            thread.connectionId = connectionId;
            thread.providerThreadId = threadKey;
            thread.subject = subject;
            thread.lastMessageAt = at;
            thread.persist();
        }
        if (thread.lastMessageAt == null || thread.lastMessageAt.isBefore(at)) {
            thread.lastMessageAt = at;
        }
        if (thread.subject == null) {
            thread.subject = subject;
        }
        return thread;
    }

    /** The entities the email's addresses are matched to. */
    @SuppressWarnings("unchecked")
    public List<EntityRef> matches(String[] addresses) {
        if (addresses.length == 0) {
            return List.of();
        }
        List<EmailMatch> found = EmailMatch.find("address in ?1 order by createdAt, id", List.of(addresses)).list();
        Set<EntityRef> refs = new LinkedHashSet<>();
        found.forEach(m -> refs.add(new EntityRef(m.entityType, m.entityId)));
        return new ArrayList<>(refs);
    }

    /** email.received's data (webhook-service's event-types.json): no body. */
    private ObjectNode received(Email email) {
        ObjectNode data = Json.newObject();
        data.put("id", email.emailId());
        data.put("org_id", dev.weft.platform.tenancy.TenantContext.requireOrgId());
        data.put("connection_id", email.connectionId);
        data.put("thread_id", TypeId.format(EmailThread.ID_PREFIX, email.threadId));
        if (email.messageId != null) {
            data.put("message_id", email.messageId);
        }
        data.put("folder", email.folder);
        ObjectNode from = data.putObject("from");
        from.put("address", email.fromAddress == null ? "unknown@invalid" : email.fromAddress);
        if (email.fromName != null) {
            from.put("name", email.fromName);
        }
        data.set("to", Json.parseArray(email.toList));
        data.set("cc", Json.parseArray(email.ccList));
        data.put("subject", email.subject == null ? "" : email.subject);
        if (email.snippet != null) {
            data.put("snippet", email.snippet);
        }
        data.put("has_attachments", email.hasAttachments);
        ArrayNode matched = data.putArray("matched_entities");
        for (EntityRef ref : matches(email.addresses)) {
            matched.addObject().put("entity_type", ref.type()).put("entity_id", ref.id());
        }
        data.put("received_at", email.receivedAt.toString());
        return data;
    }

    static String list(List<Mailbox.Address> addresses) {
        ArrayNode out = Json.newObject().arrayNode();
        if (addresses != null) {
            for (Mailbox.Address a : addresses) {
                ObjectNode node = out.addObject().put("address", a.address());
                if (a.name() != null && !a.name().isBlank()) {
                    node.put("name", a.name());
                }
            }
        }
        return Json.write(out);
    }

    @SafeVarargs
    static String[] addresses(Mailbox.Address from, List<Mailbox.Address>... lists) {
        Set<String> all = new LinkedHashSet<>();
        if (from != null) {
            all.add(from.address().toLowerCase(Locale.ROOT));
        }
        for (List<Mailbox.Address> list : lists) {
            if (list != null) {
                list.forEach(a -> all.add(a.address().toLowerCase(Locale.ROOT)));
            }
        }
        return all.toArray(String[]::new);
    }
}
