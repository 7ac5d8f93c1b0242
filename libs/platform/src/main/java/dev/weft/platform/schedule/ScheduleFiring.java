package dev.weft.platform.schedule;

import java.time.Instant;
import java.util.UUID;

/**
 * One due time of one schedule, handed to its {@link ScheduledJob}. {@code (ownerId, dueAt)} names
 * the firing: a handler that wants a second guard against acting twice can key its run on it.
 *
 * @param dueAt      the due time being fired; after downtime, the earliest one missed (the others are not fired)
 * @param firedAt    when it was claimed (the database's clock)
 * @param nextFireAt the due time after this one, already stored when the job runs; null if there is none
 */
public record ScheduleFiring(UUID scheduleId, String orgId, String kind, String ownerId, String expression, Instant dueAt, Instant firedAt,
                             Instant nextFireAt) {
}
