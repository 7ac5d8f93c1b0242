package dev.weft.platform.transform;

import dev.weft.platform.concurrent.Tasks;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Where a record is evaluated. The allocation budget is read from the JVM's per-thread allocation counter, which
 * virtual threads do not keep; a record asked for on a virtual thread is evaluated on a pooled platform thread
 * instead (the caller waits), so every limit holds whatever thread the caller runs on.
 */
final class Evaluation {
    private static final com.sun.management.ThreadMXBean THREADS = threads();
    private static final boolean CPU_CLOCK = THREADS != null && cpuClock(THREADS);
    private static final ExecutorService CARRIERS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("weft-transform-", 0).factory());

    private Evaluation() {
    }

    static <T> T onPlatformThread(Callable<T> work) {
        if (!Thread.currentThread().isVirtual()) {
            try {
                return work.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> future = CARRIERS.submit(work);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransformException(TransformException.Kind.LIMIT, "the transform was interrupted", null, null);
        } catch (ExecutionException e) {
            throw Tasks.failure(e);
        }
    }

    /**
     * Whether a record is past its time: its thread's CPU time over the budget, or the wall clock past
     * {@link TransformLimits#WALL_CLOCK_FACTOR} times it. CPU time, because on a busy machine a record's thread waits for a
     * core (32 records in flight on 2 cores, a GC pause) and wall-clock time would stop records that cost microseconds;
     * the wall-clock backstop still bounds a record that neither runs nor ends. Without a CPU clock, wall clock alone.
     *
     * @param wallNanos wall-clock time since the record began
     * @param cpuNanos  CPU time its thread used since the record began, or negative where the JVM does not count it
     */
    static boolean pastTime(long wallNanos, long cpuNanos, long budgetNanos) {
        if (wallNanos <= budgetNanos) {
            return false; // CPU time never exceeds wall-clock time on one thread
        }
        return cpuNanos < 0 || cpuNanos > budgetNanos || wallNanos / TransformLimits.WALL_CLOCK_FACTOR > budgetNanos;
    }

    /** CPU time the thread has used so far, in nanoseconds, or -1 where the JVM does not count it. */
    static long cpuNanos(Thread thread) {
        return CPU_CLOCK ? THREADS.getThreadCpuTime(thread.threadId()) : -1;
    }

    static long cpuNanos() {
        return CPU_CLOCK ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** Bytes the thread has allocated so far, or -1 where the JVM does not count them. */
    static long allocatedBytes(Thread thread) {
        return THREADS == null ? -1 : THREADS.getThreadAllocatedBytes(thread.threadId());
    }

    static long allocatedBytes() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    private static boolean cpuClock(com.sun.management.ThreadMXBean threads) {
        if (!threads.isThreadCpuTimeSupported()) {
            return false;
        }
        threads.setThreadCpuTimeEnabled(true);
        return true;
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads && threads.isThreadAllocatedMemorySupported()) {
            threads.setThreadAllocatedMemoryEnabled(true);
            return threads;
        }
        return null;
    }
}
