package dev.weft.connections.capture;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Change streams of a connection: each follows one object and publishes its changes as record.* events. */
@Path("/v1/connections/{id}/streams")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "streams", description = "Change capture: every change of a connected object as a record.created, record.updated or record.deleted event")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
@APIResponse(responseCode = "404", description = "NOT_FOUND: no such connection (or stream) in this org")
public class StreamsResource {
    private final StreamService streams;

    public StreamsResource(StreamService streams) {
        this.streams = streams;
    }

    @POST
    @RequiresScope("connections:write")
    @Operation(operationId = "createStream", summary = "Start capturing the changes of one object: the database's log for PostgreSQL and MySQL/MariaDB, "
            + "polling by modification time for Salesforce, HubSpot and HTTP connections")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "new leads of a table",
            value = "{\"object\":\"public.leads\",\"fields\":[\"id\",\"email\",\"status\"],\"filter\":\"status = 'new'\"}")))
    @APIResponse(responseCode = "201", description = "Created, starting")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown object or field, a filter that does not parse, an object without a "
            + "primary key, or a provider without change capture")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "409", description = "DUPLICATE: the connection already has a stream of this object (details.stream_id)")
    public Response create(@PathParam("id") String id, @Valid @NotNull StreamDtos.CreateStream request) {
        return Response.status(201).entity(streams.create(id, request)).build();
    }

    @GET
    @RequiresScope("connections:read")
    @Operation(operationId = "listStreams", summary = "The connection's streams, newest first")
    @APIResponse(responseCode = "200", description = "A page of streams")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    public Page<StreamDtos.StreamView> list(@PathParam("id") String id, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return streams.list(id, limit, cursor);
    }

    @GET
    @Path("/{stream_id}")
    @RequiresScope("connections:read")
    @Operation(operationId = "getStream", summary = "A stream: status (starting, snapshotting, streaming, paused, failed with its reason), position, "
            + "events published and lag")
    @APIResponse(responseCode = "200", description = "The stream")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    public StreamDtos.StreamView get(@PathParam("id") String id, @PathParam("stream_id") String streamId) {
        return streams.get(id, streamId);
    }

    @DELETE
    @Path("/{stream_id}")
    @RequiresScope("connections:write")
    @Operation(operationId = "deleteStream", summary = "Stop the stream and remove what it made in the source (a replication slot and publication)")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    public Response delete(@PathParam("id") String id, @PathParam("stream_id") String streamId) {
        streams.delete(id, streamId);
        return Response.noContent().build();
    }

    @POST
    @Path("/{stream_id}/pause")
    @RequiresScope("connections:write")
    @Operation(operationId = "pauseStream", summary = "Stop capturing; the stream keeps its position (a database keeps its log for the stream meanwhile)")
    @APIResponse(responseCode = "200", description = "The stream, paused")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    public StreamDtos.StreamView pause(@PathParam("id") String id, @PathParam("stream_id") String streamId) {
        return streams.pause(id, streamId);
    }

    @POST
    @Path("/{stream_id}/resume")
    @RequiresScope("connections:write")
    @Operation(operationId = "resumeStream", summary = "Run a paused or failed stream again from where it stopped")
    @APIResponse(responseCode = "200", description = "The stream, starting")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    public StreamDtos.StreamView resume(@PathParam("id") String id, @PathParam("stream_id") String streamId) {
        return streams.resume(id, streamId);
    }
}
