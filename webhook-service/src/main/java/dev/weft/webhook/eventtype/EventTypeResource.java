package dev.weft.webhook.eventtype;

import dev.weft.platform.tenancy.RequiresScope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The event-type catalog. */
@Path("/v1/event-types")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "event-types", description = "The event types an endpoint can subscribe to, each with its JSON Schema")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class EventTypeResource {
    private final EventTypeCatalog catalog;

    public EventTypeResource(EventTypeCatalog catalog) {
        this.catalog = catalog;
    }

    public record EventTypeList(List<EventTypeCatalog.EventType> data) {
    }

    @GET
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "listEventTypes", summary = "Every event type an endpoint can subscribe to, with the JSON Schema of its data")
    @APIResponse(responseCode = "200", description = "The catalog")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs webhooks:manage")
    public EventTypeList list() {
        return new EventTypeList(catalog.all());
    }
}
