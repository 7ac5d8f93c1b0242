package dev.weft.testing.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole machine's CPU and PostgreSQL's, from /proc, between two snapshots: what a benchmark's JVM figures leave
 * out (the database's backends, the kernel's share, anything else running). Linux only; zeros elsewhere.
 */
public final class MachineCpu {
    /** USER_HZ: /proc counts CPU time in ticks of 10 ms. */
    private static final double TICK_SECONDS = 0.01;

    private final long busy;
    private final long total;
    private final Map<Integer, Long> postgres;

    private MachineCpu(long busy, long total, Map<Integer, Long> postgres) {
        this.busy = busy;
        this.total = total;
        this.postgres = postgres;
    }

    public static MachineCpu snapshot() {
        long[] machine = machine();
        return new MachineCpu(machine[0], machine[1], postgresTicks());
    }

    /** CPU seconds from {@code start} to now. */
    public record Delta(double busySeconds, double capacitySeconds, double postgresSeconds) {
    }

    public Delta since() {
        MachineCpu end = snapshot();
        long pg = 0;
        for (Map.Entry<Integer, Long> process : end.postgres.entrySet()) {
            // A backend started during the phase counts whole; one that ended during it is lost (rare: pooled connections).
            pg += process.getValue() - postgres.getOrDefault(process.getKey(), 0L);
        }
        return new Delta((end.busy - busy) * TICK_SECONDS, (end.total - total) * TICK_SECONDS, pg * TICK_SECONDS);
    }

    /** Busy and total ticks of all cores (idle and iowait are not busy). */
    private static long[] machine() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(cpu.length, 9); i++) {
                total += Long.parseLong(cpu[i]);
            }
            return new long[]{total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]), total};
        } catch (IOException | RuntimeException e) {
            return new long[]{0, 0};
        }
    }

    /** utime + stime of one process, in ticks; 0 when it is gone. */
    public static long processTicks(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Every process named postgres on the machine (all servers' backends), by pid. */
    private static Map<Integer, Long> postgresTicks() {
        Map<Integer, Long> ticks = new HashMap<>();
        File[] processes = new File("/proc").listFiles((dir, name) -> !name.isEmpty() && name.chars().allMatch(Character::isDigit));
        if (processes == null) {
            return ticks;
        }
        for (File process : processes) {
            try {
                if (Files.readString(process.toPath().resolve("stat")).contains("(postgres)")) {
                    int pid = Integer.parseInt(process.getName());
                    ticks.put(pid, processTicks(pid));
                }
            } catch (IOException | RuntimeException gone) {
                // ended meanwhile
            }
        }
        return ticks;
    }
}
