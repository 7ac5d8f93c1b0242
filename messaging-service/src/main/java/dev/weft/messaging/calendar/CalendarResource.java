package dev.weft.messaging.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;
import java.util.Set;

/** Calendar events (seed 002; also answered as /v1/integrations/calendar/..., see IntegrationPaths). */
@Path("/v1/calendar")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "calendar", description = "Calendar events, linked to CRM entities, two-way synced with Google Calendar and Microsoft Graph")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class CalendarResource {
    private static final String SEED_EXAMPLE = """
            {"title":"Client Meeting","start":"2026-07-01T14:00:00Z","end":"2026-07-01T15:00:00Z",\
            "description":"Quarterly review","attendees":["contact@company.com"]}""";

    private final CalendarService calendar;
    private final CalendarSync sync;

    public CalendarResource(CalendarService calendar, CalendarSync sync) {
        this.calendar = calendar;
        this.sync = sync;
    }

    @GET
    @Path("/events")
    @RequiresScope("calendar:read")
    @Operation(operationId = "listCalendarEvents", summary = "Events overlapping start..end (RFC 3339), in start order; page/limit (seed 002) or cursor")
    @APIResponse(responseCode = "200", description = "A page of events")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: start or end missing or not RFC 3339, end not after start, range too wide, bad page, limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:read")
    public Page<CalendarDtos.EventView> list(@Parameter(description = "RFC 3339 date-time or date, inclusive", example = "2026-07-01T00:00:00Z") @QueryParam("start") String start,
                                             @Parameter(description = "RFC 3339 date-time or date, exclusive", example = "2026-08-01T00:00:00Z") @QueryParam("end") String end,
                                             @Parameter(description = "page number from 1 (seed 002); or use cursor") @QueryParam("page") String page,
                                             @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return calendar.list(start, end, page, limit, cursor);
    }

    @POST
    @Path("/events")
    @RequiresScope("calendar:write")
    @Operation(operationId = "createCalendarEvent", summary = "Create an event; with connection_id it is written to that Google or Microsoft calendar by the sync worker")
    @RequestBody(content = @Content(schema = @Schema(implementation = CalendarDtos.EventRequest.class), examples = {
            @ExampleObject(name = "seed 002", value = SEED_EXAMPLE),
            @ExampleObject(name = "on a calendar, linked to a deal", value = "{\"title\":\"Demo\",\"start\":\"2026-07-02T09:00:00+02:00\",\"end\":\"2026-07-02T10:00:00+02:00\","
                    + "\"connection_id\":\"conn_01jd7x5y8z1a4b7c0d3e6f9g2h\",\"location\":\"Room 4\",\"entityType\":\"deal\",\"entityId\":42}")}))
    @APIResponse(responseCode = "201", description = "The event", content = @Content(schema = @Schema(implementation = CalendarDtos.EventView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a field missing, of the wrong type or too long; a time not RFC 3339; end not after start; an attendee not an email; not a calendar connection")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:write")
    public Response create(@NotNull JsonNode body) {
        return Response.status(201).entity(calendar.create(body)).build();
    }

    @GET
    @Path("/events/{id}")
    @RequiresScope("calendar:read")
    @Operation(operationId = "getCalendarEvent", summary = "Get an event")
    @APIResponse(responseCode = "200", description = "The event", content = @Content(schema = @Schema(implementation = CalendarDtos.EventView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public CalendarDtos.EventView get(@PathParam("id") String id) {
        return calendar.get(id);
    }

    @PATCH
    @Path("/events/{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @RequiresScope("calendar:write")
    @Operation(operationId = "updateCalendarEvent", summary = "Change an event (any subset of the fields; null clears); written to the provider with If-Match")
    @RequestBody(content = @Content(schema = @Schema(implementation = CalendarDtos.EventRequest.class), examples =
            @ExampleObject(name = "move", value = "{\"start\":\"2026-07-01T15:00:00Z\",\"end\":\"2026-07-01T16:00:00Z\"}")))
    @APIResponse(responseCode = "200", description = "The event", content = @Content(schema = @Schema(implementation = CalendarDtos.EventView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: as for create; connection_id cannot change")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public CalendarDtos.EventView update(@PathParam("id") String id, @NotNull JsonNode body) {
        return calendar.update(id, body);
    }

    @DELETE
    @Path("/events/{id}")
    @RequiresScope("calendar:write")
    @Operation(operationId = "deleteCalendarEvent", summary = "Delete an event (and, by the sync worker, at the provider)")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        calendar.delete(id);
        return Response.noContent().build();
    }

    @GET
    @Path("/events/entity/{entity_type}/{entity_id}")
    @RequiresScope("calendar:read")
    @Operation(operationId = "listCalendarEventsForEntity", summary = "Events linked to a CRM entity, in start order")
    @APIResponse(responseCode = "200", description = "A page of events")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: malformed entity_type or entity_id, bad page, limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:read")
    public Page<CalendarDtos.EventView> forEntity(@PathParam("entity_type") String entityType, @PathParam("entity_id") String entityId,
                                                  @QueryParam("page") String page, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return calendar.forEntity(EntityRef.of(entityType, entityId), page, limit, cursor);
    }

    @POST
    @Path("/sync")
    @RequiresScope("calendar:write")
    @Operation(operationId = "syncCalendars", summary = "Sync the org's Google and Microsoft calendars now (or the connection named): local changes out, provider changes in")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = CalendarDtos.SyncRequest.class), examples =
            @ExampleObject(name = "one connection", value = "{\"connection_id\":\"conn_01jd7x5y8z1a4b7c0d3e6f9g2h\"}")))
    @APIResponse(responseCode = "200", description = "Per calendar: synced, partial, failed, disconnected or in_progress, with counts")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: connection_id is not one of the org's calendar connections")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs calendar:write")
    public CalendarDtos.SyncResult sync(JsonNode body) {
        String connectionId = null;
        if (body != null && !body.isNull() && !body.isMissingNode()) {
            Map<String, JsonNode> fields = Json.fields(body, Set.of("connection_id"));
            connectionId = Json.text(fields, "connection_id", 64);
        }
        return sync.syncNow(connectionId);
    }
}
