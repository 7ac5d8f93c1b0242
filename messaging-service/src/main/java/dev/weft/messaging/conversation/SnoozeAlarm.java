package dev.weft.messaging.conversation;

import dev.weft.messaging.MessagingConfig;
import dev.weft.platform.db.DueWork;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Wakes snoozed conversations whose {@code snoozed_until} has passed, once across replicas: each round claims the due
 * rows through {@link DueWork} (FOR UPDATE SKIP LOCKED), moving snoozed_until ahead by the lease, then reopens each in
 * its own transaction, only if it still holds that lease (an agent who snoozed it again meanwhile wins).
 */
@ApplicationScoped
public class SnoozeAlarm {
    private static final DueWork.Claim DUE = new DueWork.Claim("conversations", "c.status = 'snoozed' AND c.snoozed_until <= now()",
            "c.snoozed_until", "snoozed_until", "SELECT id, org_id, snoozed_until FROM claimed");

    private final DueWork dueWork;
    private final ConversationService conversations;
    private final MessagingConfig config;

    private record Due(UUID id, String orgId, Instant lease) {
    }

    public SnoozeAlarm(DueWork dueWork, ConversationService conversations, MessagingConfig config) {
        this.dueWork = dueWork;
        this.conversations = conversations;
        this.config = config;
    }

    @Scheduled(every = "${weft.messaging.snooze.interval:15s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void wake() {
        List<Due> due;
        try {
            due = dueWork.claim(DUE, DueWork.Parameters.NONE, config.snooze().lease(), 100,
                    row -> new Due(row.getObject("id", UUID.class), row.getString("org_id"), row.getTimestamp("snoozed_until").toInstant()));
        } catch (RuntimeException e) {
            Log.warnf("event=snooze_claim_failed message=\"%s\"", e.getMessage());
            return;
        }
        dueWork.forEach("snooze_wake", due, Due::orgId, item -> conversations.wake(item.id(), item.lease()));
    }
}
