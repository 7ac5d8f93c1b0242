package dev.weft.connections.connection;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

/**
 * Connections (seed 000 "Connections API"). Their status and refresh (seed 002) are answered by
 * {@code health/ConnectionHealthResource} and {@code oauth/ConnectionRefreshResource}.
 */
@Path("/v1/connections")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "connections", description = "Connections to external systems, their encrypted credentials and health")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ConnectionResource {
    private static final String SEED_EXAMPLE = """
            {"provider":"salesforce","name":"Production Salesforce","config":{"sandbox":false,"api_version":"v58.0"},\
            "credentials":{"oauth_flow":"jwt_bearer","consumer_key":"3MVG9...","private_key_id":"key_abc123"}}""";

    private final ConnectionService connections;
    private final CurrentPrincipal principal;

    public ConnectionResource(ConnectionService connections, CurrentPrincipal principal) {
        this.connections = connections;
        this.principal = principal;
    }

    @POST
    @RequiresScope("connections:write")
    @Operation(operationId = "createConnection", summary = "Create a connection; config and credentials are checked against the provider's schemas (GET /v1/providers)")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "Salesforce (seed 000)", value = SEED_EXAMPLE)))
    @APIResponse(responseCode = "201", description = "Created; credentials are sealed and only their field names come back")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown provider, or config/credentials not valid for it (details.field names the field)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    public Response create(@Valid @NotNull ConnectionDtos.CreateConnection request) {
        return Response.status(201).entity(connections.create(request, principal.get())).build();
    }

    @GET
    @RequiresScope("connections:read")
    @Operation(operationId = "listConnections", summary = "List the org's connections, newest first (cursor pagination), optionally of one provider")
    @APIResponse(responseCode = "200", description = "A page of connections")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    public Page<ConnectionDtos.ConnectionView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
                                                   @QueryParam("provider") String provider) {
        return connections.list(limit, cursor, provider);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("connections:read")
    @Operation(operationId = "getConnection", summary = "Get a connection")
    @APIResponse(responseCode = "200", description = "The connection (credential field names only)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ConnectionDtos.ConnectionView get(@PathParam("id") String id) {
        return connections.get(id);
    }

    @PUT
    @Path("/{id}")
    @RequiresScope("connections:write")
    @Operation(operationId = "updateConnection", summary = "Update name, config or credentials (credentials merge field by field; null removes a field)")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "rotate a password", value = "{\"credentials\":{\"password\":\"n3w-s3cret\"}}")))
    @APIResponse(responseCode = "200", description = "The updated connection")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: the result is not valid for the provider, or the provider would change")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ConnectionDtos.ConnectionView update(@PathParam("id") String id, @Valid @NotNull ConnectionDtos.UpdateConnection request) {
        return connections.update(id, request);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("connections:write")
    @Operation(operationId = "deleteConnection", summary = "Delete a connection; connection.deleted stops the syncs that use it")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        connections.delete(id);
        return Response.noContent().build();
    }
}
