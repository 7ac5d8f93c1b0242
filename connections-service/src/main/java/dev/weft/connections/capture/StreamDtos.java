package dev.weft.connections.capture;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of /v1/connections/{id}/streams. */
public final class StreamDtos {
    private StreamDtos() {
    }

    /**
     * @param object       the object to follow, as the data API names it (`leads`, `public.leads`, `raw.contacts`, `Contact`)
     * @param fields       the fields events carry (default all; the key's fields always)
     * @param filter       only changes whose record matches, in the data API's filter grammar
     * @param snapshot     publish the rows already there as record.created before streaming (default false: changes from now on)
     * @param pollInterval polling sources only: seconds between looks for changes (default 30, at least 5)
     */
    public record CreateStream(@NotBlank @Size(max = 300) String object, @Size(max = 500) List<@NotBlank String> fields,
                               @Size(max = 4096) String filter, Boolean snapshot, @Min(1) @Max(86_400) Integer pollInterval) {
    }

    public record StreamView(String id, String connectionId, String object, List<String> fields, String filter, String kind, String status,
                             String statusReason, boolean snapshot, Integer pollInterval, String position, long eventsPublished,
                             Instant lastEventAt, Double lagSeconds, Instant createdAt, Instant updatedAt) {
    }
}
