package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.Cursor;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.persistence.Query;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The email API: the inbox and its counts, flags written back to the provider, sends, threads, entity matches, syncs. */
@ApplicationScoped
public class EmailService {
    static final Set<String> FOLDERS = Set.of("inbox", "sent", "archive");
    private static final Set<String> SEND_FIELDS = Set.of("to", "cc", "bcc", "subject", "body", "connection_id", "reply_to_email_id", "thread_id");
    private static final Set<String> MATCH_FIELDS = Set.of("email_address", "entity_type", "entity_id");
    private static final int MAX_RECIPIENTS = 100;
    private static final int MAX_BODY = 1_000_000;

    private final CursorCodec cursors;
    private final ChannelAccounts accounts;
    private final EmailSync sync;
    private final EmailStore store;
    private final dev.weft.messaging.MessagingConfig config;

    public EmailService(CursorCodec cursors, ChannelAccounts accounts, EmailSync sync, EmailStore store, dev.weft.messaging.MessagingConfig config) {
        this.config = config;
        this.cursors = cursors;
        this.accounts = accounts;
        this.sync = sync;
        this.store = store;
    }

    // ---- views

    static EmailDtos.EmailView view(Email e) {
        return view(e, attachmentsOf(List.of(e)).getOrDefault(e.id, List.of()));
    }

    /** The views of several emails, their attachments read in one query. */
    static List<EmailDtos.EmailView> views(List<Email> emails) {
        Map<UUID, List<EmailDtos.AttachmentView>> attachments = attachmentsOf(emails);
        return emails.stream().map(e -> view(e, attachments.getOrDefault(e.id, List.of()))).toList();
    }

    private static Map<UUID, List<EmailDtos.AttachmentView>> attachmentsOf(List<Email> emails) {
        Map<UUID, List<EmailDtos.AttachmentView>> out = new LinkedHashMap<>();
        List<UUID> ids = emails.stream().map(e -> e.id).filter(java.util.Objects::nonNull).toList();
        if (ids.isEmpty()) {
            return out;
        }
        for (EmailAttachment a : EmailAttachment.<EmailAttachment>list("emailId in ?1 order by emailId, position", ids)) {
            out.computeIfAbsent(a.emailId, k -> new ArrayList<>())
                    .add(new EmailDtos.AttachmentView(a.attachmentId(), a.filename, a.contentType, a.size, a.inline, a.contentId));
        }
        return out;
    }

    private static EmailDtos.EmailView view(Email e, List<EmailDtos.AttachmentView> attachments) {
        return new EmailDtos.EmailView(e.emailId(), e.connectionId, TypeId.format(EmailThread.ID_PREFIX, e.threadId), e.messageId, e.folder,
                e.direction, e.fromAddress == null ? null : new EmailDtos.AddressView(e.fromAddress, e.fromName), addresses(e.toList),
                addresses(e.ccList), addresses(e.bccList), e.subject, e.snippet, e.bodyText, e.read, e.starred, e.archived, e.receivedAt,
                e.hasAttachments, attachments);
    }

    private static List<EmailDtos.AddressView> addresses(String stored) {
        List<EmailDtos.AddressView> out = new ArrayList<>();
        Json.parseArray(stored).forEach(a -> out.add(new EmailDtos.AddressView(a.path("address").asText(), a.path("name").asText(null))));
        return out;
    }

    // ---- inbox and counts

