package dev.weft.sync.schedule;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.schedule.ScheduleFiring;
import dev.weft.platform.schedule.ScheduledJob;
import dev.weft.sync.run.RunService;
import dev.weft.sync.sync.Sync;
import dev.weft.sync.sync.SyncService;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A sync's schedule is due: queue a run, in the firing's transaction (so the run exists exactly when the due time is
 * spent). Never two runs of one sync at once: while one is queued or running, this due time is skipped.
 */
@ApplicationScoped
public class SyncJob implements ScheduledJob {
    private final RunService runs;

    public SyncJob(RunService runs) {
        this.runs = runs;
    }

    @Override
    public String kind() {
        return SyncService.SCHEDULE_KIND;
    }

    @Override
    public Outcome fire(ScheduleFiring firing) {
        Sync sync = TypeId.parse(Sync.ID_PREFIX, firing.ownerId()).map(id -> Sync.<Sync>findById(id)).orElse(null);
        if (sync == null) {
            // Deleted since (its schedule goes with it): nothing to run.
            return Outcome.SKIPPED;
        }
        return runs.enqueueScheduled(sync).isPresent() ? Outcome.FIRED : Outcome.SKIPPED;
    }
}
