package dev.weft.connections.extension;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

/** Custom connectors (seed 000 "Extensions API"): the protocol is in docs/extensions-protocol.md. */
@Path("/v1/extensions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "extensions", description = "Custom connectors run as HTTP services (docs/extensions-protocol.md)")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ExtensionResource {
    private final ExtensionService extensions;

    public ExtensionResource(ExtensionService extensions) {
        this.extensions = extensions;
    }

    @POST
    @RequiresScope("connections:write")
    @Operation(operationId = "registerExtension", summary = "Register a custom connector run as an HTTP service; returns its signing secret once")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "inventory",
            value = "{\"name\":\"Inventory service\",\"key\":\"inventory\",\"base_url\":\"https://inventory.example.com/weft\"}")))
    @APIResponse(responseCode = "201", description = "Registered; connections use provider ext_<key>")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad key, URL not https or not public, invalid config_schema")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "409", description = "DUPLICATE: the key is taken in this org")
    public Response register(@Valid @NotNull ExtensionDtos.RegisterExtension request) {
        return Response.status(201).entity(extensions.register(request)).build();
    }

    @GET
    @RequiresScope("connections:read")
    @Operation(operationId = "listExtensions", summary = "List extensions, newest first")
    @APIResponse(responseCode = "200", description = "A page of extensions (never their secrets)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    public Page<ExtensionDtos.ExtensionView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return extensions.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("connections:read")
    @Operation(operationId = "getExtension", summary = "Get one extension")
    @APIResponse(responseCode = "200", description = "The extension")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ExtensionDtos.ExtensionView get(@PathParam("id") String id) {
        return extensions.get(id);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("connections:write")
    @Operation(operationId = "deleteExtension", summary = "Delete an extension no connection uses")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: connections still use it")
    public Response delete(@PathParam("id") String id) {
        extensions.delete(id);
        return Response.noContent().build();
    }
}
