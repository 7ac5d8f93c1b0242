package dev.weft.auth.apikey;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.CurrentPrincipal;
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

/** API keys of the caller's org. Another org's key is a 404, exactly like a missing one. */
@Path("/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "api-keys", description = "API keys (wft_live_..., wft_test_...) with scopes: shown once, stored hashed, revocable")
public class ApiKeyResource {
    private final ApiKeyService keys;
    private final CurrentPrincipal principal;

    public ApiKeyResource(ApiKeyService keys, CurrentPrincipal principal) {
        this.keys = keys;
        this.principal = principal;
    }

    @POST
    @RequiresScope("api_keys:write")
    @Operation(operationId = "createApiKey", summary = "Create an API key (wft_live_... or wft_test_...); the key is shown only in this response")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "messaging backend",
            value = "{\"name\":\"messaging backend\",\"scopes\":[\"messages:write\",\"contacts:read\"],\"mode\":\"live\"}")))
    @APIResponse(responseCode = "201", description = "Created, with the key")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: missing name or scopes, malformed scope, bad mode, expires_at in the past")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs api_keys:write, or a scope the caller does not hold")
    public Response create(@Valid @NotNull ApiKeyDtos.CreateApiKey request) {
        return Response.status(201).entity(keys.create(request, principal.get())).build();
    }

    @GET
    @RequiresScope("api_keys:read")
    @Operation(operationId = "listApiKeys", summary = "List the org's API keys, newest first (cursor pagination); revoked keys included with status revoked")
    @APIResponse(responseCode = "200", description = "A page of API keys (prefixes only, never a key)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs api_keys:read")
    public Page<ApiKeyDtos.ApiKeyView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return keys.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("api_keys:read")
    @Operation(operationId = "getApiKey", summary = "Get one API key")
    @APIResponse(responseCode = "200", description = "The API key (prefix only)")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs api_keys:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such key in this org")
    public ApiKeyDtos.ApiKeyView get(@PathParam("id") String id) {
        return keys.get(id);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("api_keys:write")
    @Operation(operationId = "revokeApiKey", summary = "Revoke the API key; every service refuses it within about a second")
    @APIResponse(responseCode = "204", description = "Revoked (also when it already was)")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs api_keys:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such key in this org")
    public Response revoke(@PathParam("id") String id) {
        keys.revoke(id);
        return Response.noContent().build();
    }
}
