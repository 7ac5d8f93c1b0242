package dev.weft.webhook.endpoint;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import dev.weft.webhook.delivery.DeliveryDtos;
import dev.weft.webhook.delivery.DeliveryService;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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

/** Webhook endpoints (seed 000 "Webhooks", seed 001 register/list/delete/pause, seed 003 url/events/active). */
@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "webhooks", description = "Webhook endpoints, their signed deliveries, attempts, retries and replay")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
@APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs webhooks:manage")
public class EndpointResource {
    private final EndpointService endpoints;
    private final DeliveryService deliveries;

    public EndpointResource(EndpointService endpoints, DeliveryService deliveries) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
    }

    @POST
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "createWebhook", summary = "Register an endpoint; the signing secret (whsec_...) is in this answer only")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "sync and connection events",
            value = "{\"url\":\"https://example.com/weft/webhooks\",\"events\":[\"sync.completed\",\"sync.failed\",\"connection.*\"],\"description\":\"ops\"}")))
    @APIResponse(responseCode = "201", description = "Created, with its secret")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: URL not https or not public, unknown event type (details.field events[i]), bad header")
    public Response create(@Valid @NotNull EndpointDtos.CreateEndpoint request) {
        return Response.status(201).entity(endpoints.create(request)).build();
    }

    @GET
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "listWebhooks", summary = "List the org's endpoints, newest first")
    @APIResponse(responseCode = "200", description = "A page of endpoints (never their secrets)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    public Page<EndpointDtos.EndpointView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return endpoints.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "getWebhook", summary = "Get an endpoint")
    @APIResponse(responseCode = "200", description = "The endpoint")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EndpointDtos.EndpointView get(@PathParam("id") String id) {
        return endpoints.get(id);
    }

    @PATCH
    @Path("/{id}")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "updateWebhook", summary = "Change url, events, description, rate_limit, headers, ordered; active=false pauses, true resumes")
    @APIResponse(responseCode = "200", description = "The endpoint")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EndpointDtos.EndpointView update(@PathParam("id") String id, @Valid @NotNull EndpointDtos.UpdateEndpoint request) {
        return endpoints.update(id, request);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "deleteWebhook", summary = "Delete an endpoint and its delivery history")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        endpoints.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/rotate-secret")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "rotateWebhookSecret", summary = "New signing secret; the old one keeps signing beside it for overlap_seconds (default 24 h)")
    @APIResponse(responseCode = "200", description = "The endpoint with its new secret")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EndpointDtos.EndpointView rotate(@PathParam("id") String id, @Valid EndpointDtos.RotateSecret request) {
        return endpoints.rotateSecret(id, request);
    }

    @POST
    @Path("/{id}/pause")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "pauseWebhook", summary = "Pause deliveries; events keep being recorded and go out on resume")
    @APIResponse(responseCode = "200", description = "The endpoint")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EndpointDtos.EndpointView pause(@PathParam("id") String id) {
        return endpoints.setActive(id, false);
    }

    @POST
    @Path("/{id}/resume")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "resumeWebhook", summary = "Resume a paused or disabled endpoint")
    @APIResponse(responseCode = "200", description = "The endpoint")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EndpointDtos.EndpointView resume(@PathParam("id") String id) {
        return endpoints.setActive(id, true);
    }

    @POST
    @Path("/{id}/test")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "sendTestWebhook", summary = "Send a webhook.test event to this endpoint")
    @APIResponse(responseCode = "202", description = "The delivery, on its way")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response test(@PathParam("id") String id) {
        return Response.status(202).entity(deliveries.sendTest(endpoints.require(id))).build();
    }

    @GET
    @Path("/{id}/deliveries")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "listWebhookDeliveries", summary = "Deliveries to this endpoint, newest first; ?status=pending|retrying|succeeded|failed")
    @APIResponse(responseCode = "200", description = "A page of deliveries")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Page<DeliveryDtos.DeliveryView> deliveries(@PathParam("id") String id, @QueryParam("status") String status,
                                                      @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return deliveries.list(endpoints.require(id), status, limit, cursor);
    }

    @GET
    @Path("/{id}/stats")
    @RequiresScope("webhooks:manage")
    @Operation(operationId = "getWebhookStats", summary = "Delivery statistics of the last 24 hours: counts, success rate, p50/p95 latency")
    @APIResponse(responseCode = "200", description = "The statistics")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public DeliveryDtos.Stats stats(@PathParam("id") String id) {
        return deliveries.stats(endpoints.require(id));
    }

    @POST
    @Path("/{id}/replay")
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
