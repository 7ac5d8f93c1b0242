package dev.weft.platform.schedule;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.db.Timestamps;
import dev.weft.platform.events.Failures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Fires due schedules, once per due time across any number of replicas. Every replica polls
 * ({@code weft.platform.schedules.poll-interval}); each round, top to bottom:
 * <ol>
 *   <li><b>claim</b> up to {@code batch-size} due schedules of the kinds this service has jobs for, through
 *       {@link DueWork}: one statement, {@code FOR UPDATE SKIP LOCKED}, moving {@code leased_until} ahead by
 *       {@code lease}, so the other replicas pass them over;</li>
 *   <li><b>compute</b> each one's next due time from its expression: the first after the due time or now,
 *       whichever is later;</li>
 *   <li><b>fire</b>, as the org's system principal, in one transaction: move the row to its next due time if
 *       this replica's claim still holds (the update locks the row until commit), then call the
 *       {@link ScheduledJob}; its writes and the move commit together;</li>
 *   <li><b>count</b> the outcome in {@code weft_schedule_firings_total{kind,outcome}} and how late the
 *       firing was in {@code weft_schedule_delay_seconds{kind}}.</li>
 * </ol>
 *
 * <p><b>Once.</b> A due time fires when its transaction moves {@code next_fire_at} off it, and that
 * update only matches the row as this replica claimed it ({@code next_fire_at} and {@code leased_until}
 * unchanged): a replica whose lease ran out before it got there, or a schedule edited meanwhile, finds
 * nothing and fires nothing. A replica killed mid-fire (kill -9) never commits; its lease runs out and
 * another replica fires the same due time.
 *
 * <p><b>Misfires.</b> A schedule that missed several due times (every replica was down, or it was
 * overdue behind a long queue) fires once, for the earliest missed due time, and is next due at its
 * first time after now: an hourly sync down for five hours runs once on restart, not five times.
 *
 * <p><b>Failures.</b> A job that throws has its writes rolled back; the due time is still spent
 * (stored as {@code failed}, logged, counted) and the schedule keeps its cadence: the scheduler does
 * not retry, a job's runs carry their own retries. When the database was unreachable instead, nothing
 * is stored and the lease brings the due time back.
 */
@ApplicationScoped
public class SchedulePoller {
    static final String FIRINGS = "weft.schedule.firings";
    static final String DELAY = "weft.schedule.delay";

    /** Due by the injectable clock (tests move it); leases by the database's, which all replicas share. */
    private static final String DUE = "c.enabled AND c.next_fire_at <= ? AND (c.leased_until IS NULL OR c.leased_until <= now())"
            + " AND c.kind = ANY(?)";
    private static final DueWork.Claim CLAIM = new DueWork.Claim("schedules", DUE, "c.next_fire_at", "leased_until",
            "SELECT id, org_id, kind, owner_id, expression, timezone, next_fire_at, leased_until, now() AS claimed_at FROM claimed");
    /** Moves the schedule on, if it is still as this replica claimed it; locks the row until the firing commits. */
    private static final String ADVANCE = """
            UPDATE schedules SET next_fire_at = ?, last_fired_at = next_fire_at, last_outcome = ?, leased_until = NULL, updated_at = now()
            WHERE id = ? AND next_fire_at = ? AND leased_until = ?""";
    private static final String SKIPPED = "UPDATE schedules SET last_outcome = 'skipped' WHERE id = ?";
    private static final String RELEASE = "UPDATE schedules SET leased_until = NULL WHERE id = ? AND next_fire_at = ? AND leased_until = ?";

    /** How one poller runs: its name in logs, how long its claims hold, how many it claims at a time. */
    public record Settings(String instance, Duration lease, int batchSize) {
    }

    private final DueWork dueWork;
    private final DataSource dataSource;
    private final Map<String, ScheduledJob> jobs;
    private final String[] kinds;
    private final MeterRegistry metrics;
    private final Settings settings;
    private final boolean enabled;
    private final java.time.Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    @Inject
    public SchedulePoller(DueWork dueWork, DataSource dataSource, Instance<ScheduledJob> jobs, MeterRegistry metrics, PlatformConfig config,
                          java.time.Clock clock) {
        this(dueWork, dataSource, jobs.stream().toList(), metrics,
                new Settings(instanceName(), config.schedules().lease(), config.schedules().batchSize()), config.schedules().enabled(), clock);
    }

    /** A poller of its own: a test's second replica, or a service firing a set of jobs apart from its beans. */
    public SchedulePoller(DueWork dueWork, DataSource dataSource, Collection<? extends ScheduledJob> jobs, MeterRegistry metrics, Settings settings) {
        this(dueWork, dataSource, jobs, metrics, settings, true, java.time.Clock.systemUTC());
    }

