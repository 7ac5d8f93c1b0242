package dev.weft.workflow.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
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
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Workflows (seed 000 "Workflows API"): a trigger and ordered actions, versioned. */
@Path("/v1/workflows")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "workflows", description = "Workflows: a trigger and ordered actions")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class WorkflowResource {
    static final String SEED_EXAMPLE = """
            {"name":"Enterprise Lead Routing","trigger":{"type":"record_created","connection_id":"conn_sf123","object":"Lead",\
            "filter":"AnnualRevenue > 5000000"},"actions":[{"type":"transform","config":{"enrich_company_data":true}},\
            {"type":"write","connection_id":"conn_hubspot","object":"Contact"},\
            {"type":"notify","channel":"slack","message":"New enterprise lead: {{Lead.Company}}"}]}""";

    private final WorkflowService workflows;
    private final dev.weft.workflow.execution.ExecutionService executions;

    public WorkflowResource(WorkflowService workflows, dev.weft.workflow.execution.ExecutionService executions) {
        this.workflows = workflows;
        this.executions = executions;
    }

    @POST
    @RequiresScope("workflows:write")
    @Operation(operationId = "createWorkflow", summary = "Create a workflow with a trigger and ordered actions")
    @RequestBody(content = @Content(schema = @Schema(implementation = WorkflowDtos.WorkflowRequest.class), examples = {
            @ExampleObject(name = "Enterprise Lead Routing (seed 000)", value = SEED_EXAMPLE)}))
    @APIResponse(responseCode = "201", description = "Created; signing_secret is shown this once")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a missing or invalid trigger or action field (details.field names it)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    public Response create(@NotNull WorkflowDtos.WorkflowRequest request) {
        return Response.status(201).entity(workflows.create(request)).build();
    }

    @GET
    @RequiresScope("workflows:read")
    @Operation(operationId = "listWorkflows", summary = "List the org's workflows, newest first (cursor pagination)")
    @APIResponse(responseCode = "200", description = "A page of workflows")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:read")
    public Page<WorkflowDtos.WorkflowView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return workflows.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("workflows:read")
    @Operation(operationId = "getWorkflow", summary = "Get a workflow")
    @APIResponse(responseCode = "200", description = "The workflow")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public WorkflowDtos.WorkflowView get(@PathParam("id") String id) {
        return workflows.get(id);
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @RequiresScope("workflows:write")
    @Operation(operationId = "updateWorkflow", summary = "Change a workflow (JSON Merge Patch); a new version, running executions keep theirs")
    @RequestBody(content = @Content(schema = @Schema(implementation = WorkflowDtos.WorkflowRequest.class), examples = {
            @ExampleObject(name = "pause", value = "{\"enabled\":false}")}))
    @APIResponse(responseCode = "200", description = "The updated workflow")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: as for create")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public WorkflowDtos.WorkflowView update(@PathParam("id") String id, @NotNull JsonNode patch) {
        return workflows.update(id, patch);
    }

    @GET
    @Path("/{id}/executions")
    @RequiresScope("workflows:read")
    @Operation(operationId = "listWorkflowExecutions", summary = "List a workflow's executions, newest first, by status and time range")
    @APIResponse(responseCode = "200", description = "A page of executions (without their steps)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad status, from, to, limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such workflow")
    public Page<dev.weft.workflow.execution.ExecutionDtos.ExecutionView> list(@PathParam("id") String id, @QueryParam("status") String status, @QueryParam("from") String from,
                                                  @QueryParam("to") String to, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return executions.list(id, status, from, to, limit, cursor);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("workflows:write")
    @Operation(operationId = "deleteWorkflow", summary = "Delete a workflow, its triggers and its executions")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        workflows.delete(id);
        return Response.noContent().build();
    }
}
