package dev.weft.workflow.execution;

import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Executions: each run of a workflow, its steps, retry and cancel. */
@Path("/v1/executions")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "executions", description = "Workflow executions and their steps")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ExecutionResource {
    private final ExecutionService executions;

    public ExecutionResource(ExecutionService executions) {
        this.executions = executions;
    }

    @GET
    @Path("/{id}")
    @RequiresScope("workflows:read")
    @Operation(operationId = "getExecution", summary = "Get an execution with each step's input, output, status, attempts and timing")
    @APIResponse(responseCode = "200", description = "The execution")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ExecutionDtos.ExecutionView get(@PathParam("id") String id) {
        return executions.get(id);
    }

    @POST
    @Path("/{id}/retry")
    @RequiresScope("workflows:write")
    @Operation(operationId = "retryExecution", summary = "Run a failed execution again from its failed step")
    @APIResponse(responseCode = "200", description = "The execution, queued again")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "INVALID_STATUS_TRANSITION: the execution has not failed")
    public ExecutionDtos.ExecutionView retry(@PathParam("id") String id) {
        return executions.retry(id);
    }

    @POST
    @Path("/{id}/cancel")
    @RequiresScope("workflows:write")
    @Operation(operationId = "cancelExecution", summary = "Cancel an execution that has not finished")
    @APIResponse(responseCode = "200", description = "The execution, cancelled")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs workflows:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "INVALID_STATUS_TRANSITION: the execution has already finished")
    public ExecutionDtos.ExecutionView cancel(@PathParam("id") String id) {
        return executions.cancel(id);
    }
}
