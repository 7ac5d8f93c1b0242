package dev.weft.testing.bench;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Warm-up of a benchmark's phase until the JIT compilers are quiet: the path and the limit it is compared with are each
 * measured compiled, as a long-running service runs. With one fixed warm-up round, C2 kept compiling through the
 * measured phase and took a fifth of the two cores from it (bench/webhooks).
 */
public final class WarmUp {
    /** A round counts as steady once compilation took less than this share of its wall-clock time. */
    public static final double QUIET_JIT_SHARE = 0.05;

    /** One warm-up round of a phase. */
    @FunctionalInterface
    public interface Round {
        void run() throws Exception;
    }

    private WarmUp() {
    }

    /** Runs {@code round} until a round's compiler CPU falls under {@link #QUIET_JIT_SHARE} of it, at most {@code maxRounds}; says how it went. */
    public static String untilQuiet(int maxRounds, Round round) throws Exception {
        int rounds = 0;
        JvmActivity.Delta last;
        do {
            JvmActivity start = JvmActivity.start();
            round.run();
            last = start.sinceStart();
            rounds++;
        } while (rounds < maxRounds && last.jitShare() >= QUIET_JIT_SHARE);
        return String.format(Locale.ROOT, "%d rounds, the JIT compilers' CPU %,d ms in the last (%.1f s)%s", rounds, last.jitMillis(), last.seconds(),
                last.jitShare() >= QUIET_JIT_SHARE ? ", still compiling after the last round allowed" : "");
    }

    /**
     * Runs {@code round} until the compilers' CPU over the last {@code window} of rounds falls under
     * {@link #QUIET_JIT_SHARE} of that window, or until {@code max} has passed; says how it went. For short rounds: one
     * quiet round of half a second said little, as C2 compiles in bursts. Code run once per batch (per statement, per
     * commit) reaches C2's thresholds only after minutes; a phase measured before then carries its compilation.
     */
    public static String untilQuietOver(Duration window, Duration max, Round round) throws Exception {
        double windowSeconds = window.toMillis() / 1000.0;
        // The last rounds that together cover the window (the oldest of them dropped once the others alone do).
        Deque<JvmActivity.Delta> recent = new ArrayDeque<>();
        long started = System.nanoTime();
        int rounds = 0;
        boolean quiet;
        do {
            JvmActivity start = JvmActivity.start();
            round.run();
            recent.addLast(start.sinceStart());
            rounds++;
            while (recent.size() > 1 && seconds(recent) - recent.peekFirst().seconds() >= windowSeconds) {
                recent.removeFirst();
            }
            quiet = seconds(recent) >= windowSeconds && jitMillis(recent) < QUIET_JIT_SHARE * seconds(recent) * 1000;
        } while (!quiet && System.nanoTime() - started < max.toNanos());
        return String.format(Locale.ROOT, "%d rounds in %.0f s, the JIT compilers' CPU %,d ms in the last %.1f s%s", rounds,
                (System.nanoTime() - started) / 1e9, jitMillis(recent), seconds(recent),
                quiet ? "" : ", still compiling when the warm-up's time ran out");
    }

    private static double seconds(Deque<JvmActivity.Delta> deltas) {
        return deltas.stream().mapToDouble(JvmActivity.Delta::seconds).sum();
    }

    private static long jitMillis(Deque<JvmActivity.Delta> deltas) {
        return deltas.stream().mapToLong(JvmActivity.Delta::jitMillis).sum();
    }
}
