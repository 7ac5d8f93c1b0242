package dev.weft.platform.events;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.control.ActivateRequestContext;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way a service consumes domain events: SmallRye Reactive Messaging's Kafka connector
 * delivers each polled batch of the service's consumer group (channel {@value #CHANNEL}, every
 * {@code weft.*.events} topic by default), and this class runs it through the service's handlers,
 * top to bottom:
 * <ol>
 *   <li>decode each record into an {@link IncomingEvent} (a record that is not one is dead-lettered);</li>
 *   <li>each {@link BatchEventHandler} stores the batch in one transaction, then its after-commit work runs;</li>
 *   <li>each {@link EventHandler} handles each event it accepts, in a transaction with the processed-event claim;</li>
 *   <li>the batch is acknowledged, and the connector commits its offsets.</li>
 * </ol>
 * Handlers run as the service's system principal inside the event's org, in the producer's trace.
 * A failure of the database is waited out, however long it lasts (nothing is skipped). Any other
 * failure is retried {@code weft.platform.events.max-attempts} times with backoff; then the event
 * goes to {@code weft.<service>.dlq} with the error in its headers, counted in
 * {@code weft_events_dead_lettered_total}, and the batch moves on.
 *
 * <p>A service turns consumption on with {@code weft.platform.events.consume=true} (build time):
 * services without handlers join no consumer group.
 */
@ApplicationScoped
@IfBuildProperty(name = "weft.platform.events.consume", stringValue = "true")
public class DomainEventConsumer {
    public static final String CHANNEL = "weft-events";
    public static final String DEAD_LETTERS = "weft-dead-letters";
    /** Header names as SmallRye's own dead-letter strategy writes them, plus the handler and attempts. */
    public static final String DLQ_REASON = "dead-letter-reason";
    public static final String DLQ_EXCEPTION = "dead-letter-exception-class-name";
    public static final String DLQ_TOPIC = "dead-letter-topic";
    public static final String DLQ_PARTITION = "dead-letter-partition";
    public static final String DLQ_OFFSET = "dead-letter-offset";
    public static final String DLQ_HANDLER = "dead-letter-handler";
    public static final String DLQ_ATTEMPTS = "dead-letter-attempts";
    private static final String UNDECODABLE = "undecodable";

    private final List<BatchEventHandler> batchHandlers;
    private final List<EventHandler> handlers;
    private final ProcessedEvents processed;
    private final SystemPrincipal system;
    private final MutinyEmitter<byte[]> deadLetters;
    private final MeterRegistry metrics;
    private final PlatformConfig.Events config;
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private final DistributionSummary batchSizes;
    private final Timer batchTimes;
    private final String bootstrapServers;
    private volatile boolean running = true;

    public DomainEventConsumer(Instance<BatchEventHandler> batchHandlers, Instance<EventHandler> handlers, ProcessedEvents processed,
                               SystemPrincipal system, @Channel(DEAD_LETTERS) MutinyEmitter<byte[]> deadLetters, MeterRegistry metrics,
                               PlatformConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.batchHandlers = batchHandlers.stream().toList();
        this.handlers = handlers.stream().toList();
        this.processed = processed;
        this.system = system;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.config = config.events();
        this.batchSizes = DistributionSummary.builder("weft.events.batch.size").description("Records per polled batch of domain events")
                .register(metrics);
        this.batchTimes = Timer.builder("weft.events.batch.duration").description("Time to handle one polled batch of domain events")
                .register(metrics);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
    }

