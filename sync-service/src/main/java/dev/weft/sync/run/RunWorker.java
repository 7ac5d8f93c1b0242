package dev.weft.sync.run;

import dev.weft.platform.db.DueWork;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.sync.SyncConfig;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Executes runs, once across any number of replicas: each poll claims queued runs, and running ones whose lease ran out
 * (their replica was killed), through {@link DueWork} with this replica as holder, up to its free capacity, and runs
 * each on a virtual thread as the run's org. The pipeline renews the lease at every checkpoint.
 */
@ApplicationScoped
public class RunWorker {
    private final DueWork dueWork;
    private final RunStore store;
    private final SyncPipeline pipeline;
    private final SystemPrincipal system;
    private final SyncConfig config;
    private final DeferredChanges deferred;
    private final RealtimeApplier realtime;
    /** Syncs whose held-back realtime changes this replica is applying now. */
    private final java.util.Set<UUID> draining = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Semaphore capacity;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sync-run-", 0).factory());
    private final String instance = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("pid-" + ProcessHandle.current().pid());
    private volatile boolean stopping;

    public RunWorker(DueWork dueWork, RunStore store, SyncPipeline pipeline, SystemPrincipal system, SyncConfig config, DeferredChanges deferred,
                     RealtimeApplier realtime) {
        this.deferred = deferred;
        this.realtime = realtime;
        this.dueWork = dueWork;
        this.store = store;
        this.pipeline = pipeline;
        this.system = system;
        this.config = config;
        this.capacity = new Semaphore(config.worker().concurrency());
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        threads.shutdown();
    }

    @Scheduled(identity = "weft-sync-runs", every = "${weft.sync.worker.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!config.worker().enabled() || stopping) {
            return;
        }
        try {
            claimAndStart();
            applyHeldBack();
        } catch (RuntimeException e) {
            Log.warnf("event=run_poll_failed error=%s message=\"%s\"", e.getClass().getSimpleName(), e.getMessage());
        }
    }

    /**
     * Starts applying the realtime changes held back during runs that have ended (any replica's, including one killed
     * since): each sync on a virtual thread of its own, as its org. Replicas that pick the same sync take turns on its
     * lock, and the second finds the changes applied.
     */
    public void applyHeldBack() {
        List<DeferredChanges.Waiting> waiting = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> deferred.waiting(20));
        for (DeferredChanges.Waiting sync : waiting) {
            if (!draining.add(sync.syncId())) {
                continue;
            }
            threads.submit(() -> {
                ManagedContext request = Arc.container().requestContext();
                request.activate();
                try {
                    system.runAs(sync.orgId(), () -> realtime.drain(sync.syncId()));
                } finally {
                    request.terminate();
                    draining.remove(sync.syncId());
                }
            });
        }
    }

    /** Claims what this replica has room for and starts it; returns how many runs it started. */
    public int claimAndStart() {
        int free = capacity.availablePermits();
        if (free == 0) {
            return 0;
        }
        // A holder name per claim: a replica that lost a lease and claims the run again is a different holder.
        String owner = instance + "/" + UUID.randomUUID();
        List<RunStore.Claimed> claimed = store.claim(dueWork, owner, config.worker().lease(), free);
        for (RunStore.Claimed run : claimed) {
            capacity.acquireUninterruptibly();
            threads.submit(() -> {
                ManagedContext request = Arc.container().requestContext();
                request.activate();
                try {
                    system.runAs(run.orgId(), () -> pipeline.execute(run.id(), owner));
                } catch (RuntimeException e) {
                    // The lease brings the run back to a replica.
                    Log.warnf("event=run_execution_failed org_id=%s run_id=%s error=%s message=\"%s\"", run.orgId(), run.id(),
                            e.getClass().getSimpleName(), e.getMessage());
                } finally {
                    request.terminate();
                    capacity.release();
                }
            });
        }
        return claimed.size();
    }
}