    /** A poller of its own reading due times against {@code clock} (a test's replica under a test clock). */
    public SchedulePoller(DueWork dueWork, DataSource dataSource, Collection<? extends ScheduledJob> jobs, MeterRegistry metrics, Settings settings,
                          java.time.Clock clock) {
        this(dueWork, dataSource, jobs, metrics, settings, true, clock);
    }

    private SchedulePoller(DueWork dueWork, DataSource dataSource, Collection<? extends ScheduledJob> jobs, MeterRegistry metrics, Settings settings,
                           boolean enabled, java.time.Clock clock) {
        this.clock = clock;
        this.dueWork = dueWork;
        this.dataSource = dataSource;
        // Two jobs for one kind would make which one fires a matter of bean order: refuse to start.
        this.jobs = jobs.stream().collect(Collectors.toUnmodifiableMap(ScheduledJob::kind, Function.identity()));
        this.kinds = this.jobs.keySet().toArray(String[]::new);
        this.metrics = metrics;
        this.settings = settings;
        this.enabled = enabled;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(identity = "weft-schedules", every = "${weft.platform.schedules.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!enabled || kinds.length == 0) {
            return;
        }
        try {
            fireDue();
        } catch (RuntimeException e) {
            // The database is unreachable or restarting: the next round tries again.
            Log.warnf("event=schedule_poll_failed instance=%s error=%s message=\"%s\"", settings.instance(), e.getClass().getSimpleName(),
                    e.getMessage());
        }
    }

    /** One round: claims and fires due schedules until fewer than a batch are due. Returns how many due times it handled. */
    public int fireDue() {
        ManagedContext requestContext = Arc.container().requestContext();
        boolean activated = !requestContext.isActive();
        if (activated) {
            requestContext.activate();
        }
        try {
            int handled = 0;
            List<Claimed> claimed;
            do {
                // 1. Claim.
                Instant now = clock.instant();
                claimed = dueWork.claim(CLAIM, (statement, first) -> {
                    statement.setObject(first, Timestamps.timestamp(now));
                    statement.setArray(first + 1, statement.getConnection().createArrayOf("text", kinds));
                    return first + 2;
                }, settings.lease(), settings.batchSize(), row -> Claimed.read(row).at(now));
                int[] fired = {0};
                dueWork.forEach("schedule", claimed, Claimed::orgId, schedule -> {
                    if (fire(schedule)) {
                        fired[0]++;
                    }
                });
                handled += fired[0];
            } while (claimed.size() == settings.batchSize() && !stopping);
            return handled;
        } finally {
            if (activated) {
                requestContext.terminate();
            }
        }
    }

    /** Fires one claimed schedule; false if another replica or an edit took it from this one meanwhile. */
    private boolean fire(Claimed schedule) {
        if (stopping) {
            // Hand the claim back now rather than when the lease ends.
            release(schedule);
            return false;
        }
        ScheduledJob job = jobs.get(schedule.kind());
        // 2. Compute: the first due time after the later of this one and now (missed ones fire once).
        Instant next;
        try {
            Instant from = schedule.dueAt().isAfter(schedule.claimedAt()) ? schedule.dueAt() : schedule.claimedAt();
            next = ScheduleExpression.parse(schedule.expression(), schedule.timezone()).nextAfter(from).orElse(null);
        } catch (RuntimeException unreadable) {
            // Written by a version that read expressions differently: it stops here rather than every lease.
            spend(schedule, null, unreadable);
            return true;
        }
        ScheduleFiring firing = new ScheduleFiring(schedule.id(), schedule.orgId(), schedule.kind(), schedule.ownerId(), schedule.expression(),
                schedule.dueAt(), schedule.claimedAt(), next);
        // 3. Fire: the move to the next due time and the job's writes in one transaction.
        ScheduledJob.Outcome outcome;
        try {
            outcome = QuarkusTransaction.requiringNew().call(() -> {
                if (!advance(schedule, next, "fired")) {
                    return null;
                }
                ScheduledJob.Outcome result = job.fire(firing);
                if (result == ScheduledJob.Outcome.SKIPPED) {
                    execute(SKIPPED, schedule.id());
                }
                return result == null ? ScheduledJob.Outcome.FIRED : result;
            });
        } catch (Exception e) {
            if (Failures.isTransient(e)) {
                // Nothing committed, or the commit's fate is unknown: either way the lease decides, and the guard
                // on next_fire_at keeps a committed firing from happening again.
                Log.warnf("event=schedule_fire_interrupted kind=%s owner_id=%s due_at=%s instance=%s error=%s message=\"%s\" retry_after=%s",
                        schedule.kind(), schedule.ownerId(), schedule.dueAt(), settings.instance(), e.getClass().getSimpleName(), e.getMessage(),
                        settings.lease());
                return false;
            }
            spend(schedule, next, e);
            return true;
        }
        if (outcome == null) {
            Log.debugf("event=schedule_claim_lost kind=%s owner_id=%s due_at=%s instance=%s", schedule.kind(), schedule.ownerId(),
                    schedule.dueAt(), settings.instance());
            return false;
        }
        // 4. Count.
        count(schedule.kind(), outcome == ScheduledJob.Outcome.FIRED ? "fired" : "skipped");
        Timer.builder(DELAY).description("How long after its due time a schedule fired").tag("kind", schedule.kind()).register(metrics)
                .record(Duration.between(schedule.dueAt(), schedule.claimedAt()));
        if (outcome == ScheduledJob.Outcome.FIRED) {
            Log.debugf("event=schedule_fired kind=%s owner_id=%s org_id=%s due_at=%s next_fire_at=%s instance=%s", schedule.kind(),
                    schedule.ownerId(), schedule.orgId(), schedule.dueAt(), next, settings.instance());
        } else {
            Log.infof("event=schedule_skipped kind=%s owner_id=%s org_id=%s due_at=%s next_fire_at=%s instance=%s", schedule.kind(),
                    schedule.ownerId(), schedule.orgId(), schedule.dueAt(), next, settings.instance());
        }
        return true;
    }

