package dev.weft.connections.connector;

/** The outcome of {@link Connector#check}: how the system answered and how long it took. */
public record CheckResult(Outcome outcome, String message, long latencyMillis) {
    public enum Outcome {
        /** Answered correctly. */
        OK,
        /** Answered, but not fully (throttled, partially unavailable, slow). */
        DEGRADED,
        /** Did not answer, or refused the credentials as invalid. */
        FAILED,
        /** OAuth grant expired or revoked: only a new authorization fixes it. */
        AUTH_EXPIRED
    }

    public static CheckResult ok(long latencyMillis) {
        return new CheckResult(Outcome.OK, "ok", latencyMillis);
    }

    /** Runs a probe and classifies what it throws. */
    public static CheckResult probe(Runnable probe) {
        long started = System.nanoTime();
        try {
            probe.run();
            return ok(elapsed(started));
        } catch (ConnectorException e) {
            Outcome outcome = switch (e.kind()) {
                case AUTH -> e.isGrantExpired() ? Outcome.AUTH_EXPIRED : Outcome.FAILED;
                case UPSTREAM -> e.upstreamStatus() == 429 || e.upstreamStatus() == 503 ? Outcome.DEGRADED : Outcome.FAILED;
                default -> Outcome.FAILED;
            };
            return new CheckResult(outcome, e.getMessage(), elapsed(started));
        } catch (RuntimeException e) {
            return new CheckResult(Outcome.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage(), elapsed(started));
        }
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
