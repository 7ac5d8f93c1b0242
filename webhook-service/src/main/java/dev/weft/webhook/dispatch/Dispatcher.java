package dev.weft.webhook.dispatch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.http.outbound.OutboundClient;
import dev.weft.platform.http.outbound.OutboundOutcome;
import dev.weft.webhook.WebhooksConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The delivery pipeline, top to bottom: take deliveries (claimed due ones, or new ones fan-out
 * stored already leased to this replica), hold back what an endpoint's breaker, rate limit or
 * in-flight bound does not allow yet, sign, send, and record the attempts in batches with what
 * comes next (success, a retry on the schedule, failure, or the endpoint disabled). The SQL is the
 * {@link Ledger}'s, the headers the {@link Signer}'s, the HTTP the platform's {@link OutboundClient}.
 *
 * <p>Back-pressure: each endpoint's queue here holds what it sends within the lease's queueing
 * time at its recent pace (at least {@code 4 × in-flight}, at most 5,000; 50,000 and 64 MB of bodies
 * in all), so a fast endpoint takes a burst from memory while a slow one stays held in
 * the database, claimed as its queue drains.
 */
@ApplicationScoped
public class Dispatcher implements DeliveryIntake {
    private static final int RECORD_BATCH = 1000;
    private static final Duration RECORD_LINGER = Duration.ofMillis(20);
    /** Deliveries wait in an endpoint's queue here for at most this many rounds of its timeout (the lease covers it). */
    private static final int QUEUE_FACTOR = 4;
    private static final int MAX_QUEUED_PER_ENDPOINT = 5_000;
    private static final int MAX_QUEUED = 50_000;
    /** Payload bytes waiting in memory, so that large events cannot fill the heap. */
    private static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    /** The consumer takes its next batch once no more than this many deliveries wait here (about a second of sending). */
    private static final int ROOM = 10_000;
    private static final Duration MAX_ROOM_WAIT = Duration.ofSeconds(10);

