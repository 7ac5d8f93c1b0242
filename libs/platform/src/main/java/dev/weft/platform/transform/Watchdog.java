package dev.weft.platform.transform;

import org.graalvm.polyglot.Context;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One daemon thread for the whole JVM that looks at every running JavaScript record each
 * {@link TransformLimits#WATCH_INTERVAL} and cancels the context of one that used more than its CPU time or allocated past its
 * budget. Cancelling closes that context; its transform makes a fresh one for the next record.
 */
final class Watchdog {
    private static final Set<Watch> RUNNING = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("weft-transform-watchdog").factory());

    static {
        long interval = TransformLimits.WATCH_INTERVAL.toMillis();
        TICKER.scheduleWithFixedDelay(Watchdog::tick, interval, interval, TimeUnit.MILLISECONDS);
    }

    private Watchdog() {
    }

    /** Starts watching the current thread's evaluation in {@code context}; close the watch when it returns. */
    static Watch watch(Context context, TransformLimits limits) {
        Watch watch = new Watch(Thread.currentThread(), context, limits);
        RUNNING.add(watch);
        return watch;
    }

    private static void tick() {
        long now = System.nanoTime();
        for (Watch watch : RUNNING) {
            try {
                long wall = now - watch.startedAt;
                if (wall > watch.budget && Evaluation.pastTime(wall,
                        watch.cpuAtStart < 0 ? -1 : Evaluation.cpuNanos(watch.thread) - watch.cpuAtStart, watch.budget)) {
                    watch.stop("the transform ran longer than " + watch.limits.timeout().toMillis() + " ms of CPU for one record (time limit)");
                } else if (watch.allocatedAtStart >= 0
                        && Evaluation.allocatedBytes(watch.thread) - watch.allocatedAtStart > watch.limits.allocationBudget()) {
                    watch.stop("the transform allocated more than " + (watch.limits.allocationBudget() >> 20) + " MiB for one record (memory limit)");
                }
            } catch (RuntimeException e) {
                // A context already closed by its owner: nothing left to stop. The ticker must keep ticking.
            }
        }
    }

    static final class Watch implements AutoCloseable {
        private final Thread thread;
        private final Context context;
        private final TransformLimits limits;
        private final long startedAt;
        private final long budget;
        private final long cpuAtStart;
        private final long allocatedAtStart;
        private final AtomicReference<String> outcome = new AtomicReference<>();

        private Watch(Thread thread, Context context, TransformLimits limits) {
            this.thread = thread;
            this.context = context;
            this.limits = limits;
            this.startedAt = System.nanoTime();
            this.budget = limits.timeout().toNanos();
            this.cpuAtStart = Evaluation.cpuNanos();
            this.allocatedAtStart = Evaluation.allocatedBytes(thread);
        }

        private void stop(String reason) {
            if (outcome.compareAndSet(null, reason)) {
                context.close(true);
            }
        }

        /** Why the watchdog stopped this evaluation, or null when it did not (and now will not). */
        String stopped() {
            outcome.compareAndSet(null, "");
            String reason = outcome.get();
            return reason.isEmpty() ? null : reason;
        }

        @Override
        public void close() {
            RUNNING.remove(this);
        }
    }
}
