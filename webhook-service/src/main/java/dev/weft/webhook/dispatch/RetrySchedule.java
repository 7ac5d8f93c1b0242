package dev.weft.webhook.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: the configured waits (5 s, 30 s, 2 min, ... 10 h) with
 * ±20 % jitter so that endpoints coming back are not hit by every retry at once, never sooner than
 * the endpoint's own {@code Retry-After}. Empty once the schedule is used up.
 */
public final class RetrySchedule {
    private final List<Duration> waits;

    public RetrySchedule(List<Duration> waits) {
        this.waits = List.copyOf(waits);
    }

    /** @param failedAttempts attempts made so far, all failed (1 after the first) */
    public Optional<Duration> next(int failedAttempts, Optional<Duration> retryAfter) {
        if (failedAttempts < 1 || failedAttempts > waits.size()) {
            return Optional.empty();
        }
        Duration base = waits.get(failedAttempts - 1);
        long jittered = (long) (base.toMillis() * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
        Duration wait = Duration.ofMillis(jittered);
        return Optional.of(retryAfter.filter(r -> r.compareTo(wait) > 0).orElse(wait));
    }

    public int maxAttempts() {
        return waits.size() + 1;
    }
}
