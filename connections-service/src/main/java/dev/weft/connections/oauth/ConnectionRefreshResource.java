package dev.weft.connections.oauth;

import dev.weft.connections.connection.ConnectionDtos;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Refreshing a connection's OAuth token on demand (seed 002), beside the other connection operations under {@code /v1/connections}. */
@Path("/v1/connections/{id}/refresh")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "connections", description = "Connections to external systems, their encrypted credentials and health")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ConnectionRefreshResource {
    private final ConnectionService connections;
    private final TokenRefresher refresher;

    public ConnectionRefreshResource(ConnectionService connections, TokenRefresher refresher) {
        this.connections = connections;
        this.refresher = refresher;
    }

    @POST
    @RequiresScope("connections:write")
    @Operation(operationId = "refreshConnection", summary = "Refresh the connection's OAuth access token now (seed 002)")
    @APIResponse(responseCode = "200", description = "The status after the refresh")
    @APIResponse(responseCode = "409", description = "CONFLICT: the connection has no OAuth refresh token (details.constraint refreshable)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the provider refused (a revoked grant also sets status auth_expired)")
    public ConnectionDtos.StatusView refresh(@PathParam("id") String id) {
        refresher.refreshNow(id);
        return connections.status(id);
    }
}
