package dev.weft.platform.events;

/**
 * Handles domain events one at a time. A CDI bean implementing this in a service whose
 * {@code weft.platform.events.consume} is true receives every event of the service's consumer
 * group that {@link #handles} accepts. Each call runs in its own transaction together with the
 * claim of {@code (name, event id)} in {@code processed_events}: a redelivered event is not
 * handled again, and a failed call leaves no trace but is retried (see {@link DomainEventConsumer}).
 */
public interface EventHandler {

    /** Stable name: the consumer in processed_events, and the handler named in metrics and dead letters. */
    String name();

    /**
     * The topics whose events this handler may accept. The service's consumer must subscribe to each of them
     * ({@code mp.messaging.incoming.weft-events.topic}); {@link DomainEventConsumer} refuses to start otherwise, so a
     * service that narrows its subscription cannot silently miss a handler's events.
     */
    default java.util.Set<String> topics() {
        return java.util.Set.copyOf(Topics.ALL);
    }

    /** Whether this handler wants the event (cheap: typically a look at its type). */
    default boolean handles(IncomingEvent event) {
        return true;
    }

    /**
     * Of a polled batch's events that {@link #handles} accepted, those this handler may have anything to do for, decided
     * for the whole batch at once (typically one query): the others are not handed to {@link #handle} and nothing is
     * claimed for them, where each would otherwise cost a transaction and a claim to find there is nothing to do. Only
     * leave out events whose handling would change nothing. Runs outside a transaction and any org; when it fails,
     * every accepted event is handled. Default: all of them.
     */
    default java.util.List<IncomingEvent> worthHandling(java.util.List<IncomingEvent> events) throws Exception {
        return events;
    }

    /** Acts on the event inside the caller's transaction; throwing rolls it back. */
    void handle(IncomingEvent event) throws Exception;
}
