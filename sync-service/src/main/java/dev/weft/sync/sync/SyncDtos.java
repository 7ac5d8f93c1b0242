package dev.weft.sync.sync;

import java.time.Instant;
import java.util.List;

/** Bodies of /v1/syncs (seed 000 "Syncs API"). */
public final class SyncDtos {
    private SyncDtos() {
    }

    /** {@code cursor_field} must be the field the source reads incrementally by (describe's cursor_field); it is shown for clarity. */
    public record Source(String connectionId, String object, List<String> fields, String filter, String cursorField) {
    }

    /** {@code table} (seed 000) and {@code object} are two names for the same thing; {@code mode} insert | upsert | mirror. */
    public record Destination(String connectionId, String table, String object, List<String> key, String mode) {
        public String target() {
            return table != null ? table : object;
        }
    }

    /** {@code transform}: a per-field transform, kept as given until transforms are wired in. */
    public record FieldMapping(String source, String destination, String transform) {
    }

    /** Create (and, merged with a PATCH, update) request. */
    public record SyncRequest(String name, Source source, Destination destination, String schedule, String timezone,
                              List<FieldMapping> fieldMappings, List<String> filters, String transformId, Boolean enabled) {
    }

    public record SyncView(String id, String name, Source source, Destination destination, String schedule, String timezone,
                           Instant nextRunAt, List<FieldMapping> fieldMappings, List<String> filters, String transformId, boolean enabled,
                           String disabledReason, Instant createdAt, Instant updatedAt) {
    }
}
