package dev.weft.connections.data;

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
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Data operations (seed 000 "Data Operations API"): read and write a connected system directly. */
@Path("/v1/data/{connection_id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "data", description = "Query and write records of a connected system through its connector")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class DataResource {
    private final DataService data;

    public DataResource(DataService data) {
        this.data = data;
    }

    @GET
    @Path("/objects")
    @RequiresScope("connections:read")
    @Operation(operationId = "listDataObjects", summary = "The connection's objects and their fields, as the connector describes them")
    @APIResponse(responseCode = "200", description = "The objects")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such connection in this org")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the system failed or refused the credentials")
    public DataDtos.ObjectList objects(@PathParam("connection_id") String connectionId) {
        return data.objects(connectionId);
    }

    @POST
    @Path("/query")
    @RequiresScope("connections:read")
    @Operation(operationId = "queryRecords", summary = "Query records: fields, a SQL-style filter (rendered per system, values always bound), limit and cursor")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "Salesforce accounts (seed 000)",
            value = "{\"object\":\"Account\",\"fields\":[\"Id\",\"Name\",\"Industry\",\"AnnualRevenue\"],"
                    + "\"filter\":\"Industry = 'Technology' AND AnnualRevenue > 1000000\",\"limit\":100}")))
    @APIResponse(responseCode = "200", description = "{data: [records], pagination: {next_cursor, has_more}}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown object or field, filter not a valid condition, bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such connection in this org")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the system's own error message")
    public DataDtos.RecordsResponse query(@PathParam("connection_id") String connectionId, @Valid @NotNull DataDtos.QueryRequest request) {
        return data.query(connectionId, request);
    }

    @POST
    @Path("/write")
    @RequiresScope("connections:write")
    @Operation(operationId = "writeRecords", summary = "Write records: insert, update, upsert (by key) or delete; one result per record")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "upsert contacts",
            value = "{\"object\":\"contacts\",\"mode\":\"upsert\",\"key\":[\"email\"],\"records\":[{\"email\":\"ada@example.com\",\"first_name\":\"Ada\"}]}")))
    @APIResponse(responseCode = "200", description = "{object, mode, summary: {total, succeeded, failed}, results: [{index, success, id, error}]}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown object or field, no key for update/upsert/delete, too many records")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such connection in this org")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the system's own error message")
    public DataDtos.WriteResponse write(@PathParam("connection_id") String connectionId, @Valid @NotNull DataDtos.WriteRequest request) {
        return data.write(connectionId, request);
    }
}
