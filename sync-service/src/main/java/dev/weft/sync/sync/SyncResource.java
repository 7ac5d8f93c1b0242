package dev.weft.sync.sync;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Syncs (seed 000 "Syncs API"): what moves from which connection to which, mapped, filtered, and when. */
@Path("/v1/syncs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "syncs", description = "Syncs between connections: source, destination, mappings, filters, schedule; starting a run and a sync's run history")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class SyncResource {
    static final String SEED_EXAMPLE = """
            {"name":"SF Contacts to Snowflake","source":{"connection_id":"conn_01h455vb4pex5vsknk084sn02q","object":"Contact"},\
            "destination":{"connection_id":"conn_01h455vb4pex5vsknk084sn02r","table":"raw.contacts"},"schedule":"realtime",\
            "field_mappings":[{"source":"Email","destination":"email_address"},{"source":"FirstName","destination":"first_name"}]}""";
    static final String HOURLY_EXAMPLE = """
            {"name":"Leads to warehouse","source":{"connection_id":"conn_01h455vb4pex5vsknk084sn02q","object":"Lead","cursor_field":"LastModifiedDate"},\
            "destination":{"connection_id":"conn_01h455vb4pex5vsknk084sn02r","table":"leads","key":["email"],"mode":"upsert"},\
            "schedule":"0 * * * *","filters":["Status <> 'Closed'"],\
            "field_mappings":[{"source":"Email","destination":"email"},{"source":"Company","destination":"company"}]}""";

    private final SyncService syncs;
    private final dev.weft.sync.run.RunService runs;

    public SyncResource(SyncService syncs, dev.weft.sync.run.RunService runs) {
        this.syncs = syncs;
        this.runs = runs;
    }

    @POST
    @RequiresScope("syncs:write")
    @Operation(operationId = "createSync", summary = "Create a sync; objects and fields are checked against both connections' describe")
    @RequestBody(content = @Content(schema = @Schema(implementation = SyncDtos.SyncRequest.class), examples = {
            @ExampleObject(name = "SF Contacts to Snowflake (seed 000)", value = SEED_EXAMPLE),
            @ExampleObject(name = "hourly upsert with a filter", value = HOURLY_EXAMPLE)}))
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown connection, object or field, bad mode or key, invalid cron expression or filter (details.field names it)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:write")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: a connection could not be described")
    public Response create(@NotNull SyncDtos.SyncRequest request) {
        SyncDtos.SyncView created = syncs.create(request);
        if (SyncService.REALTIME.equals(created.schedule()) && created.enabled()) {
            // A realtime sync's first run copies what is already there; the change stream carries what comes after.
            runs.snapshot(created.id());
        }
        return Response.status(201).entity(created).build();
    }

    @GET
    @RequiresScope("syncs:read")
    @Operation(operationId = "listSyncs", summary = "List the org's syncs, newest first (cursor pagination)")
    @APIResponse(responseCode = "200", description = "A page of syncs")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:read")
    public Page<SyncDtos.SyncView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return syncs.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("syncs:read")
    @Operation(operationId = "getSync", summary = "Get a sync, with its next scheduled run")
    @APIResponse(responseCode = "200", description = "The sync")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public SyncDtos.SyncView get(@PathParam("id") String id) {
        return syncs.get(id);
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @RequiresScope("syncs:write")
    @Operation(operationId = "updateSync", summary = "Change a sync (JSON Merge Patch: given fields replace, null removes); checked again like a new one",
            description = "A realtime sync resumed (enabled again), or a sync switched to realtime, queues a catch-up run (trigger realtime): "
                    + "changes made while it was not followed are copied from the source. A change of source.connection_id, source.object "
                    + "or source.cursor_field drops the sync's cursor: the next run reads the source from the beginning.")
    @RequestBody(content = @Content(schema = @Schema(implementation = SyncDtos.SyncRequest.class), examples = {
            @ExampleObject(name = "pause", value = "{\"enabled\":false}"),
            @ExampleObject(name = "run daily at 02:30 Berlin time", value = "{\"schedule\":\"30 2 * * *\",\"timezone\":\"Europe/Berlin\"}")}))
    @APIResponse(responseCode = "200", description = "The updated sync")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: as for create")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: the source's connection, object or cursor field changes while a run is "
            + "queued or running (details.run_id names it)")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: a connection could not be described")
    public SyncDtos.SyncView update(@PathParam("id") String id, @NotNull JsonNode patch) {
        SyncDtos.SyncView before = syncs.get(id);
        SyncDtos.SyncView updated = syncs.update(id, patch);
        if (following(updated) && !following(before)) {
            // Changes are not followed while a sync is paused or on a clock: a catch-up run copies what they changed
            // (from the sync's cursor, where its source has one), and the changes from then on wait for it.
            runs.snapshot(id);
        }
        return updated;
    }

    private static boolean following(SyncDtos.SyncView sync) {
        return SyncService.REALTIME.equals(sync.schedule()) && sync.enabled();
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("syncs:write")
    @Operation(operationId = "deleteSync", summary = "Delete a sync, its schedule and its run history")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        syncs.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/run")
    @RequiresScope("syncs:write")
    @Operation(operationId = "runSync", summary = "Start a run now; it is queued and a worker runs it (poll GET /v1/runs/{id})",
            description = "No body (or {}) runs incrementally from the sync's cursor. {\"full_refresh\": true} reads the whole source from the start "
                    + "and then deletes from the destination the keys the run did not see, as a mirror run does; the sync's cursor afterwards is "
                    + "where that read ended.")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = dev.weft.sync.run.RunDtos.RunRequest.class),
            examples = {
            @ExampleObject(name = "full refresh: read everything, delete what the source no longer has", value = "{\"full_refresh\":true}"),
            @ExampleObject(name = "incremental (the same as no body)", value = "{}")}))
    @APIResponse(responseCode = "202", description = "The queued run")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: the body is not an object, has an unknown field or a full_refresh that is "
            + "not a boolean; or full_refresh on a sync without a key (insert) or whose destination cannot take deletes or has no primary key "
            + "(details.field full_refresh)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: a run of this sync is in progress (details.run_id names it), or the sync is disabled")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: for a full refresh, the destination could not be described")
    public Response run(@PathParam("id") String id, JsonNode body) {
        return Response.accepted(runs.trigger(id, dev.weft.sync.run.RunService.options(body))).build();
    }

    @GET
    @Path("/{id}/runs")
    @RequiresScope("syncs:read")
    @Operation(operationId = "listSyncRuns", summary = "A sync's runs, newest first (cursor pagination), with status and statistics")
    @APIResponse(responseCode = "200", description = "A page of runs")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Page<dev.weft.sync.run.RunDtos.RunView> runs(@PathParam("id") String id, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return runs.list(id, limit, cursor);
    }

}
