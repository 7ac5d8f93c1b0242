package dev.weft.sync.sync;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** Bodies of /v1/syncs (seed 000 "Syncs API"). */
public final class SyncDtos {
    private SyncDtos() {
    }

    /** {@code cursor_field}: the field runs read changes by, describe's cursor_field by default or another of its cursor_fields. */
    public record Source(String connectionId, String object, List<String> fields, String filter, String cursorField) {

        /** Whether a cursor of reads of this source is a position in {@code other}'s too: same connection, object and cursor field. */
        public boolean readsAs(Source other) {
            return connectionId.equals(other.connectionId) && object.equals(other.object) && java.util.Objects.equals(cursorField, other.cursorField);
        }
    }

    /** {@code table} (seed 000) and {@code object} are two names for the same thing; {@code mode} insert | upsert | mirror. */
    public record Destination(String connectionId, String table, String object, List<String> key, String mode) {
        public String target() {
            return table != null ? table : object;
        }
    }

    /** {@code transform}: a JSONata expression over the source record whose value becomes this field. */
    public record FieldMapping(String source, String destination, String transform) {
    }

    /** Create (and, merged with a PATCH, update) request. */
    public record SyncRequest(String name, Source source, Destination destination, String schedule, String timezone,
                              List<FieldMapping> fieldMappings, List<String> filters, String transformId, Boolean enabled) {
    }

    public record SyncView(String id, String name, Source source, Destination destination, String schedule, String timezone,
                           Instant nextRunAt, List<FieldMapping> fieldMappings, List<String> filters, String transformId, boolean enabled,
                           String disabledReason, Realtime realtime, Instant createdAt, Instant updatedAt) {
    }

    /**
     * A realtime sync's changes since it was created (its first run, a snapshot, counts in {@code /runs}): {@code written}
     * (created or updated at the destination), {@code deleted}, {@code skipped} (filtered out, skipped by the transform, a
     * delete without the destination key, overtaken by a later change of the record while a run copied), {@code failed};
     * {@code pending}, changes waiting for a run to end; {@code lagMs}, how long after it happened at the source the last
     * change was applied; when the last change was applied and the last one failed, and the latest 100 errors, newest first.
     */
    @Schema(description = "A realtime sync's changes since it was created: counts, changes waiting for a run to end, the last change's lag, "
            + "when the last was applied and failed, the latest 100 errors")
    public record Realtime(long written, long deleted, long skipped, long failed, long pending,
                           @Schema(description = "Milliseconds from the last change's commit at the source (its capture, where the source does not say) to its application")
                           Long lagMs,
                           Instant lastChangeAt, Instant lastErrorAt, List<RealtimeError> errors) {
    }

    /** {@code key}: the source record's key values (joined with {@code |} when several). */
    public record RealtimeError(String key, String reason, Instant at) {
    }
}