    public EmailDtos.InboxPage inbox(String folder, String q, String unread, String page, String limit, String cursor) {
        String wanted = folder == null || folder.isBlank() ? "inbox" : folder.trim().toLowerCase(Locale.ROOT);
        if (!FOLDERS.contains(wanted)) {
            throw ApiException.invalid("folder", "one_of", "folder must be inbox, sent or archive");
        }
        Boolean unreadOnly = null;
        if (unread != null && !unread.isBlank()) {
            unreadOnly = switch (unread.trim()) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw ApiException.invalid("unread", "boolean", "unread must be true or false");
            };
        }
        if (q != null && q.length() > 500) {
            throw ApiException.invalid("q", "max_length", "q is longer than 500 characters");
        }
        PageRequest request = PageRequest.of(limit, cursor, cursors);
        Integer pageNumber = null;
        if (page != null && !page.isBlank()) {
            try {
                pageNumber = Integer.parseInt(page.trim());
            } catch (NumberFormatException e) {
                throw ApiException.invalid("page", "integer", "page must be an integer from 1");
            }
            if (pageNumber < 1 || pageNumber > 10_000) {
                throw ApiException.invalid("page", "range", "page must be between 1 and 10000");
            }
            if (request.after().isPresent()) {
                throw ApiException.invalid("page", "one_of", "give page or cursor, not both");
            }
        }
        StringBuilder sql = new StringBuilder("SELECT e.* FROM emails e WHERE e.org_id = :org AND e.folder = :folder");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("org", TenantContext.requireOrgId());
        params.put("folder", wanted);
        String search = q == null || q.isBlank() ? null : q.strip();
        if (search != null) {
            sql.append(" AND e.search @@ websearch_to_tsquery('english', :q)");
            params.put("q", search);
        }
        if (unreadOnly != null) {
            sql.append(" AND e.is_read = :read");
            params.put("read", !unreadOnly);
        }
        request.after().ifPresent(c -> {
            sql.append(" AND (e.received_at < :kAt OR (e.received_at = :kAt AND e.id < :kId))");
            params.put("kAt", c.createdAt());
            params.put("kId", c.id());
        });
        sql.append(" ORDER BY e.received_at DESC, e.id DESC LIMIT :limit");
        params.put("limit", request.limit() + 1);
        if (pageNumber != null) {
            sql.append(" OFFSET :offset");
            params.put("offset", (pageNumber - 1) * request.limit());
        }
        Query query = Panache.getEntityManager().createNativeQuery(sql.toString(), Email.class);
        params.forEach(query::setParameter);
        @SuppressWarnings("unchecked")
        List<Email> rows = query.getResultList();
        boolean more = rows.size() > request.limit();
        List<Email> shown = more ? rows.subList(0, request.limit()) : rows;
        String next = more ? cursors.encode(new Cursor(shown.getLast().receivedAt, shown.getLast().id)) : null;
        return new EmailDtos.InboxPage(views(shown),
                new EmailDtos.InboxPagination(next, more, pageNumber, request.limit()));
    }

    public EmailDtos.FolderCounts counts() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery(
                        "SELECT folder, count(*), count(*) FILTER (WHERE NOT is_read) FROM emails WHERE org_id = ?1 GROUP BY folder")
                .setParameter(1, TenantContext.requireOrgId()).getResultList();
        Map<String, long[]> byFolder = new LinkedHashMap<>();
        for (String f : List.of("inbox", "sent", "archive")) {
            byFolder.put(f, new long[2]);
        }
        for (Object[] row : rows) {
            byFolder.computeIfAbsent((String) row[0], f -> new long[2]);
            byFolder.get((String) row[0])[0] = ((Number) row[1]).longValue();
            byFolder.get((String) row[0])[1] = ((Number) row[2]).longValue();
        }
        List<EmailDtos.FolderCount> folders = new ArrayList<>();
        long total = 0;
        long unread = 0;
        for (var e : byFolder.entrySet()) {
            folders.add(new EmailDtos.FolderCount(e.getKey(), e.getValue()[0], e.getValue()[1]));
            total += e.getValue()[0];
            unread += e.getValue()[1];
        }
        return new EmailDtos.FolderCounts(folders, total, unread);
    }

    // ---- flags

    private Email require(String id) {
        UUID uuid = TypeId.parse(Email.ID_PREFIX, id).orElseThrow(() -> ApiException.notFound("email"));
        Email email = Email.findById(uuid);
        if (email == null) {
            throw ApiException.notFound("email");
        }
        return email;
    }

    public EmailDtos.EmailView get(String id) {
        return view(require(id));
    }

    // ---- attachments

    /** An attachment's content on its way from the provider, and what the response says about it. */
    public record Download(Mailbox.Content content, String contentType, String filename, long maxBytes) {
    }

    /**
     * Opens the attachment's content at the provider. Unknown (or another org's) email or attachment: 404; larger
     * than {@code attachment-max-size} by its recorded size: 413 before the provider is asked (the stream is cut at
     * the same size too, sizes being the provider's word).
     */
    public Download attachment(String emailId, String attachmentId) {
        record Found(Email email, EmailAttachment attachment) {
        }
        Found found = QuarkusTransaction.requiringNew().call(() -> {
            Email email = require(emailId);
            UUID uuid = TypeId.parse(EmailAttachment.ID_PREFIX, attachmentId).orElseThrow(() -> ApiException.notFound("attachment"));
            EmailAttachment attachment = EmailAttachment.find("id = ?1 and emailId = ?2", uuid, email.id).firstResult();
            if (attachment == null) {
                throw ApiException.notFound("attachment");
            }
            return new Found(email, attachment);
        });
        long max = config.email().attachmentMaxSize().asLongValue();
        Long size = found.attachment().size;
        if (size != null && size > max) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the attachment is " + size + " bytes; at most " + max + " are served",
                    Map.of("size", size, "max_size", max));
        }
        ChannelAccounts.Account account = accounts.byConnection(found.email().connectionId).filter(a -> EmailSync.PROVIDERS.contains(a.provider()))
                .orElseThrow(() -> ApiException.notFound("mail connection"));
        try {
            return new Download(sync.mailbox(account).attachment(found.email(), found.attachment()), found.attachment().contentType,
                    found.attachment().filename, max);
        } catch (Mailbox.MailboxException e) {
            throw new ApiException(ErrorCode.UPSTREAM_ERROR, "the mailbox did not give the attachment: " + e.getMessage());
        }
    }

    /** Toggles (or, with {@code {"value": bool}}, sets) a flag: written to the provider first, then stored. */
    public EmailDtos.EmailView flag(String id, Mailbox.Flag flag, JsonNode body) {
        Boolean value = null;
        if (body != null && !body.isNull() && !(body.isObject() && body.isEmpty())) {
            value = Json.bool(Json.fields(body, Set.of("value")), "value");
        }
        Email email = QuarkusTransaction.requiringNew().call(() -> require(id));
        boolean current = switch (flag) {
            case READ -> email.read;
            case STARRED -> email.starred;
            case ARCHIVED -> email.archived;
        };
        boolean wanted = value == null ? !current : value;
        if (wanted == current) {
            return view(email);
        }
        if (flag == Mailbox.Flag.ARCHIVED && "sent".equals(email.folder)) {
            throw ApiException.invalid("id", "folder", "sent mail cannot be archived");
        }
        ChannelAccounts.Account account = connection(email.connectionId);
        String providerId;
        try {
            providerId = email.providerMessageId.startsWith("sent:") ? email.providerMessageId : sync.mailbox(account).setFlag(email, flag, wanted);
        } catch (Mailbox.MailboxException e) {
            throw new ApiException(ErrorCode.UPSTREAM_ERROR, "the mailbox refused the change: " + e.getMessage());
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Email stored = require(id);
            switch (flag) {
                case READ -> stored.read = wanted;
                case STARRED -> stored.starred = wanted;
                case ARCHIVED -> {
                    stored.archived = wanted;
                    stored.folder = wanted ? "archive" : "inbox";
                    stored.providerMessageId = providerId;
                }
            }
            return view(stored);
        });
    }

    private ChannelAccounts.Account connection(String connectionId) {
        return accounts.byConnection(connectionId).filter(a -> EmailSync.PROVIDERS.contains(a.provider()))
                .orElseThrow(() -> ApiException.invalid("connection_id", "connected", "no mail connection " + connectionId));
    }

    // ---- send

    private static List<Mailbox.Address> recipients(Map<String, JsonNode> fields, String name) {
        JsonNode node = fields.get(name);
        List<Mailbox.Address> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw ApiException.invalid(name, "type", name + " must be an array of email addresses");
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw ApiException.invalid(name, "type", name + " must be an array of email addresses");
            }
            out.add(address(name, item.textValue()));
        }
        return out;
    }

    static Mailbox.Address address(String field, String text) {
        try {
            InternetAddress parsed = new InternetAddress(text.strip(), true);
            parsed.validate();
            String address = parsed.getAddress();
            if (address == null || address.length() > 320 || !address.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                throw new AddressException("not an address");
            }
            return new Mailbox.Address(address, parsed.getPersonal());
        } catch (AddressException e) {
            throw ApiException.invalid(field, "email", field + ": " + text + " is not a valid email address");
        }
    }

    public EmailDtos.EmailView send(JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, SEND_FIELDS);
        List<Mailbox.Address> to = recipients(fields, "to");
        List<Mailbox.Address> cc = recipients(fields, "cc");
        List<Mailbox.Address> bcc = recipients(fields, "bcc");
        if (to.isEmpty()) {
            throw ApiException.invalid("to", "required", "to needs at least one address");
        }
        if (to.size() + cc.size() + bcc.size() > MAX_RECIPIENTS) {
            throw ApiException.invalid("to", "max_items", "at most " + MAX_RECIPIENTS + " recipients in all");
        }
        String subject = Json.text(fields, "subject", 998);
        String text = Json.text(fields, "body", MAX_BODY);
        String connectionId = Json.text(fields, "connection_id", 64);
        String replyToId = Json.text(fields, "reply_to_email_id", 64);
        String threadId = Json.text(fields, "thread_id", 64);
        Email replied = QuarkusTransaction.requiringNew().call(() -> {
            if (replyToId != null) {
                UUID uuid = TypeId.parse(Email.ID_PREFIX, replyToId).orElse(null);
                Email found = uuid == null ? null : Email.findById(uuid);
                if (found == null) {
                    throw ApiException.invalid("reply_to_email_id", "exists", "no email " + replyToId);
                }
                return found;
            }
            if (threadId != null) {
                UUID uuid = TypeId.parse(EmailThread.ID_PREFIX, threadId).orElse(null);
                Email last = uuid == null ? null : Email.find("threadId = ?1 order by receivedAt desc, id desc", uuid).firstResult();
                if (last == null) {
                    throw ApiException.invalid("thread_id", "exists", "no thread " + threadId);
                }
                return last;
            }
            return null;
        });
        if (replied != null && connectionId != null && !connectionId.equals(replied.connectionId)) {
            throw ApiException.invalid("connection_id", "same_connection", "a reply goes out through the connection of the mail it answers");
        }
        ChannelAccounts.Account account = replied != null ? connection(replied.connectionId)
                : connectionId != null ? connection(connectionId) : onlyMailbox();
        EmailThread repliedThread = replied == null ? null : QuarkusTransaction.requiringNew().call(() -> EmailThread.findById(replied.threadId));
        if (subject == null && replied != null && replied.subject != null) {
            subject = replied.subject.regionMatches(true, 0, "re:", 0, 3) ? replied.subject : "Re: " + replied.subject;
        }
        String from = account.config("address");
        String domain = from != null && from.contains("@") ? from.substring(from.indexOf('@') + 1) : "weft.local";
        String messageId = "<" + UUID.randomUUID() + "@" + domain + ">";
        Mailbox.Replied reply = replied == null ? null : new Mailbox.Replied(replied.providerMessageId, replied.messageId,
                List.of(replied.referencesIds), repliedThread == null ? null : repliedThread.providerThreadId);
        Mailbox.Outgoing outgoing = new Mailbox.Outgoing(from, to, cc, bcc, subject, text, messageId, reply);
        Mailbox.Sent sent;
        try {
            sent = sync.mailbox(account).send(outgoing);
        } catch (Mailbox.MailboxException e) {
            throw new ApiException(ErrorCode.UPSTREAM_ERROR, "the mail was not sent: " + e.getMessage());
        }
        String finalSubject = subject;
        return QuarkusTransaction.requiringNew().call(() -> {
            MailAccount mailAccount = sync.ensure(account.connectionId(), account.provider(), from);
            if ("imap".equals(account.provider())) {
                mailAccount.lastSentCopyError = sent.sentCopyError() == null ? null
                        : sent.sentCopyError().length() > 500 ? sent.sentCopyError().substring(0, 500) : sent.sentCopyError();
            }
            Email email = new Email();
            email.connectionId = account.connectionId();
            email.accountId = mailAccount.id;
            email.providerMessageId = sent.providerId() != null ? sent.providerId() : "sent:" + messageId;
            email.messageId = messageId;
            List<String> references = new ArrayList<>();
            if (replied != null) {
                references.addAll(List.of(replied.referencesIds));
                if (replied.messageId != null) {
                    references.add(replied.messageId);
                }
                email.inReplyTo = replied.messageId;
            }
            email.referencesIds = references.toArray(String[]::new);
            email.folder = "sent";
            email.direction = "outbound";
            email.read = true;
            email.fromAddress = from;
            email.toList = EmailStore.list(to);
            email.ccList = EmailStore.list(cc);
            email.bccList = EmailStore.list(bcc);
            email.addresses = EmailStore.addresses(null, to, cc, bcc);
            email.subject = finalSubject;
            email.bodyText = text;
            email.snippet = MimeMail.snippet(text);
            email.receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            String threadKey = sent.threadKey() != null ? sent.threadKey() : messageId;
            email.threadId = replied != null ? replied.threadId
                    : store.thread(email.connectionId, threadKey, null, List.of(), finalSubject, email.receivedAt).id;
            if (replied != null) {
                EmailThread thread = EmailThread.findById(replied.threadId);
                thread.lastMessageAt = email.receivedAt;
            }
            email.persist();
            return view(email);
        });
    }

    /** The org's one mailbox, when it has exactly one (otherwise the send must name connection_id). */
    private ChannelAccounts.Account onlyMailbox() {
        List<ChannelAccounts.Account> all = new ArrayList<>();
        for (String provider : List.of("imap", "google", "microsoft")) {
            all.addAll(accounts.all(provider));
        }
        if (all.isEmpty()) {
            throw ApiException.invalid("connection_id", "connected", "the org has no mail connection: create one (POST /v1/connections, provider imap, google or microsoft)");
        }
        if (all.size() > 1) {
            throw ApiException.invalid("connection_id", "required", "the org has " + all.size() + " mail connections: name one in connection_id");
        }
        return all.getFirst();
    }

    // ---- threads and matches

    public EmailDtos.ThreadView thread(String threadId) {
        UUID uuid = TypeId.parse(EmailThread.ID_PREFIX, threadId).orElseThrow(() -> ApiException.notFound("thread"));
        EmailThread thread = EmailThread.findById(uuid);
        if (thread == null) {
            throw ApiException.notFound("thread");
        }
        List<Email> emails = Email.find("threadId = ?1 order by receivedAt, id", uuid).list();
        Set<String> addresses = new java.util.LinkedHashSet<>();
        emails.forEach(e -> addresses.addAll(List.of(e.addresses)));
        List<EmailDtos.EntityView> matched = store.matches(addresses.toArray(String[]::new)).stream()
                .map(r -> new EmailDtos.EntityView(r.type(), r.idForJson())).toList();
        return new EmailDtos.ThreadView(thread.threadId(), thread.connectionId, thread.subject, thread.lastMessageAt, emails.size(), matched,
                views(emails));
    }

    public EmailDtos.ThreadList threadsOf(String entityType, String entityId) {
        EntityRef ref = EntityRef.of(entityType, entityId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery("""
                        SELECT t.id, t.connection_id, t.subject, t.last_message_at, count(DISTINCT e.id),
                               array(SELECT DISTINCT unnest(array_agg(DISTINCT m.address)))
                        FROM email_matches m
                        JOIN emails e ON e.org_id = m.org_id AND e.addresses @> ARRAY[m.address]::text[]
                        JOIN email_threads t ON t.id = e.thread_id
                        WHERE m.org_id = ?1 AND m.entity_type = ?2 AND m.entity_id = ?3
                        GROUP BY t.id, t.connection_id, t.subject, t.last_message_at
                        ORDER BY t.last_message_at DESC NULLS LAST, t.id DESC LIMIT 200""")
                .setParameter(1, TenantContext.requireOrgId()).setParameter(2, ref.type()).setParameter(3, ref.id()).getResultList();
        List<EmailDtos.ThreadSummary> out = new ArrayList<>();
        for (Object[] row : rows) {
            Object at = row[3];
            Instant last = at == null ? null : at instanceof Instant i ? i : at instanceof java.sql.Timestamp ts ? ts.toInstant()
                    : at instanceof java.time.OffsetDateTime odt ? odt.toInstant() : null;
            String[] participants = row[5] instanceof String[] s ? s : new String[0];
            out.add(new EmailDtos.ThreadSummary(TypeId.format(EmailThread.ID_PREFIX, (UUID) row[0]), (String) row[1], (String) row[2], last,
                    ((Number) row[4]).longValue(), List.of(participants)));
        }
        return new EmailDtos.ThreadList(out);
    }

    public EmailDtos.MatchView match(JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, MATCH_FIELDS);
        String given = Json.text(fields, "email_address", 320);
        if (given == null) {
            throw ApiException.invalid("email_address", "required", "email_address is required");
        }
        String address = address("email_address", given).address().toLowerCase(Locale.ROOT);
        EntityRef ref = EntityRef.optional(fields);
        if (ref == null) {
            throw ApiException.invalid("entity_type", "required", "entity_type and entity_id are required");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Panache.getEntityManager().createNativeQuery("INSERT INTO email_matches (id, org_id, address, entity_type, entity_id, created_at, updated_at) "
                            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (org_id, address, entity_type, entity_id) DO NOTHING")
                    .setParameter(1, TypeId.uuidV7()).setParameter(2, TenantContext.requireOrgId()).setParameter(3, address)
                    .setParameter(4, ref.type()).setParameter(5, ref.id()).setParameter(6, Instant.now().truncatedTo(ChronoUnit.MICROS)).executeUpdate();
            EmailMatch match = EmailMatch.find("address = ?1 and entityType = ?2 and entityId = ?3", address, ref.type(), ref.id()).firstResult();
            long matched = ((Number) Panache.getEntityManager().createNativeQuery(
                            "SELECT count(*) FROM emails WHERE org_id = ?1 AND addresses @> ARRAY[?2]::text[]")
                    .setParameter(1, TenantContext.requireOrgId()).setParameter(2, address).getSingleResult()).longValue();
            return new EmailDtos.MatchView(address, ref.type(), ref.idForJson(), matched, match.createdAt);
        });
    }

    // ---- sync

    public EmailDtos.AccountList sync(JsonNode body) {
        String connectionId = null;
        if (body != null && !body.isNull() && !(body.isObject() && body.isEmpty())) {
            connectionId = Json.text(Json.fields(body, Set.of("connection_id")), "connection_id", 64);
        }
        List<ChannelAccounts.Account> targets = new ArrayList<>();
        if (connectionId != null) {
            String id = connectionId;
            targets.add(accounts.byConnection(id).filter(a -> EmailSync.PROVIDERS.contains(a.provider()))
                    .orElseThrow(() -> ApiException.notFound("mail connection")));
        } else {
            for (String provider : List.of("imap", "google", "microsoft")) {
                targets.addAll(accounts.all(provider));
            }
        }
        List<UUID> ids = new ArrayList<>();
        for (ChannelAccounts.Account account : targets) {
            ids.add(QuarkusTransaction.requiringNew().call(() -> sync.ensure(account.connectionId(), account.provider(), account.config("address"))).id);
        }
        sync.syncNow(ids);
        return QuarkusTransaction.requiringNew().call(() -> new EmailDtos.AccountList(ids.stream()
                .map(id -> MailAccount.<MailAccount>findById(id)).map(EmailService::accountView).toList()));
    }

    /** In a transaction (IMAP's folder positions are read). */
    static EmailDtos.AccountView accountView(MailAccount a) {
        List<EmailDtos.FolderPositionView> folders = a.folderPositions().stream()
                .map(f -> new EmailDtos.FolderPositionView(f.folder, f.path, f.uidValidity, f.lastUid, f.highestModseq)).toList();
        EmailDtos.FolderPositionView inbox = folders.stream().filter(f -> "inbox".equals(f.folder())).findFirst().orElse(null);
        return new EmailDtos.AccountView(a.connectionId, a.provider, a.address, a.status, a.lastError, a.lastSentCopyError, a.lastSyncAt, a.lastFullResyncAt,
                a.lastFullResyncReason, a.messagesSynced, a.nextSyncAt, inbox == null ? null : inbox.uid_validity(),
                inbox == null ? null : inbox.last_uid(), folders, a.gmailHistoryId);
    }
}
