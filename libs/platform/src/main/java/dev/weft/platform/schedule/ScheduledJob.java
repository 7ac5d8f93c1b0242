package dev.weft.platform.schedule;

/**
 * What a service does when one of its schedules is due: a CDI bean per {@link #kind()} (e.g.
 * sync-service's {@code sync} job starts a sync run, workflow-service's {@code workflow_trigger} job
 * starts an execution). {@link SchedulePoller} calls it once per due time across all replicas, as
 * the schedule's org's system principal.
 *
 * <p><b>The firing is one transaction.</b> {@link #fire} runs inside the transaction that moves the
 * schedule to its next due time, so what it writes (a run row, an outbox event) commits together
 * with "this due time has fired", or not at all. That is what makes a firing happen once even when
 * a replica is killed mid-fire: its transaction never commits, its claim's lease runs out, and
 * another replica fires the same due time. So keep it short: record that a run is due and let the
 * service's own worker do the run; the schedule's row stays locked while {@code fire} runs.
 *
 * <p><b>Overlap</b> is the job's to decide, because the run's lifetime is its data (a sync's runs
 * table also holds runs started by hand): a job whose runs must not overlap returns
 * {@link Outcome#SKIPPED} while one is still active, in the same transaction that would have
 * started the next, and this due time is passed over and counted as skipped.
 *
 * <p><b>Failure.</b> If {@code fire} throws, its writes roll back, the due time is spent (the
 * schedule moves on to its next time), and the failure is logged and counted as {@code failed}; the
 * scheduler does not retry it, retries of a run live in the job's run records. Only when the
 * database was unreachable, or the job threw {@link dev.weft.platform.events.Failures.Transient}
 * (something it needs is down and it is not this due time's fault), is the due time left to the
 * lease: nothing is stored, and a replica fires it again when the lease runs out.
 */
public interface ScheduledJob {

    /** The schedules this job fires ({@code schedules.kind}); one job per kind in a service. */
    String kind();

    /** Acts on one due time of one schedule, inside the firing's transaction; see the class comment. */
    Outcome fire(ScheduleFiring firing) throws Exception;

    enum Outcome {
        /** The job acted on this due time. */
        FIRED,
        /** The job chose not to act on this due time (e.g. the previous run is still going). */
        SKIPPED
    }
}
