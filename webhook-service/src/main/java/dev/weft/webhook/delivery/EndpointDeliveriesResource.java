package dev.weft.webhook.delivery;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import dev.weft.webhook.endpoint.EndpointService;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
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

/** One endpoint's deliveries, statistics, test events and replay (the endpoint itself is in {@code endpoint/}). */
@Path("/v1/webhooks/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "webhooks", description = "Webhook endpoints, their signed deliveries, attempts, retries and replay")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
@APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs webhooks:manage")
public class EndpointDeliveriesResource {
    private final EndpointService endpoints;
    private final DeliveryService deliveries;

    public EndpointDeliveriesResource(EndpointService endpoints, DeliveryService deliveries) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
    }

    @POST
    @Path("/test")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "sendTestWebhook", summary = "Send a webhook.test event to this endpoint")
    @APIResponse(responseCode = "202", description = "The delivery, on its way")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response test(@PathParam("id") String id) {
        return Response.status(202).entity(deliveries.sendTest(endpoints.require(id))).build();
    }

    @GET
    @Path("/deliveries")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "listWebhookDeliveries", summary = "Deliveries to this endpoint, newest first; ?status=pending|retrying|succeeded|failed")
    @APIResponse(responseCode = "200", description = "A page of deliveries")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Page<DeliveryDtos.DeliveryView> deliveries(@PathParam("id") String id, @QueryParam("status") String status,
                                                      @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return deliveries.list(endpoints.require(id), status, limit, cursor);
    }

    @GET
    @Path("/stats")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "getWebhookStats", summary = "Delivery statistics of the last 24 hours: counts, success rate, p50/p95 latency")
    @APIResponse(responseCode = "200", description = "The statistics")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public DeliveryDtos.Stats stats(@PathParam("id") String id) {
        return deliveries.stats(endpoints.require(id));
    }

    @POST
    @Path("/replay")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "replayWebhook", summary = "Deliver again every event of a time range this endpoint subscribes to")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "one hour",
            value = "{\"since\":\"2026-11-23T10:00:00Z\",\"until\":\"2026-11-23T11:00:00Z\"}")))
    @APIResponse(responseCode = "202", description = "{replayed: n}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: since missing or after until")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response replay(@PathParam("id") String id, @Valid @NotNull DeliveryDtos.Replay request) {
        return Response.status(202).entity(deliveries.replay(endpoints.require(id), request)).build();
    }
}
