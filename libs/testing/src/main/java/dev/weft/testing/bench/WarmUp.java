package dev.weft.testing.bench;

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
}
