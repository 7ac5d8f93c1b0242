package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A manual sync of a connection's mail and/or calendar (seed 002, also as
 * {@code /v1/integrations/connections/{id}/sync}): recorded and announced here, run by messaging-service.
 */
@Path("/v1/connections/{id}/sync")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "connections", description = "Connections to external systems, their encrypted credentials and health")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ConnectionSyncResource {
    private final SyncRequests requests;
    private final CurrentPrincipal principal;

    public ConnectionSyncResource(SyncRequests requests, CurrentPrincipal principal) {
        this.requests = requests;
        this.principal = principal;
    }

    @POST
    @RequiresScope("connections:write")
    @Operation(operationId = "syncConnection", summary = "Ask for a sync of the connection's mail, calendar or both (type email|calendar|all, default all); messaging-service runs it on connection.sync_requested")
    @RequestBody(required = false, content = @Content(examples = @ExampleObject(name = "seed 002", value = "{\"type\":\"email\"}")))
    @APIResponse(responseCode = "202", description = "Requested: {id, connection_id, provider, type, status: requested, requested_at}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: type not email|calendar|all, or the provider has no mail/calendar (details.field type)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response sync(@PathParam("id") String id, JsonNode body) {
        return Response.accepted(requests.request(id, body, principal.get())).build();
    }
}
