package dev.weft.auth.signingkey;

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

/** WEFT-HMAC signing keys of the caller's org. Another org's key is a 404, exactly like a missing one. */
@Path("/v1/signing-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "signing-keys", description = "Keys for WEFT-HMAC signed requests")
public class SigningKeyResource {
    private final SigningKeyService keys;
    private final CurrentPrincipal principal;

    public SigningKeyResource(SigningKeyService keys, CurrentPrincipal principal) {
        this.keys = keys;
        this.principal = principal;
    }

    @POST
    @RequiresScope("signing_keys:write")
    @Operation(operationId = "createSigningKey", summary = "Create a key for WEFT-HMAC signed requests; its key_id and secret, shown only in this response")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "support inbox",
            value = "{\"name\":\"support inbox\",\"scopes\":[\"conversations:read\",\"conversations:write\"]}")))
    @APIResponse(responseCode = "201", description = "Created, with key_id and secret")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: missing name or scopes, malformed scope")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs signing_keys:write, or a scope the caller does not hold")
    public Response create(@Valid @NotNull SigningKeyDtos.CreateSigningKey request) {
        return Response.status(201).entity(keys.create(request, principal.get())).build();
    }

    @GET
    @RequiresScope("signing_keys:read")
    @Operation(operationId = "listSigningKeys", summary = "List the org's signing keys, newest first (cursor pagination); revoked keys included with status revoked")
    @APIResponse(responseCode = "200", description = "A page of signing keys (never a secret)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs signing_keys:read")
    public Page<SigningKeyDtos.SigningKeyView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return keys.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("signing_keys:read")
    @Operation(operationId = "getSigningKey", summary = "Get one signing key")
    @APIResponse(responseCode = "200", description = "The signing key (no secret)")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs signing_keys:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such key in this org")
    public SigningKeyDtos.SigningKeyView get(@PathParam("id") String id) {
        return keys.get(id);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("signing_keys:write")
    @Operation(operationId = "revokeSigningKey", summary = "Revoke the signing key; every service refuses it within about a second")
    @APIResponse(responseCode = "204", description = "Revoked (also when it already was)")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs signing_keys:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such key in this org")
    public Response revoke(@PathParam("id") String id) {
        keys.revoke(id);
        return Response.noContent().build();
    }
}
