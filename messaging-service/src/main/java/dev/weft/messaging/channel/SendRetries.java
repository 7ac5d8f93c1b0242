package dev.weft.messaging.channel;

import dev.weft.messaging.MessagingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.contact.Contact;
import dev.weft.messaging.contact.ContactService;
import dev.weft.messaging.conversation.Conversation;
import dev.weft.messaging.message.ChannelSender;
import dev.weft.messaging.message.ChannelSenders;
import dev.weft.messaging.message.Message;
import dev.weft.messaging.message.MessageService;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.id.TypeId;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Queued outbound messages the provider has not taken yet (it answered 5xx or 429, timed out, or the replica died
 * mid-send) are sent again with exponential backoff until sent, refused for good, or out of attempts. Claimed with
 * {@link DueWork} on {@code next_attempt_at}: once across replicas, and a claim of a replica killed mid-send comes
 * back when its lease ends. A retry that reached the provider before a crash may send twice; the provider's message
 * id of the last success is what is stored.
 */
@ApplicationScoped
public class SendRetries {
    private static final DueWork.Claim DUE = new DueWork.Claim("messages",
            "c.status = 'queued' AND c.direction = 'outbound' AND c.next_attempt_at <= now()", "c.next_attempt_at", "next_attempt_at",
            "SELECT id, org_id FROM claimed");

    private final DueWork dueWork;
    private final ChannelsConfig config;
    private final ChannelSenders senders;
    private final ContactService contacts;
    private final MessageService messages;

    public SendRetries(DueWork dueWork, MessagingConfig messaging, ChannelSenders senders, ContactService contacts, MessageService messages) {
        this.dueWork = dueWork;
        this.config = messaging.channels();
        this.senders = senders;
        this.contacts = contacts;
        this.messages = messages;
    }

    private record Due(UUID id, String orgId) {
    }

    /** After a first send that is to be retried: attempt 1 done, the next after the base delay. */
    public void scheduleFirst(UUID messageId) {
        QuarkusTransaction.requiringNew().run(() -> Panache.getEntityManager().createNativeQuery(
                        "UPDATE messages SET attempts = 1, next_attempt_at = now() + make_interval(secs => ?1) WHERE id = ?2 AND status = 'queued'")
                .setParameter(1, config.retry().baseDelay().toMillis() / 1000.0).setParameter(2, messageId).executeUpdate());
    }

    @Scheduled(every = "${weft.messaging.retry.interval:5s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retryDue() {
        List<Due> due;
        try {
            due = dueWork.claim(DUE, DueWork.Parameters.NONE, config.sendTimeout().multipliedBy(3), config.retry().batchSize(),
                    row -> new Due(row.getObject("id", UUID.class), row.getString("org_id")));
        } catch (IllegalStateException e) {
            Log.warnf("event=send_retry_claim_failed message=\"%s\"", e.getMessage());
            return;
        }
        dueWork.forEach("send_retry", due, Due::orgId, d -> retry(d.id()));
    }

    private record Attempt(ChannelSender sender, ChannelSender.OutboundMessage outbound, int attempts) {
    }

    void retry(UUID id) {
        Attempt attempt = QuarkusTransaction.requiringNew().call(() -> {
            Message message = Message.findById(id);
            if (message == null || !message.status.equals("queued")) {
                return null;
            }
            Conversation conversation = Conversation.findById(message.conversationId);
            ChannelSender sender = senders.forChannel(message.channel).orElse(null);
            String to = contacts.addressOn(message.contactId, message.channel).orElse(null);
            int attempts = ((Number) Panache.getEntityManager().createNativeQuery("SELECT attempts FROM messages WHERE id = ?1")
                    .setParameter(1, id).getSingleResult()).intValue();
            if (sender == null || to == null || conversation == null) {
                return new Attempt(null, null, attempts);
            }
            JsonNode template = message.template == null ? null : Json.parseObject(message.template);
            return new Attempt(sender, new ChannelSender.OutboundMessage(message.orgId, message.messageId(),
                    conversation.conversationId(), TypeId.format(Contact.ID_PREFIX, message.contactId), message.channel, conversation.inbox, to,
                    message.type, message.content, template, Json.parseObject(message.metadata)), attempts);
        });
        if (attempt == null) {
            return;
        }
        ChannelSender.SendOutcome outcome;
        if (attempt.sender() == null) {
            outcome = ChannelSender.SendOutcome.failed("channel_unavailable", "no adapter or address to send this message");
        } else {
            try {
                outcome = attempt.sender().send(attempt.outbound());
            } catch (RuntimeException e) {
                outcome = ChannelSender.SendOutcome.retry("adapter_error", "the channel adapter failed: " + e.getClass().getSimpleName());
            }
        }
        int attempts = attempt.attempts() + 1;
        ChannelSender.SendOutcome result = outcome;
        // As a first send's outcome: run again should the provider's id meet a concurrent store of it (MessageService).
        messages.outcomeTransaction(() -> {
            switch (result.result()) {
                case SENT -> messages.updateStatus(id, "sent", result.platformMessageId(), null, null);
                case FAILED -> messages.updateStatus(id, "failed", null, result.errorCode(), result.errorMessage());
                case RETRY -> {
                    if (attempts >= config.retry().maxAttempts()) {
                        messages.updateStatus(id, "failed", null, "retries_exhausted",
                                "not sent after " + attempts + " attempts; last error " + result.errorCode() + ": " + result.errorMessage());
                    } else {
                        messages.updateStatus(id, "queued", null, result.errorCode(), result.errorMessage());
                    }
                }
            }
            Duration delay = backoff(attempts);
            Panache.getEntityManager().createNativeQuery(
                            "UPDATE messages SET attempts = ?1, next_attempt_at = CASE WHEN status = 'queued' THEN now() + make_interval(secs => ?2) END WHERE id = ?3")
                    .setParameter(1, attempts).setParameter(2, delay.toMillis() / 1000.0).setParameter(3, id).executeUpdate();
            return null;
        });
        Log.infof("event=send_retry message_id=%s attempt=%d result=%s", TypeId.format(Message.ID_PREFIX, id), attempts, result.result());
    }

    /** base * 2^(attempts-1), at most max-delay. */
    Duration backoff(int attempts) {
        Duration delay = config.retry().baseDelay().multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
        return delay.compareTo(config.retry().maxDelay()) > 0 ? config.retry().maxDelay() : delay;
    }
}
