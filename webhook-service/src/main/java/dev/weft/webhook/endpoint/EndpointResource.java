package dev.weft.webhook.endpoint;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
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

/**
 * Webhook endpoints (seed 000 "Webhooks", seed 001 register/list/delete/pause, seed 003 url/events/active). An endpoint's
 * deliveries, statistics, test events and replay are in {@code delivery/EndpointDeliveriesResource}.
 */
@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "webhooks", description = "Webhook endpoints, their signed deliveries, attempts, retries and replay")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
@APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs webhooks:manage")
public class EndpointResource {
    private final EndpointService endpoints;

    public EndpointResource(EndpointService endpoints) {
        this.endpoints = endpoints;
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
}
