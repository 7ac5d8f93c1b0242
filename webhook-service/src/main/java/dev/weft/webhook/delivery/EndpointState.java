package dev.weft.webhook.delivery;

import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.webhook.WebhooksConfig;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What this replica knows of one endpoint between rounds: deliveries in flight (bounded, so a slow
 * endpoint cannot take every connection), a circuit breaker (after a run of failures its deliveries
 * wait out a cooldown instead of each burning a timeout), its rate limit, and its decrypted signers.
 */
final class EndpointState {
    private static final Duration BUSY_RETRY = Duration.ofMillis(200);

    private final WebhooksConfig config;
    private final ConcurrentHashMap<String, StandardWebhooks> signers = new ConcurrentHashMap<>();
    private int inFlight;
    private int consecutiveFailures;
    private Instant openUntil = Instant.MIN;
    private Bucket bucket;
    private Integer bucketRate;

    EndpointState(WebhooksConfig config) {
        this.config = config;
    }

    /** Empty when a send may start now (and counts it in flight); otherwise when to try again. */
    synchronized Optional<Instant> admit(Integer ratePerSecond) {
        Instant now = Instant.now();
        if (now.isBefore(openUntil)) {
            return Optional.of(openUntil);
        }
        if (inFlight >= config.maxInFlightPerEndpoint()) {
            return Optional.of(now.plus(BUSY_RETRY));
        }
        if (ratePerSecond != null) {
            if (!ratePerSecond.equals(bucketRate)) {
                bucket = Bucket.builder().addLimit(limit -> limit.capacity(ratePerSecond).refillGreedy(ratePerSecond, Duration.ofSeconds(1))).build();
                bucketRate = ratePerSecond;
            }
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                return Optional.of(now.plusNanos(probe.getNanosToWaitForRefill()));
            }
        }
        inFlight++;
        return Optional.empty();
    }

    synchronized void finished() {
        inFlight--;
    }

    synchronized void record(boolean succeeded) {
        if (succeeded) {
            consecutiveFailures = 0;
            return;
        }
        if (++consecutiveFailures >= config.breakerThreshold()) {
            openUntil = Instant.now().plus(config.breakerCooldown());
            consecutiveFailures = 0;
        }
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
