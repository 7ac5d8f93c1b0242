package dev.weft.webhook.dispatch;

import java.util.List;
import java.util.UUID;

/**
 * How fan-out, replay and test events hand new deliveries to the dispatcher. A delivery is always
 * stored first; this only says whether it may also be sent from memory at once (stored leased),
 * and wakes the dispatcher for the ones stored due.
 */
public interface DeliveryIntake {

    /** Whether one more new delivery to this endpoint (after {@code alreadyTaken} of the same batch) can be sent from memory now. */
    boolean takesNow(UUID endpointId, int alreadyTaken);

    /** How long a delivery stored leased for {@link #take} is held before another replica may claim it. */
    long leaseSeconds();

    /** Deliveries just committed leased to this replica: send them. */
    void take(List<Deliverable> deliveries);

    /** Deliveries were committed due: look for work now rather than at the next tick. */
    void wake();

    /**
     * Holds the caller (the event consumer, between batches) while this replica's queues hold more than its senders can
     * use soon, so that events wait in Kafka, which is made for it, rather than overflowing into due rows that must be
     * claimed again. Bounded in time; returns at once when the service stops.
     */
    void awaitRoom();
}
