package dev.weft.auth.client;

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
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** OAuth clients of the caller's org. Another org's client is a 404, exactly like a missing one. */
@Path("/v1/clients")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "clients", description = "OAuth clients of the organization and their secrets")
public class ClientResource {
    private final ClientService clients;
    private final CurrentPrincipal principal;

    public ClientResource(ClientService clients, CurrentPrincipal principal) {
        this.clients = clients;
        this.principal = principal;
    }

    @POST
    @RequiresScope("clients:write")
    @Operation(operationId = "createClient", summary = "Create an OAuth client; its client_secret is shown only in this response")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "sync worker",
            value = "{\"name\":\"sync worker\",\"scopes\":[\"syncs:read\",\"syncs:write\"]}")))
    @APIResponse(responseCode = "201", description = "Created, with client_id and client_secret")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: missing name or scopes, malformed scope")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs clients:write, or a scope the caller does not hold")
    public Response create(@Valid @NotNull ClientDtos.CreateClient request) {
        return Response.status(201).entity(clients.create(request, principal.get())).build();
    }

    @GET
    @RequiresScope("clients:read")
    @Operation(operationId = "listClients", summary = "List the org's OAuth clients, newest first (cursor pagination)")
    @APIResponse(responseCode = "200", description = "A page of clients (no secrets)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs clients:read")
    public Page<ClientDtos.ClientView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return clients.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("clients:read")
    @Operation(operationId = "getClient", summary = "Get one OAuth client")
    @APIResponse(responseCode = "200", description = "The client (no secret)")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs clients:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such client in this org")
    public ClientDtos.ClientView get(@PathParam("id") String id) {
        return clients.get(id);
    }

    @POST
    @Path("/{id}/rotate-secret")
    @RequiresScope("clients:write")
    @Operation(operationId = "rotateClientSecret", summary = "Replace the client's secret; the new one is shown only in this response, the old one stops working")
    @APIResponse(responseCode = "200", description = "The client with its new client_secret")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs clients:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such client in this org")
    public ClientDtos.ClientView rotateSecret(@PathParam("id") String id) {
        return clients.rotateSecret(id);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("clients:write")
    @Operation(operationId = "deleteClient", summary = "Delete the client and its refresh tokens")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs clients:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such client in this org")
    public Response delete(@PathParam("id") String id) {
        clients.delete(id);
        return Response.noContent().build();
    }
}
