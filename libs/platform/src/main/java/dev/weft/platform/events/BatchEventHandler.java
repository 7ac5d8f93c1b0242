package dev.weft.platform.events;

import java.util.List;

/**
 * Handles a whole polled batch in one transaction, where per-event transactions would cost too
 * much (webhook fan-out). It is idempotent by its own means (unique keys on what it writes), not
 * by processed_events. When a batch fails for a reason other than a database outage, the events
 * are handed over again one at a time, so one bad event is retried and dead-lettered alone.
 */
public interface BatchEventHandler {

    /** Stable name, for metrics, logs and dead letters. */
    String name();

    /** The topics whose events this handler may accept; as {@link EventHandler#topics()}. */
    default java.util.Set<String> topics() {
        return java.util.Set.copyOf(Topics.ALL);
    }

    /**
     * Stores what the events mean inside the caller's transaction (throwing rolls it back).
     *
     * @return work to run once the transaction has committed (e.g. sending from memory), or null
     */
    Runnable handle(List<IncomingEvent> events) throws Exception;
}
