package dev.weft.platform.transform;

import java.time.Duration;

/**
 * What one record's transformation may cost. Each limit stops the record with a {@link TransformException} of kind
 * {@link TransformException.Kind#LIMIT}; the run goes on with the next record.
 *
 * @param statementLimit   JavaScript statements executed per record (GraalVM's ResourceLimits), JSONata evaluation steps
 * @param timeout          CPU time per record (the evaluating thread's), enforced by a watchdog that cancels the JavaScript
 *                         context; a record also stops at {@link #WALL_CLOCK_FACTOR} times it in wall-clock time
 * @param allocationBudget bytes the evaluating thread may allocate per record (measured with the JVM's per-thread
 *                         allocation counter every {@link #WATCH_INTERVAL}; see docs/transforms.md for what it bounds)
 * @param maxStringLength  longest JavaScript string, in UTF-16 units (one string is allocated at once, before any watch)
 * @param maxDepth         deepest JSONata recursion (stack frames of the evaluator)
 */
public record TransformLimits(long statementLimit, Duration timeout, long allocationBudget, int maxStringLength, int maxDepth) {
    /** How often the watchdog looks at running JavaScript records. */
    public static final Duration WATCH_INTERVAL = Duration.ofMillis(10);

    /** How much longer than its CPU-time limit a record may take by the wall clock (waiting for a core included). */
    public static final int WALL_CLOCK_FACTOR = 10;

    public TransformLimits {
        if (statementLimit <= 0 || timeout == null || timeout.isNegative() || timeout.isZero() || allocationBudget <= 0
                || maxStringLength <= 0 || maxDepth <= 0) {
            throw new IllegalArgumentException("every transform limit must be positive");
        }
    }

    /** 1,000,000 statements, 1 s of CPU, 64 MiB allocated, 8 Mi-character strings, depth 500 per record. */
    public static TransformLimits defaults() {
        return new TransformLimits(1_000_000, Duration.ofSeconds(1), 64L << 20, 8 << 20, 500);
    }

    public TransformLimits withStatementLimit(long statements) {
        return new TransformLimits(statements, timeout, allocationBudget, maxStringLength, maxDepth);
    }

    public TransformLimits withTimeout(Duration perRecord) {
        return new TransformLimits(statementLimit, perRecord, allocationBudget, maxStringLength, maxDepth);
    }

    public TransformLimits withAllocationBudget(long bytes) {
        return new TransformLimits(statementLimit, timeout, bytes, maxStringLength, maxDepth);
    }
}