    /**
     * Creates the domain topics that do not exist yet (broker defaults for partitions and replication). The pattern
     * subscription notices a new topic only at its next metadata refresh, so on a fresh install each topic's first event
     * would wait seconds; with the topics there from the start it does not. Failing (no rights to create topics, the
     * broker not up yet) costs only that wait. Runs beside the start, not in its way.
     */
    void createTopics(@Observes StartupEvent startup) {
        checkSubscription();
        Thread.ofVirtual().name("weft-topics").start(() -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
                Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                List<NewTopic> missing = Topics.ALL.stream().filter(t -> !existing.contains(t))
                        .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList();
                admin.createTopics(missing).values().forEach((topic, created) -> {
                    try {
                        created.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            Log.infof("event=topic_not_created topic=%s message=\"%s\"", topic, e.getMessage());
                        }
                    }
                });
            } catch (Exception e) {
                Log.infof("event=topics_not_checked error=%s message=\"%s\"", e.getClass().getSimpleName(),
                        e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            }
        });
    }

    /**
     * Each handler's {@code topics()} must be within the channel's subscription: a service consumes only the topics
     * its handlers need (messaging-service reads none of the record or message events, which are most of the traffic),
     * and narrowing the subscription must never drop a handler's events unnoticed.
     */
    void checkSubscription() {
        org.eclipse.microprofile.config.Config mp = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        String prefix = "mp.messaging.incoming." + CHANNEL + ".";
        boolean pattern = mp.getOptionalValue(prefix + "pattern", Boolean.class).orElse(false);
        List<String> subscribed = mp.getOptionalValue(prefix + "topic", String.class).map(List::of)
                .or(() -> mp.getOptionalValues(prefix + "topics", String.class)).orElse(List.of(CHANNEL));
        Map<String, Set<String>> wanted = new java.util.TreeMap<>();
        batchHandlers.forEach(h -> wanted.put(h.name(), h.topics()));
        handlers.forEach(h -> wanted.put(h.name(), h.topics()));
        List<String> missing = uncovered(pattern, subscribed, wanted);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The " + CHANNEL + " subscription (" + prefix + "topic=" + String.join(",", subscribed)
                    + ") leaves out topics a handler consumes: " + String.join("; ", missing));
        }
        Log.infof("event=events_subscription topics=%s handlers=%s", String.join(",", subscribed), String.join(",", wanted.keySet()));
    }

    /** "handler needs topic" for each topic a handler reads that the subscription (a pattern, or topic names) leaves out. */
    static List<String> uncovered(boolean pattern, List<String> subscribed, Map<String, Set<String>> wanted) {
        java.util.function.Predicate<String> consumed = pattern ? java.util.regex.Pattern.compile(subscribed.get(0)).asMatchPredicate()
                : subscribed::contains;
        List<String> missing = new ArrayList<>();
        new java.util.TreeMap<>(wanted).forEach((handler, topics) -> topics.stream().filter(consumed.negate()).sorted()
                .forEach(t -> missing.add(handler + " needs " + t)));
        return missing;
    }

    @Incoming(CHANNEL)
    @Blocking
    @ActivateRequestContext
    public void consume(ConsumerRecords<String, byte[]> records) {
        long started = System.nanoTime();
        batchSizes.record(records.count());
        try {
            handle(records);
        } finally {
            batchTimes.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        // 1. Decode.
        List<IncomingEvent> events = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(IncomingEvent.decode(record));
            } catch (IncomingEvent.UndecodableEvent e) {
                deadLetter(record.key(), record.value(), record.headers(), record.topic(), record.partition(), record.offset(), UNDECODABLE, e, 1);
            }
        }
        if (events.isEmpty()) {
            return;
        }
        // 2. Whole-batch handlers.
        for (BatchEventHandler handler : batchHandlers) {
            deliverBatch(handler, events, records);
        }
        // 3. Per-event handlers, each given the events it accepts and has anything to do for.
        for (EventHandler handler : handlers) {
            List<IncomingEvent> accepted = new ArrayList<>();
            for (IncomingEvent event : events) {
                if (handler.handles(event)) {
                    accepted.add(event);
                }
            }
            for (IncomingEvent event : worthHandling(handler, accepted)) {
                deliver(handler.name(), event, records, () -> {
                    if (processed.claim(handler.name(), event.id())) {
                        handler.handle(event);
                    }
                    return null;
                });
            }
        }
        // 4. Returning acknowledges the batch; the connector commits the offsets.
    }

    /** {@link EventHandler#worthHandling}; all of them when it fails (each is then handled, and waits out the database). */
    private List<IncomingEvent> worthHandling(EventHandler handler, List<IncomingEvent> accepted) {
        if (accepted.isEmpty()) {
            return accepted;
        }
        try {
            return handler.worthHandling(accepted);
        } catch (Exception e) {
            Log.warnf("event=event_prefilter_failed handler=%s events=%d error=%s message=\"%s\"", handler.name(), accepted.size(),
                    e.getClass().getSimpleName(), e.getMessage());
            return accepted;
        }
    }

    private void deliverBatch(BatchEventHandler handler, List<IncomingEvent> events, ConsumerRecords<String, byte[]> records) {
        Runnable afterCommit;
        try {
            afterCommit = untilNotTransient(handler.name(), () -> QuarkusTransaction.requiringNew().call(() -> handler.handle(events)));
        } catch (Exception e) {
            stopIfStopping(e);
            Log.warnf("event=event_batch_failed handler=%s events=%d error=%s message=\"%s\" action=one_at_a_time", handler.name(),
                    events.size(), e.getClass().getSimpleName(), e.getMessage());
            for (IncomingEvent event : events) {
                deliver(handler.name(), event, records, () -> handler.handle(List.of(event)));
            }
            return;
        }
        if (afterCommit != null) {
            afterCommit.run();
        }
    }

    /**
     * Runs one event's handling in its own transaction as the org's system principal, in the producer's trace, then the
     * work it returns for after the commit. Retries with backoff; dead-letters the event when the attempts run out.
     */
    private void deliver(String handler, IncomingEvent event, ConsumerRecords<String, byte[]> records, Work<Runnable> work) {
        int attempt = 0;
        Duration backoff = config.retryBackoff();
        while (true) {
            attempt++;
            Runnable afterCommit;
            try (Scope ignored = TraceHeaders.extract(event.traceparent()).makeCurrent()) {
                afterCommit = untilNotTransient(handler,
                        () -> system.callAs(event.orgId(), () -> QuarkusTransaction.requiringNew().call(work::call)));
            } catch (Exception e) {
                stopIfStopping(e);
                if (attempt >= config.maxAttempts()) {
                    ConsumerRecord<String, byte[]> record = find(records, event);
                    deadLetter(event.key(), record == null ? null : record.value(), record == null ? new RecordHeaders() : record.headers(),
                            event.topic(), event.partition(), event.offset(), handler, e, attempt);
                    return;
                }
                Log.infof("event=event_handler_failed handler=%s event_id=%s type=%s attempt=%d error=%s message=\"%s\"", handler, event.id(),
                        event.type(), attempt, e.getClass().getSimpleName(), e.getMessage());
                pause(backoff);
                backoff = min(backoff.multipliedBy(2), config.maxRetryBackoff());
                continue;
            }
            if (afterCommit != null) {
                afterCommit.run();
            }
            return;
        }
    }

    /** While the service stops, a failure ends the batch unacknowledged (redelivered after the restart) instead of counting as an attempt. */
    private void stopIfStopping(Exception e) {
        if (!running) {
            throw new IllegalStateException("stopping: the batch is left for redelivery", e);
        }
    }

    /** Repeats {@code work} while it fails for a reason outside the event (the database is down); other failures are thrown. */
    private <T> T untilNotTransient(String handler, Work<T> work) throws Exception {
        Duration backoff = config.retryBackoff();
        while (true) {
            try {
                return work.call();
            } catch (Exception e) {
                if (!running || !Failures.isTransient(e)) {
                    throw e;
                }
                Log.warnf("event=event_handling_waiting handler=%s error=%s message=\"%s\" retry_in_ms=%d", handler, e.getClass().getSimpleName(),
                        e.getMessage(), backoff.toMillis());
                pause(backoff);
                backoff = min(backoff.multipliedBy(2), config.maxRetryBackoff());
            }
        }
    }

    private void deadLetter(String key, byte[] value, Headers original, String topic, int partition, long offset, String handler,
                            Exception error, int attempts) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        header(headers, DLQ_REASON, reason(error));
        header(headers, DLQ_EXCEPTION, error.getClass().getName());
        header(headers, DLQ_TOPIC, topic);
        header(headers, DLQ_PARTITION, Integer.toString(partition));
        header(headers, DLQ_OFFSET, Long.toString(offset));
        header(headers, DLQ_HANDLER, handler);
        header(headers, DLQ_ATTEMPTS, Integer.toString(attempts));
        // Waits for Kafka's ack: the batch is acknowledged only once its dead letters are stored.
        deadLetters.sendMessageAndAwait(Message.of(value == null ? new byte[0] : value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build()));
        deadLettered.computeIfAbsent(handler, h -> Counter.builder("weft.events.dead_lettered")
                .description("Events sent to the service's dead-letter topic after their handling failed").tag("handler", h)
                .register(metrics)).increment();
        Log.errorf("event=event_dead_lettered handler=%s position=%s/%d@%d attempts=%d error=%s message=\"%s\"", handler, topic, partition,
                offset, attempts, error.getClass().getSimpleName(), error.getMessage());
    }

    private static String reason(Throwable error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        return message.length() > 2000 ? message.substring(0, 2000) : message;
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static ConsumerRecord<String, byte[]> find(ConsumerRecords<String, byte[]> records, IncomingEvent event) {
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.offset() == event.offset() && record.partition() == event.partition() && record.topic().equals(event.topic())) {
                return record;
            }
        }
        return null;
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry an event", e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @FunctionalInterface
    private interface Work<T> {
        T call() throws Exception;
    }
}
