package dev.weft.sync.run;

import java.time.Instant;
import java.util.List;

/** Bodies of the run endpoints. */
public final class RunDtos {
    private RunDtos() {
    }

    /** {@code percent} and {@code eta} only when the source can count its records (none of today's connectors say so: left out). */
    public record Progress(long read, long written, long created, long updated, long deleted, long skipped, long failed, Integer percent,
                           Instant eta) {
    }

    public record Timings(Instant queuedAt, Instant startedAt, Instant finishedAt, Long durationMs) {
    }

    /** A record the run could not move: its key (source primary key, else destination key, else position) and why. */
    public record RecordError(String key, String reason) {
    }

    public record RunView(String id, String syncId, String status, String trigger, Progress progress, Timings timings, int batches,
                          List<RecordError> errors, String error, boolean cancelRequested, Instant createdAt) {
    }
}
