package dev.weft.webhook.dispatch;

import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.webhook.WebhooksConfig;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What this replica knows of one endpoint: the deliveries it has claimed and not yet sent (a queue,
 * so a busy endpoint waits here rather than being claimed over and over), those in flight (bounded,
 * so a slow endpoint cannot take every connection), a circuit breaker (after a run of failures its
 * deliveries wait out a cooldown instead of each burning a timeout), its rate limit, its
 * decrypted signers and its parsed URL and custom headers.
 */
final class EndpointState {
    private final UUID endpointId;
    private final WebhooksConfig config;
    private final ConcurrentHashMap<String, StandardWebhooks> signers = new ConcurrentHashMap<>();
    private final ArrayDeque<Deliverable> queue = new ArrayDeque<>();
    private int inFlight;
    private int consecutiveFailures;
    private Instant openUntil = Instant.MIN;
    private Bucket bucket;
    private Integer bucketRate;
    /** Recent time per send, -1 before the first. */
    private double latencyMillis = -1;

    EndpointState(UUID endpointId, WebhooksConfig config) {
        this.endpointId = endpointId;
        this.config = config;
    }

    UUID endpointId() {
        return endpointId;
    }

    /** What may happen now: deliveries to send, deliveries to hand back until a time, and when to look again. */
    record Admission(List<Deliverable> send, List<Deliverable> handBack, Instant handBackUntil, Instant lookAgainAt) {
    }

    synchronized void enqueue(Deliverable delivery) {
        queue.add(delivery);
    }

    /** Takes from the queue what the breaker, the in-flight bound and the rate limit allow now (counting it in flight). */
    synchronized Admission admit() {
        Instant now = Instant.now();
        if (now.isBefore(openUntil)) {
            return new Admission(List.of(), drain(), openUntil, null);
        }
        List<Deliverable> send = new ArrayList<>();
        while (!queue.isEmpty() && inFlight < config.maxInFlightPerEndpoint()) {
            Integer rate = queue.peek().rateLimit();
            if (rate != null) {
                if (!rate.equals(bucketRate)) {
                    bucket = Bucket.builder().addLimit(limit -> limit.capacity(rate).refillGreedy(rate, Duration.ofSeconds(1))).build();
                    bucketRate = rate;
                }
                ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
                if (!probe.isConsumed()) {
                    return new Admission(send, List.of(), null, now.plusNanos(probe.getNanosToWaitForRefill()));
                }
            }
            send.add(queue.poll());
            inFlight++;
        }
        return new Admission(send, List.of(), null, null);
    }

    /**
     * How many deliveries may wait in this endpoint's queue here: as many as its in-flight bound sends, at its recent
     * pace, within the part of the lease kept for queueing ({@code queueingMillis}); never fewer than
     * {@code floor}, never more than {@code ceiling}. A fast endpoint can so take a burst from memory, while a slow
     * one is held to what it can send before the leases run out.
     */
    synchronized int queueCap(long queueingMillis, int floor, int ceiling) {
        if (latencyMillis < 0) {
            return floor;
        }
        double fits = config.maxInFlightPerEndpoint() * (queueingMillis / Math.max(1.0, latencyMillis));
        return (int) Math.max(floor, Math.min(ceiling, fits));
    }

    synchronized boolean breakerOpen() {
        return Instant.now().isBefore(openUntil);
    }

    synchronized void finished(boolean succeeded, long millis) {
        inFlight--;
        // Exponentially weighted: the last few dozen sends set the pace.
        latencyMillis = latencyMillis < 0 ? millis : latencyMillis * 0.95 + millis * 0.05;
        if (succeeded) {
            consecutiveFailures = 0;
        } else if (++consecutiveFailures >= config.breakerThreshold()) {
            openUntil = Instant.now().plus(config.breakerCooldown());
            consecutiveFailures = 0;
        }
    }

    /** Empties the queue (nothing more is sent from it) and returns what it held. */
    synchronized List<Deliverable> drain() {
        List<Deliverable> drained = new ArrayList<>(queue);
        queue.clear();
        return drained;
    }

    synchronized int queued() {
        return queue.size();
    }

    /** The endpoint's URL and custom headers as the sender needs them, parsed once while they stay the same. */
    record Target(String url, String headersJson, URI uri, Map<String, String> headers) {
    }

    private volatile Target target;

    Target target(String url, String headersJson, Function<String, Map<String, String>> parseHeaders) {
        Target current = target;
        if (current == null || !current.url().equals(url) || !Objects.equals(current.headersJson(), headersJson)) {
            current = new Target(url, headersJson, URI.create(url), headersJson == null ? Map.of() : parseHeaders.apply(headersJson));
            target = current;
        }
        return current;
    }

    StandardWebhooks signer(String sealedSecret, Supplier<String> secret) {
        return signers.computeIfAbsent(sealedSecret, key -> {
            if (signers.size() > 4) {
                signers.clear();
            }
            return new StandardWebhooks(secret.get());
        });
    }
}