    /** The job failed: the due time is spent all the same (the job's writes rolled back), and the schedule moves on. */
    private void spend(Claimed schedule, Instant next, Exception failure) {
        boolean moved;
        try {
            moved = QuarkusTransaction.requiringNew().call(() -> advance(schedule, next, "failed"));
        } catch (Exception e) {
            Log.warnf("event=schedule_fire_interrupted kind=%s owner_id=%s due_at=%s instance=%s error=%s message=\"%s\" retry_after=%s",
                    schedule.kind(), schedule.ownerId(), schedule.dueAt(), settings.instance(), e.getClass().getSimpleName(), e.getMessage(),
                    settings.lease());
            return;
        }
        if (moved) {
            count(schedule.kind(), "failed");
            Log.warnf("event=schedule_fire_failed kind=%s owner_id=%s org_id=%s due_at=%s next_fire_at=%s error=%s message=\"%s\"",
                    schedule.kind(), schedule.ownerId(), schedule.orgId(), schedule.dueAt(), next, failure.getClass().getSimpleName(),
                    failure.getMessage());
        }
    }

    private boolean advance(Claimed schedule, Instant next, String outcome) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement advance = db.prepareStatement(ADVANCE)) {
            advance.setObject(1, Timestamps.timestamp(next));
            advance.setString(2, outcome);
            advance.setObject(3, schedule.id());
            advance.setObject(4, Timestamps.timestamp(schedule.dueAt()));
            advance.setObject(5, schedule.leasedUntil());
            return advance.executeUpdate() == 1;
        }
    }

    private void release(Claimed schedule) {
        try (Connection db = dataSource.getConnection(); PreparedStatement release = db.prepareStatement(RELEASE)) {
            release.setObject(1, schedule.id());
            release.setObject(2, Timestamps.timestamp(schedule.dueAt()));
            release.setObject(3, schedule.leasedUntil());
            release.executeUpdate();
        } catch (SQLException e) {
            // The lease hands it over instead.
            Log.debugf("event=schedule_release_failed kind=%s owner_id=%s message=\"%s\"", schedule.kind(), schedule.ownerId(), e.getMessage());
        }
    }

    private void execute(String sql, UUID id) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setObject(1, id);
            statement.executeUpdate();
        }
    }

    private void count(String kind, String outcome) {
        counters.computeIfAbsent(kind + "/" + outcome, key -> Counter.builder(FIRINGS)
                .description("Due times of schedules handled, by outcome: fired, skipped (the job passed), failed (the job threw)")
                .tag("kind", kind).tag("outcome", outcome).register(metrics)).increment();
    }

    private static String instanceName() {
        return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("pid-" + ProcessHandle.current().pid());
    }

    /** A schedule this replica claimed: {@code leasedUntil} as the claim wrote it identifies the claim. */
    private record Claimed(UUID id, String orgId, String kind, String ownerId, String expression, String timezone, Instant dueAt,
                           OffsetDateTime leasedUntil, Instant claimedAt) {
        /** Claimed at this instant of the poller's clock (what "now" is for the next due time). */
        Claimed at(Instant now) {
            return new Claimed(id, orgId, kind, ownerId, expression, timezone, dueAt, leasedUntil, now);
        }

        static Claimed read(ResultSet row) throws SQLException {
            return new Claimed(row.getObject("id", UUID.class), row.getString("org_id"), row.getString("kind"), row.getString("owner_id"),
                    row.getString("expression"), row.getString("timezone"), row.getObject("next_fire_at", OffsetDateTime.class).toInstant(),
                    row.getObject("leased_until", OffsetDateTime.class), row.getObject("claimed_at", OffsetDateTime.class).toInstant());
        }
    }
}