    private final Ledger ledger;
    private final Signer signer;
    private final OutboundClient sender;
    private final ObjectMapper json;
    private final WebhooksConfig config;
    private final Map<UUID, EndpointState> endpoints = new ConcurrentHashMap<>();
    private final BlockingQueue<Ledger.Finished> finished = new LinkedBlockingQueue<>();
    /** Deliveries waiting in the endpoints' queues on this replica, and their bodies' bytes (shared bodies counted once each). */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("webhook-rate-timer").daemon().factory());
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Counter succeeded;
    private final Counter failed;
    private final Timer latency;
    private volatile boolean woken;
    /** The last claim round took a full batch, so more deliveries are probably due. */
    private volatile boolean moreDue;
    /** Endpoints the last claim round passed over because their queues here were full. */
    private volatile Set<UUID> heldBack = Set.of();
    private volatile boolean running;

    public Dispatcher(Ledger ledger, Signer signer, OutboundClient sender, ObjectMapper json, WebhooksConfig config, MeterRegistry metrics) {
        this.ledger = ledger;
        this.signer = signer;
        this.sender = sender;
        this.json = json;
        this.config = config;
        this.succeeded = Counter.builder("weft.webhooks.sends").tag("outcome", "succeeded")
                .description("Webhook send attempts by outcome").register(metrics);
        this.failed = Counter.builder("weft.webhooks.sends").tag("outcome", "failed")
                .description("Webhook send attempts by outcome").register(metrics);
        this.latency = Timer.builder("weft.webhooks.send.latency").description("Time from a webhook send's start to its outcome")
                .publishPercentileHistogram().register(metrics);
    }

    void start(@Observes StartupEvent startup) {
        running = true;
        Thread.ofPlatform().name("webhook-dispatcher").daemon().start(this::claimLoop);
        Thread.ofPlatform().name("webhook-recorder").daemon().start(this::recordLoop);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        wake();
        // Deliveries queued here but not sent are due again at once, for the next replica (or this one restarted),
        // instead of waiting out their leases.
        Map<UUID, Instant> release = new LinkedHashMap<>();
        Instant now = Instant.now();
        endpoints.values().forEach(state -> state.drain().forEach(d -> release.put(d.id(), now)));
        ledger.postpone(release);
    }

    // 1. Take: from claims, and from fan-out.
    private void claimLoop() {
        while (running) {
            int claimed = 0;
            try {
                // Claim only while what was claimed before is mostly sent: queued deliveries hold a lease.
                if (queued.get() < config.claimBatch()) {
                    UUID[] saturated = saturated();
                    heldBack = Set.of(saturated);
                    List<Deliverable> batch = ledger.claim(saturated, Duration.ofSeconds(leaseSeconds()), config.claimBatch());
                    claimed = batch.size();
                    moreDue = claimed == config.claimBatch();
                    take(batch);
                }
            } catch (RuntimeException e) {
                Log.warnf("event=webhook_dispatch_round_failed error=%s message=\"%s\"", e.getClass().getSimpleName(), e.getMessage());
            }
            if (claimed < config.claimBatch()) {
                awaitWork();
            }
        }
    }

    @Override
    public void take(List<Deliverable> deliveries) {
        Set<EndpointState> touched = new HashSet<>();
        for (Deliverable delivery : deliveries) {
            EndpointState state = endpoints.computeIfAbsent(delivery.endpointId(), id -> new EndpointState(id, config));
            state.enqueue(delivery);
            queued.incrementAndGet();
            queuedBytes.addAndGet(delivery.body().length);
            touched.add(state);
        }
        touched.forEach(this::pump);
    }

    @Override
    public boolean takesNow(UUID endpointId, int alreadyTaken) {
        if (!running || queued.get() >= MAX_QUEUED || queuedBytes.get() >= MAX_QUEUED_BYTES) {
            return false;
        }
        EndpointState state = endpoints.get(endpointId);
        if (state == null) {
            return alreadyTaken < queueFloor();
        }
        return !state.breakerOpen() && state.queued() + alreadyTaken < queueCap(state);
    }

    /** How long a claim holds a delivery: its wait in the endpoint's queue (at most QUEUE_FACTOR rounds of the timeout) and the send. */
    @Override
    public long leaseSeconds() {
        return config.timeout().toSeconds() * (QUEUE_FACTOR + 1) + 30;
    }

    @Override
    public void awaitRoom() {
        long deadline = System.nanoTime() + MAX_ROOM_WAIT.toNanos();
        while (running && (queued.get() > ROOM || queuedBytes.get() > MAX_QUEUED_BYTES / 2) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void wake() {
        lock.lock();
        try {
            woken = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** What any endpoint's queue may hold, its pace unknown or slow: QUEUE_FACTOR rounds of its in-flight bound. */
    private int queueFloor() {
        return QUEUE_FACTOR * config.maxInFlightPerEndpoint();
    }

    private int queueCap(EndpointState state) {
        return state.queueCap(config.timeout().toMillis() * QUEUE_FACTOR, queueFloor(), Math.max(queueFloor(), MAX_QUEUED_PER_ENDPOINT));
    }

    private UUID[] saturated() {
        return endpoints.entrySet().stream().filter(e -> e.getValue().queued() >= queueCap(e.getValue())).map(Map.Entry::getKey)
                .toArray(UUID[]::new);
    }

    // 2. Hold back, sign, send.
    /** Sends what the endpoint's state admits now; hands back what its breaker holds; looks again when its rate limit allows. */
    private void pump(EndpointState state) {
        EndpointState.Admission admission = state.admit();
        for (Deliverable delivery : admission.send()) {
            leftQueue(delivery);
            send(delivery, state);
        }
        if (!admission.handBack().isEmpty()) {
            Map<UUID, Instant> postponed = new LinkedHashMap<>();
            admission.handBack().forEach(d -> {
                leftQueue(d);
                postponed.put(d.id(), admission.handBackUntil());
            });
            Thread.ofVirtual().start(() -> ledger.postpone(postponed));
        }
        if (admission.lookAgainAt() != null) {
            long delay = Math.max(1, Duration.between(Instant.now(), admission.lookAgainAt()).toMillis());
            timers.schedule(() -> pump(state), delay, TimeUnit.MILLISECONDS);
        }
        // Refill early only when more is probably due: the last claim came back full, or it passed over this endpoint
        // while its queue was full and the queue has drained since. Otherwise every finished send would start a claim
        // round that finds nothing; the periodic round and the wake-ups from fan-out find new work anyway.
        boolean drainedSinceHeldBack = heldBack.contains(state.endpointId()) && state.queued() < queueCap(state) / 2;
        if ((moreDue || drainedSinceHeldBack) && queued.get() < config.claimBatch() / 2) {
            wake();
        }
    }

    private void leftQueue(Deliverable delivery) {
        queued.decrementAndGet();
        queuedBytes.addAndGet(-delivery.body().length);
    }

    private void send(Deliverable delivery, EndpointState state) {
        EndpointState.Target target = state.target(delivery.url(), delivery.headers(), this::parseHeaders);
        Map<String, String> headers = signer.headers(delivery, state, target.headers());
        long started = System.nanoTime();
        sender.send(target.uri(), headers, delivery.body(), config.timeout())
                .whenComplete((outcome, error) -> {
                    OutboundOutcome result = outcome != null ? outcome
                            : OutboundOutcome.failed(OutboundOutcome.Failure.IO, (System.nanoTime() - started) / 1_000_000, String.valueOf(error));
                    state.finished(result.succeeded(), result.latencyMillis());
                    (result.succeeded() ? succeeded : failed).increment();
                    latency.record(result.latencyMillis(), TimeUnit.MILLISECONDS);
                    finished.add(new Ledger.Finished(delivery, result));
                    pump(state);
                });
    }

    private Map<String, String> parseHeaders(String headersJson) {
        try {
            return Map.copyOf(json.readValue(headersJson, new TypeReference<Map<String, String>>() {
            }));
        } catch (Exception e) {
            Log.warnf("event=webhook_headers_unreadable");
            return Map.of();
        }
    }

    // 3. Record, in batches gathered for up to RECORD_LINGER: a transaction per handful of sends would cost more than
    //    the sends. This delays only the bookkeeping, never a send.
    private void recordLoop() {
        List<Ledger.Finished> batch = new ArrayList<>(RECORD_BATCH);
        while (running || !finished.isEmpty()) {
            try {
                Ledger.Finished first = finished.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (finished.size() < RECORD_BATCH - 1) {
                    Thread.sleep(RECORD_LINGER);
                }
                finished.drainTo(batch, RECORD_BATCH - 1);
                ledger.record(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void awaitWork() {
        lock.lock();
        try {
            if (!woken) {
                work.await(500, TimeUnit.MILLISECONDS);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }
}
