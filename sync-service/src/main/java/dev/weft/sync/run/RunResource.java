package dev.weft.sync.run;

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

/** Runs by id; starting and listing a sync's runs are on {@link dev.weft.sync.sync.SyncResource} (JAX-RS matches /v1/syncs/... there). */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "runs", description = "Sync runs: status, progress, timings, per-record errors")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class RunResource {
    private final RunService runs;

    public RunResource(RunService runs) {
        this.runs = runs;
    }

    @GET
    @Path("/{id}")
    @RequiresScope("syncs:read")
    @Operation(operationId = "getRun", summary = "A run: status, progress, timings and the first per-record errors")
    @APIResponse(responseCode = "200", description = "The run")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public RunDtos.RunView get(@PathParam("id") String id) {
        return runs.get(id);
    }

    @POST
    @Path("/{id}/cancel")
    @RequiresScope("syncs:write")
    @Operation(operationId = "cancelRun", summary = "Cancel a run: a queued one at once, a running one after its current batch")
    @APIResponse(responseCode = "200", description = "The run (cancelled, or running with cancel_requested)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "INVALID_STATUS_TRANSITION: the run already finished")
    public RunDtos.RunView cancel(@PathParam("id") String id) {
        return runs.cancel(id);
    }
}
