package dev.weft.bench.changes;

import dev.weft.testing.bench.MachineCpu;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a phase's CPU went: this JVM's threads grouped by what they do, one PostgreSQL process (the walsender decoding
 * the slot), and the whole machine (two cores shared with whatever else runs), from a snapshot before and after.
 */
final class CpuAccount {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, String> names = new TreeMap<>();
    private final long wallStart = System.nanoTime();
    private final Map<Long, Long> threadStart = threadTimes();
    private final MachineCpu machineStart = MachineCpu.snapshot();
    private final long jvmStart = jvmCpu();
    private final int walsender;
    private final long walsenderStart;

    CpuAccount(int walsenderPid) {
        walsender = walsenderPid;
        walsenderStart = walsenderPid <= 0 ? 0 : MachineCpu.processTicks(walsenderPid);
    }

    /** The phase's CPU, in seconds, by group; reads the "after" snapshot now. */
    Map<String, Double> finish() {
        long wall = System.nanoTime() - wallStart;
        Map<Long, Long> threadEnd = threadTimes();
        MachineCpu.Delta machine = machineStart.since();
        Map<String, Double> groups = new LinkedHashMap<>();
        for (String group : List.of("Debezium connector: reading and decoding the slot", "Debezium engine → Weft: convert, serialise, commit events + offsets",
                "outbox relay → Kafka producer", "Kafka broker (in-process)", "bench consumer", "other Java threads")) {
            groups.put(group, 0.0);
        }
        long threadsTotal = 0;
        Map<String, Double> byName = new TreeMap<>();
        for (Map.Entry<Long, Long> end : threadEnd.entrySet()) {
            long used = end.getValue() - threadStart.getOrDefault(end.getKey(), 0L);
            threadsTotal += used;
            String name = names.getOrDefault(end.getKey(), "");
            groups.merge(group(name), used / 1e9, Double::sum);
            byName.merge(name.replaceAll("\\d+", "N"), used / 1e9, Double::sum);
        }
        // The busiest threads by name, in the log, for what the groups do not tell.
        StringBuilder busiest = new StringBuilder("bench cpu by thread:");
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(15)
                .forEach(e -> busiest.append(String.format(" [%s %.2f s]", e.getKey(), e.getValue())));
        System.out.println(busiest);
        long jvm = jvmCpu() - jvmStart;
        groups.put("JVM outside Java threads (GC, JIT compiler)", Math.max(0, jvm - threadsTotal) / 1e9);
        groups.put("source PostgreSQL walsender (logical decoding, pgoutput)",
                walsender <= 0 ? 0 : (MachineCpu.processTicks(walsender) - walsenderStart) * TICK_NANOS / 1e9);
        groups.put("all PostgreSQL processes of both servers (walsender included)", machine.postgresSeconds());
        double machineBusy = machine.busySeconds();
        double machineTotal = machine.capacitySeconds();
        groups.put("JVM total", jvm / 1e9);
        groups.put("machine busy (all processes)", machineBusy);
        groups.put("machine capacity (cores × wall)", machineTotal);
        groups.put("wall", wall / 1e9);
        return groups;
    }

    private static String group(String name) {
        if (name.contains("change-event-source-coordinator")) {
            return "Debezium connector: reading and decoding the slot";
        }
        if (name.startsWith("pool-") || name.startsWith("stream-")) {
            return "Debezium engine → Weft: convert, serialise, commit events + offsets";
        }
        if (name.startsWith("weft-outbox") || name.contains("weft-outbox")) {
            return "outbox relay → Kafka producer";
        }
        if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.startsWith("controller-") || name.contains("raft")
                || name.startsWith("broker-") || name.startsWith("ExpirationReaper") || name.startsWith("LogDirFailureHandler")) {
            return "Kafka broker (in-process)";
        }
        if (name.startsWith("bench-consumer")) {
            return "bench consumer";
        }
        return "other Java threads";
    }

    private Map<Long, Long> threadTimes() {
        Map<Long, Long> times = new TreeMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (cpu >= 0 && infos[i] != null) {
                times.put(ids[i], cpu);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        return times;
    }

    private static long jvmCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
