package dev.weft.platform.schedule;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A schedule as stored: what an API shows about it beside its resource (e.g. a sync's
 * {@code next_run_at}).
 *
 * @param nextFireAt  the next due time not fired yet; null when paused or when the expression has no further time
 * @param lastFiredAt the due time handled last (fired, skipped or failed), null before the first
 * @param lastOutcome {@code fired}, {@code skipped} or {@code failed}; null before the first
 */
public record Schedule(String kind, String ownerId, String orgId, String expression, ZoneId zone, boolean enabled, Instant nextFireAt,
                       Instant lastFiredAt, String lastOutcome) {
}
