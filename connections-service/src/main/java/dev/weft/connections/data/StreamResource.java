package dev.weft.connections.data;

import dev.weft.platform.services.SmileWire;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Internal streaming endpoints for sync-service: an incremental read of the next batch after a
 * cursor and a batch write, thousands of records per call, and the objects a sync is checked against. Same
 * authentication and org scoping as the public API, plus the internal credential another service sends when it acts
 * for an org with no user present (platform InternalCredentialVerifier); the router does not expose {@code /internal}.
 */
@Path("/internal/v1/connections/{connection_id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "internal", description = "Service-to-service calls; not for API clients")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class StreamResource {
    private final DataService data;
    private final dev.weft.connections.capture.StreamService streams;

    public StreamResource(DataService data, dev.weft.connections.capture.StreamService streams) {
        this.data = data;
        this.streams = streams;
    }

    @POST
    @Path("/streams")
    @RequiresScope("connections:write")
    @Operation(operationId = "createStreamInternal", summary = "Start capturing an object's changes (as POST /v1/connections/{id}/streams), for a realtime sync")
    @APIResponse(responseCode = "201", description = "Created, starting")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown object or field, no primary key, or a provider without change capture")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "DUPLICATE: the connection already has a stream of this object (details.stream_id)")
    public jakarta.ws.rs.core.Response createStream(@PathParam("connection_id") String connectionId,
                                                    @Valid @NotNull dev.weft.connections.capture.StreamDtos.CreateStream request) {
        return jakarta.ws.rs.core.Response.status(201).entity(streams.create(connectionId, request)).build();
    }

    @GET
    @Path("/streams/{stream_id}")
    @RequiresScope("connections:read")
    @Operation(operationId = "getStreamInternal", summary = "A stream (as GET /v1/connections/{id}/streams/{stream_id}), for a realtime sync waiting for it to stream")
    @APIResponse(responseCode = "200", description = "The stream")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public dev.weft.connections.capture.StreamDtos.StreamView stream(@PathParam("connection_id") String connectionId, @PathParam("stream_id") String streamId) {
        return streams.get(connectionId, streamId);
    }

    @GET
    @Path("/objects")
    @RequiresScope("connections:read")
    @Operation(operationId = "describeObjectsInternal", summary = "The connection's objects and fields (as GET /v1/data/{connection_id}/objects), for a service acting for the org")
    @APIResponse(responseCode = "200", description = "The objects")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR")
    public DataDtos.ObjectList objects(@PathParam("connection_id") String connectionId) {
        return data.objects(connectionId);
    }

    @POST
    @Path("/read")
    @RequiresScope("connections:read")
    @Operation(operationId = "readRecordBatch", summary = "Next batch of records changed after cursor (oldest change first); next_cursor is the new high-water mark."
            + " In JSON or, asked for by Content-Type and Accept, Smile (binary JSON: decimals keep every digit)")
    @APIResponse(responseCode = "200", description = "{data, pagination: {next_cursor, has_more}}; with format rows, when the records share"
            + " their fields, {fields, rows: [[values in fields' order]], pagination}",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(oneOf = {DataDtos.RecordsResponse.class, DataDtos.RowsResponse.class})),
                    @Content(mediaType = SmileWire.MEDIA_TYPE, schema = @Schema(oneOf = {DataDtos.RecordsResponse.class, DataDtos.RowsResponse.class}))})
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR")
    @Consumes({MediaType.APPLICATION_JSON, SmileWire.MEDIA_TYPE})
    @Produces({MediaType.APPLICATION_JSON, SmileWire.MEDIA_TYPE})
    public Object read(@PathParam("connection_id") String connectionId, @Valid @NotNull DataDtos.ReadRequest request) {
        return data.readBatch(connectionId, request);
    }

    @POST
    @Path("/write")
    @RequiresScope("connections:write")
    @Operation(operationId = "writeRecordBatch", summary = "Write a batch of records: the public write's body, or the row form"
            + " (fields once, rows of values); answer failures lists only the refused records")
    @APIResponse(responseCode = "200", description = "Per-record results, or with answer failures the summary and the refused records",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(oneOf = {DataDtos.WriteResponse.class, DataDtos.FailuresResponse.class})),
                    @Content(mediaType = SmileWire.MEDIA_TYPE, schema = @Schema(oneOf = {DataDtos.WriteResponse.class, DataDtos.FailuresResponse.class}))})
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR")
    @Consumes({MediaType.APPLICATION_JSON, SmileWire.MEDIA_TYPE})
    @Produces({MediaType.APPLICATION_JSON, SmileWire.MEDIA_TYPE})
    public Object write(@PathParam("connection_id") String connectionId, @Valid @NotNull DataDtos.BatchWriteRequest request) {
        return data.writeBatch(connectionId, request);
    }

    @POST
    @Path("/objects/ensure")
    @RequiresScope("connections:write")
    @Operation(operationId = "ensureObject", summary = "Create the destination table a sync writes to when missing (typed from the source's fields,"
            + " primary key from the sync's key); 201 with the described object when created, 200 when it existed (left unchanged)")
    @APIResponse(responseCode = "200", description = "The object existed: as described")
    @APIResponse(responseCode = "201", description = "The object was created: as described now")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad name, field or type; the connector cannot create objects")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR")
    public jakarta.ws.rs.core.Response ensureObject(@PathParam("connection_id") String connectionId,
                                                   @Valid @NotNull DataDtos.EnsureObjectRequest request) {
        DataService.Ensured ensured = data.ensureObject(connectionId, request);
        return jakarta.ws.rs.core.Response.status(ensured.created() ? 201 : 200).entity(ensured.object()).build();
    }

    @POST
    @Path("/count")
    @RequiresScope("connections:read")
    @Operation(operationId = "countRecords", summary = "How many records match filter (and have cursor_field after cursor), or are left for the reads"
            + " after a read's next_cursor (after), for a run's percent and ETA; count is null when the system cannot count")
    @APIResponse(responseCode = "200", description = "{count}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR")
    public DataDtos.CountResponse count(@PathParam("connection_id") String connectionId, @Valid @NotNull DataDtos.CountRequest request) {
        return data.count(connectionId, request);
    }
}
