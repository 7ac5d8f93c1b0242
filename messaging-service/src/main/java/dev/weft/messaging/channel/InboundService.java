package dev.weft.messaging.channel;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.messaging.contact.Contact;
import dev.weft.messaging.contact.ContactIdentity;
import dev.weft.messaging.contact.ContactService;
import dev.weft.messaging.conversation.ConversationService;
import dev.weft.messaging.message.Message;
import dev.weft.messaging.message.MessageService;
import dev.weft.platform.db.GroupCommit;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.io.IOException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Provider webhooks: the account named in the URL ({@code <org_id>.<connection_id>}) gives the org and the secret;
 * a delivery that does not prove it is the provider's is refused (401) before anything is read. Messages are stored
 * once per provider message id (a redelivery is found before anything is touched; a concurrent one is settled by the
 * unique index in {@link MessageService#record}, and this delivery then runs again), receipts move a message's status
 * forward once; all of a delivery commits in one transaction before the provider gets its 200.
 */
@ApplicationScoped
public class InboundService {
    private final Map<String, InboundChannel> channels = new HashMap<>();
    private final ChannelAccounts accounts;
    private final ContactService contacts;
    private final ConversationService conversations;
    private final MessageService messages;
    private final SystemPrincipal system;
    private final ObjectMapper json;
    private final GroupCommit groupCommit;

    public InboundService(@Any Instance<InboundChannel> inbound, ChannelAccounts accounts, ContactService contacts, ConversationService conversations,
                          MessageService messages, SystemPrincipal system, ObjectMapper json, GroupCommit groupCommit) {
        this.groupCommit = groupCommit;
        inbound.forEach(c -> channels.put(c.channel(), c));
        this.accounts = accounts;
        this.contacts = contacts;
        this.conversations = conversations;
        this.messages = messages;
        this.system = system;
        this.json = json;
    }

    /**
     * What a delivery changed: messages stored, redeliveries of stored ones, receipts applied, stored messages their
     * sender edited; and what the provider reads in the answer ({@link InboundChannel#answer}), as fields of the same
     * object.
     */
    public record Received(int stored, int duplicates, int statuses, int edited, @JsonIgnore Map<String, Object> answer) {
        Received(int stored, int duplicates, int statuses, int edited) {
            this(stored, duplicates, statuses, edited, Map.of());
        }

        @JsonAnyGetter
        Map<String, Object> answerFields() {
            return answer;
        }

        Received answering(Map<String, Object> fields) {
            return new Received(stored, duplicates, statuses, edited, fields);
        }
    }

    private record Target(String orgId, InboundChannel channel, ChannelAccounts.Account account) {
    }

    /** GET: Meta's subscription check; the challenge is echoed when the verify token matches. */
    public String verify(String channel, String account, String mode, String token, String challenge) {
        Target target = target(channel, account);
        if (challenge == null || !target.channel().verifiesSubscription(target.account(), mode, token)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "hub.mode must be subscribe and hub.verify_token the connection's verify_token");
        }
        return challenge;
    }

    public Received receive(String channel, String account, Function<String, String> headers, byte[] raw) {
        Target target = target(channel, account);
        if (!target.channel().authentic(target.account(), headers, raw == null ? new byte[0] : raw)) {
            Log.warnf("event=inbound_refused channel=%s org_id=%s reason=signature", channel, target.orgId());
            throw new ApiException(ErrorCode.INVALID_SIGNATURE, "the delivery's signature does not match the connection's secret");
        }
        JsonNode body;
        try {
            body = raw == null || raw.length == 0 ? null : json.readTree(raw);
        } catch (IOException e) {
            throw ApiException.invalid("body", "json", "the body is not JSON");
        }
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object");
        }
        List<InboundChannel.InboundEvent> events = target.channel().parse(body);
        // Senders are checked before the group: a bad address refuses this delivery alone, where thrown inside the group
        // it rolled back every delivery of the group, which then each ran again alone.
        Map<InboundChannel.InboundMessage, ContactService.Address> senders = new IdentityHashMap<>();
        for (InboundChannel.InboundEvent event : events) {
            if (event instanceof InboundChannel.InboundMessage m) {
                senders.put(m, contacts.address(channel, m.from()));
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                // Deliveries of one org arriving together commit together (GroupCommit), ordered by sender.
                Received received = system.callAs(target.orgId(), () -> groupCommit.call(target.orgId(), order(events), () -> store(channel, events, senders)));
                return received.answering(target.channel().answer(events));
            } catch (Redelivered e) {
                if (attempt < MAX_ATTEMPTS) {
                    continue;
                }
                throw new IllegalStateException("a provider message id was stored concurrently " + attempt + " times in a row", e);
            } catch (Exception e) {
                // Two deliveries taking the same rows (a contact, a conversation) in the other order can meet in a
                // deadlock, or a new contact's unique index: the transaction rolled back whole, so doing it again is
                // safe and finds what the other stored.
                String state = sqlState(e);
                if (attempt < MAX_ATTEMPTS && state != null && RETRYABLE.contains(state)) {
                    Log.infof("event=inbound_retry channel=%s org_id=%s sql_state=%s attempt=%d", channel, target.orgId(), state, attempt);
                    continue;
                }
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e);
            }
        }
    }

    private static final int MAX_ATTEMPTS = 3;

    /** A delivery's place in a group: its first sender, so that groups lock the same contacts in the same order. */
    private static String order(List<InboundChannel.InboundEvent> events) {
        for (InboundChannel.InboundEvent event : events) {
            if (event instanceof InboundChannel.InboundMessage m && m.from() != null) {
                return m.from();
            }
        }
        return "";
    }

    /** A message of the delivery was stored by a concurrent delivery during this one: roll back and run it again. */
    private static final class Redelivered extends RuntimeException {
        Redelivered() {
            super(null, null, false, false);
        }
    }
    /** unique_violation, serialization_failure, deadlock_detected. */
    private static final java.util.Set<String> RETRYABLE = java.util.Set.of("23505", "40001", "40P01");

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private Received store(String channel, List<InboundChannel.InboundEvent> events, Map<InboundChannel.InboundMessage, ContactService.Address> senders) {
        int stored = 0;
        int duplicates = 0;
        int statuses = 0;
        int edited = 0;
        for (InboundChannel.InboundEvent event : events) {
            switch (event) {
                case InboundChannel.InboundMessage m -> {
                    // One statement for a known sender. A redelivery creates nothing: no contact, no conversation (a
                    // closed one would open a new one).
                    var arrival = conversations.arrive(senders.get(m), null, m.platformMessageId());
                    if (arrival.stored()) {
                        if (m.editedAt() != null && messages.edited(channel, m.platformMessageId(), m.content(), m.metadata(), m.editedAt())) {
                            edited++;
                        } else {
                            duplicates++;
                        }
                        continue;
                    }
                    Contact contact = arrival.contact();
                    contacts.nameIfUnnamed(contact, m.name());
                    var conversation = arrival.conversation();
                    boolean created = messages.record(conversation, contact,
                            MessageService.NewMessage.inbound(m.type(), m.content(), m.platformMessageId(), m.metadata())).created();
                    if (!created) {
                        // A concurrent delivery of the same message committed it after the check above, and this one may
                        // have touched its contact or conversation since: all of it rolls back and runs again, and then
                        // finds the message at the check.
                        throw new Redelivered();
                    }
                    stored++;
                }
                case InboundChannel.StatusUpdate s -> {
                    Message message = messages.stored(channel, s.platformMessageId());
                    String status = switch (s.status()) {
                        case "sent", "delivered", "read", "failed" -> s.status();
                        default -> null;
                    };
                    if (message != null && status != null
                            && messages.updateStatus(message.id, status, null, status.equals("failed") ? s.errorCode() : null,
                            status.equals("failed") ? s.errorMessage() : null)) {
                        statuses++;
                    }
                }
                case InboundChannel.Watermark w -> statuses += watermark(channel, w);
            }
        }
        Log.infof("event=inbound_received channel=%s stored=%d duplicates=%d statuses=%d edited=%d", channel, stored, duplicates, statuses, edited);
        return new Received(stored, duplicates, statuses, edited);
    }

    /** Most messages one watermark moves (older ones were moved by earlier receipts, which arrive every few messages). */
    private static final int WATERMARK_LIMIT = 500;

    /**
     * Moves every outbound message to the watermark's sender, sent up to its time and not yet at its status, forward
     * (one message.updated each; a repeated receipt finds nothing left to move).
     */
    private int watermark(String channel, InboundChannel.Watermark w) {
        ContactIdentity identity = ContactIdentity.find("channel = ?1 and address = ?2", channel, w.from()).firstResult();
        if (identity == null) {
            return 0;
        }
        List<String> before = w.status().equals("read") ? List.of("sent", "delivered") : List.of("sent");
        List<Message> due = Message.find("contactId = ?1 and channel = ?2 and direction = 'outbound' and internal = false and status in ?3"
                + " and createdAt <= ?4 order by createdAt desc", identity.contactId, channel, before, w.upTo()).page(0, WATERMARK_LIMIT).list();
        int moved = 0;
        for (Message message : due) {
            if (messages.updateStatus(message.id, w.status(), null, null, null)) {
                moved++;
            }
        }
        return moved;
    }

    /** The channel's reader and the account behind {@code <org_id>.<connection_id>}; anything unknown is a 404. */
    private Target target(String channel, String account) {
        InboundChannel reader = channel == null ? null : channels.get(channel);
        int dot = account == null ? -1 : account.indexOf('.');
        if (reader == null || dot < 0) {
            throw ApiException.notFound("channel account");
        }
        String org = account.substring(0, dot);
        String connection = account.substring(dot + 1);
        if (TypeId.parse("org", org).isEmpty() || TypeId.parse("conn", connection).isEmpty()) {
            throw ApiException.notFound("channel account");
        }
        ChannelAccounts.Account found = accounts.forInbound(org, channel, connection)
                .orElseThrow(() -> ApiException.notFound("channel account"));
        return new Target(org, reader, found);
    }
}
