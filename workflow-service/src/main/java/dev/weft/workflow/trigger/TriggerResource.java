package dev.weft.workflow.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.idempotency.IdempotencyFilter;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Triggers (seed 000 "Triggers API"), standalone ones and workflows' own, and api_call invocation. */
@Path("/v1/triggers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "triggers", description = "What starts a workflow: record changes, catalog events, schedules, API calls")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class TriggerResource {
    private final TriggerService triggers;

    public TriggerResource(TriggerService triggers) {
        this.triggers = triggers;
    }

    @POST
    @RequiresScope("workflows:write")
    @Operation(operationId = "createTrigger", summary = "Create a standalone trigger that starts a workflow")
    @RequestBody(content = @Content(schema = @Schema(implementation = TriggerDtos.TriggerRequest.class), examples = {
            @ExampleObject(name = "field changed", value = "{\"workflow_id\":\"wf_01h455vb4pex5vsknk084sn02q\",\"type\":\"field_changed\","
                    + "\"connection_id\":\"conn_01h455vb4pex5vsknk084sn02q\",\"object\":\"Lead\",\"field\":\"Status\"}"),
            @ExampleObject(name = "Smart Trigger on a message (seed 001)", value = "{\"workflow_id\":\"wf_01h455vb4pex5vsknk084sn02q\","
                    + "\"type\":\"message.created\",\"filter\":\"platform = 'whatsapp'\"}"),
            @ExampleObject(name = "schedule", value = "{\"workflow_id\":\"wf_01h455vb4pex5vsknk084sn02q\",\"type\":\"schedule\",\"cron\":\"0 9 * * 1-5\","
                    + "\"timezone\":\"Europe/Berlin\"}")}))
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown type, missing or invalid field, unknown workflow")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    public Response create(@NotNull JsonNode body) {
        return Response.status(201).entity(triggers.create(body)).build();
    }

    @GET
    @RequiresScope("workflows:read")
    @Operation(operationId = "listTriggers", summary = "List triggers (optionally of one workflow), newest first")
    @APIResponse(responseCode = "200", description = "A page of triggers")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:read")
    public Page<TriggerDtos.TriggerView> list(@QueryParam("workflow_id") String workflowId, @QueryParam("limit") String limit,
                                              @QueryParam("cursor") String cursor) {
        return triggers.list(limit, cursor, workflowId);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("workflows:read")
    @Operation(operationId = "getTrigger", summary = "Get a trigger")
    @APIResponse(responseCode = "200", description = "The trigger")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public TriggerDtos.TriggerView get(@PathParam("id") String id) {
        return triggers.get(id);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("workflows:write")
    @Operation(operationId = "deleteTrigger", summary = "Delete a standalone trigger")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: a workflow's own trigger is changed through its workflow")
    public Response delete(@PathParam("id") String id) {
        triggers.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/invoke")
    @RequiresScope("workflows:write")
    @Operation(operationId = "invokeTrigger", summary = "Start an api_call trigger's workflow with a JSON payload; once per Idempotency-Key")
    @RequestBody(content = @Content(schema = @Schema(implementation = JsonNode.class), examples = {
            @ExampleObject(name = "a lead", value = "{\"Company\":\"Acme\",\"AnnualRevenue\":9000000}")}))
    @APIResponse(responseCode = "202", description = "The execution started (or, for a repeated key, the one it started before)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: not an api_call trigger, or a bad Idempotency-Key")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: the workflow is disabled, or the key was used with another body")
    // The answer's type, not a Response: its writer is chosen once at build time instead of looked up on every invoke.
    @ResponseStatus(202)
    public TriggerDtos.Invocation invoke(@PathParam("id") String id, @HeaderParam(IdempotencyFilter.HEADER) String key, JsonNode payload) {
        return triggers.invoke(id, payload, key);
    }
}
