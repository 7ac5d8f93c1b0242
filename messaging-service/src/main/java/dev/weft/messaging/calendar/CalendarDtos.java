package dev.weft.messaging.calendar;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** What the calendar API answers. */
public final class CalendarDtos {
    private CalendarDtos() {
    }

    /**
     * An event. {@code sync_state}: {@code local} (no connection), {@code pending} (a local change the sync worker
     * has yet to write to the provider), {@code synced}. {@code conflict}: the last local change the provider's
     * version won over (docs/engagement.md), with when.
     */
    public record EventView(String id, String orgId, String connectionId, String provider, String providerEventId, String title, String description,
                            String location, Instant start, Instant end, boolean allDay, String status, String organizer,
                            List<String> attendees, String etag, String entityType, Object entityId, String syncState, Conflict conflict,
                            Instant createdAt, Instant updatedAt) {
    }

    /** The body of POST and PATCH (documentation; read field by field, camelCase accepted). */
    public record EventRequest(String title, String start, String end, String description, List<String> attendees, String connectionId,
                               String location, Boolean allDay, String entityType, Object entityId) {
    }

    /** The body of POST /v1/calendar/sync (optional). */
    @Schema(name = "CalendarSyncRequest")
    public record SyncRequest(String connectionId) {
    }

    public record Conflict(Instant detectedAt, String rule, Object discardedLocalChange) {
    }

    /** The outcome of syncing one calendar account. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountSync(String connectionId, String provider, String status, int pushed, int created, int updated, int deleted,
                              int conflicts, boolean fullResync, String error) {
    }

    public record SyncResult(List<AccountSync> data) {
    }
}
