package dev.weft.testing.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the JVM itself did during a phase: JIT compilation and stop-the-world collections. A phase that compiles or
 * collects a lot measures the JVM warming up or the heap's sizing, not the path; each phase reports it beside its figure.
 * Shared by the benchmarks under bench/ (see {@link WarmUp}).
 */
public record JvmActivity(long nanos, long jitMillis, long gcPauses, long gcPauseMillis, long cpuMillis) {
    /** The longest pause since the last {@link #start()}, kept by a notification listener (the MXBeans keep only sums). */
    private static final AtomicLong LONGEST_PAUSE = new AtomicLong();

    static {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                        if (pauses(info.getGcName())) {
                            LONGEST_PAUSE.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
                        }
                    }
                }, null, null);
            }
        }
    }

    /** G1 and ZGC also report their concurrent cycles as collectors; only pausing ones are counted. */
    private static boolean pauses(String collector) {
        return !collector.contains("Concurrent") && !collector.contains("Cycles");
    }

    /** Starts a phase: the counters now, and the longest pause forgotten. One phase at a time. */
    public static JvmActivity start() {
        LONGEST_PAUSE.set(0);
        return now();
    }

    private static JvmActivity now() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (pauses(collector.getName())) {
                count += collector.getCollectionCount();
                millis += collector.getCollectionTime();
            }
        }
        return new JvmActivity(System.nanoTime(), compilerCpuMillis(), count, millis, processCpuMillis());
    }

    /**
     * CPU time of the JIT compiler threads, from Linux's per-thread accounting (-1 elsewhere). The compilation MXBean's
     * total is elapsed time summed over compiler threads, which on a busy machine counts their waiting for a core too.
     */
    private static long compilerCpuMillis() {
        return compilerCpuMillis("self");
    }

    /** CPU time of the JIT compiler threads of process {@code pid} ("self" for this one) so far, in ms; -1 where unknown. */
    public static long compilerCpuMillis(String pid) {
        Path tasks = Path.of("/proc", pid, "task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                try {
                    // "C2 CompilerThread0", cut to 15 characters by the kernel
                    if (!Files.readString(thread.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(thread.resolve("stat"));
                    // fields after the parenthesised name: state is field 3, utime 14 and stime 15
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException | RuntimeException gone) {
                    // a compiler thread may end between listing and reading
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    /** CPU time of the whole process (every thread, the JIT's and the collector's too); -1 where the JVM does not say. */
    private static long processCpuMillis() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1_000_000 : -1;
    }

    /** What happened from this start until now. */
    public Delta sinceStart() {
        JvmActivity end = now();
        return new Delta((end.nanos - nanos) / 1e9, end.jitMillis - jitMillis, end.gcPauses - gcPauses, end.gcPauseMillis - gcPauseMillis,
                LONGEST_PAUSE.get(), cpuMillis < 0 || end.cpuMillis < 0 ? -1 : end.cpuMillis - cpuMillis);
    }

    /** A phase's share of JIT compilation and collection pauses. */
    public record Delta(double seconds, long jitMillis, long gcPauses, long gcPauseMillis, long longestPauseMillis, long cpuMillis) {
        public double jitShare() {
            return seconds == 0 ? 0 : jitMillis / 1000.0 / seconds;
        }

        /** The process's CPU time per item of the phase, in µs (-1 when unknown): a fairer reading than rates on a shared machine. */
        public double cpuMicrosPer(long items) {
            return cpuMillis < 0 || items <= 0 ? -1 : cpuMillis * 1000.0 / items;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.1f s: process CPU %,d ms, of it the JIT compiler threads' %,d ms; %d GC pauses, %,d ms in all, longest %,d ms",
                    seconds, cpuMillis, jitMillis, gcPauses, gcPauseMillis, longestPauseMillis);
        }
    }
}
