package dev.weft.connections.health;

import dev.weft.connections.connection.ConnectionDtos;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A connection's health (seed 002 status), beside the other connection operations under {@code /v1/connections}. */
@Path("/v1/connections/{id}/status")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "connections", description = "Connections to external systems, their encrypted credentials and health")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ConnectionHealthResource {
    private final ConnectionService connections;
    private final HealthMonitor health;

    public ConnectionHealthResource(ConnectionService connections, HealthMonitor health) {
        this.connections = connections;
        this.health = health;
    }

    @GET
    @RequiresScope("connections:read")
    @Operation(operationId = "getConnectionStatus", summary = "Health of a connection (healthy, degraded, failing, auth_expired; pending before the first check); ?check=true checks now")
    @APIResponse(responseCode = "200", description = "The status")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ConnectionDtos.StatusView status(@PathParam("id") String id, @QueryParam("check") boolean checkNow) {
        if (checkNow) {
            health.checkNow(id);
        }
        return connections.status(id);
    }
}
