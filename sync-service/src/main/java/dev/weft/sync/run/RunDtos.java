package dev.weft.sync.run;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** Bodies of the run endpoints. */
public final class RunDtos {
    private RunDtos() {
    }

    /** {@code percent} and {@code eta} only when the source can count what the run reads (left out otherwise). */
    public record Progress(long read, long written, long created, long updated, long deleted, long skipped, long failed, Integer percent,
                           Instant eta) {
    }

    public record Timings(Instant queuedAt, Instant startedAt, Instant finishedAt, Long durationMs) {
    }

    /** A record the run could not move: its key (source primary key, else destination key, else position) and why. */
    public record RecordError(String key, String reason) {
    }

    /**
     * {@code POST /v1/syncs/{id}/run}'s optional body. Read strictly by {@link RunService#options} (a boolean must be one,
     * not "true" or 1); this record gives the API description its schema.
     */
    @Schema(name = "RunRequest", description = "Optional; no body or {} starts an ordinary run")
    public record RunRequest(
            @Schema(description = "Read the whole source from the start instead of from the sync's cursor and delete from the destination the keys "
                    + "the run did not see, as a mirror does. Needs a sync with a key (upsert, mirror) and a destination that takes deletes and has a "
                    + "primary key. The sync's cursor afterwards is where the full read ended.", defaultValue = "false")
            boolean fullRefresh) {
        public static final RunRequest NONE = new RunRequest(false);
    }

    /** {@code full_refresh}: the run reads the whole source and deletes what it did not see (asked for, or a mirror's run). */
    public record RunView(String id, String syncId, String status, String trigger, boolean fullRefresh, Progress progress, Timings timings,
                          int batches, List<RecordError> errors, String error, boolean cancelRequested, Instant createdAt) {
    }
}
