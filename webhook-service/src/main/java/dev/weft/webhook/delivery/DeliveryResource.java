package dev.weft.webhook.delivery;

import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One delivery, its attempts, and a manual retry. */
@Path("/v1/deliveries/{id}")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "webhooks", description = "Webhook endpoints, their signed deliveries, attempts, retries and replay")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
@APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs webhooks:manage")
@APIResponse(responseCode = "404", description = "NOT_FOUND: no such delivery in this org")
public class DeliveryResource {
    private final DeliveryService deliveries;

    public DeliveryResource(DeliveryService deliveries) {
        this.deliveries = deliveries;
    }

    @GET
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "getDelivery", summary = "Get a delivery")
    @APIResponse(responseCode = "200", description = "The delivery")
    public DeliveryDtos.DeliveryView get(@PathParam("id") String id) {
        return deliveries.get(id);
    }

    @GET
    @Path("/attempts")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "listDeliveryAttempts", summary = "Every attempt of a delivery: status code, latency, response excerpt (4 kB), error, next attempt")
    @APIResponse(responseCode = "200", description = "The attempts, oldest first")
    public DeliveryDtos.AttemptList attempts(@PathParam("id") String id) {
        return deliveries.attempts(id);
    }

    @POST
    @Path("/retry")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "retryDelivery", summary = "Send the delivery again now")
    @APIResponse(responseCode = "202", description = "The delivery, queued")
    public Response retry(@PathParam("id") String id) {
        return Response.status(202).entity(deliveries.retry(id)).build();
    }
}
