package dev.weft.connections.oauth;

import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.PublicEndpoint;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

/** OAuth provider authorization (seed 002 "Integrations API"), under /v1/integrations/oauth. */
@Path("/v1/integrations/oauth")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "oauth", description = "OAuth authorization with providers (authorize, callback, disconnect)")
public class OAuthResource {
    private final OAuthFlow flow;
    private final CurrentPrincipal principal;

    public OAuthResource(OAuthFlow flow, CurrentPrincipal principal) {
        this.flow = flow;
        this.principal = principal;
    }

    public record ProviderList(List<OAuthFlow.ProviderStatus> data) {
    }

    @GET
    @Path("/providers")
    @RequiresScope("connections:read")
    @Operation(operationId = "listOAuthProviders", summary = "OAuth providers and whether this deployment has client credentials for each")
    @APIResponse(responseCode = "200", description = "The OAuth providers")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    public ProviderList providers() {
        return new ProviderList(flow.providers());
    }

    @GET
    @Path("/{provider}/authorize")
    @RequiresScope("connections:write")
    @Operation(operationId = "authorizeOAuthProvider", summary = "Start the OAuth flow: redirects (302) to the provider's consent screen with state and PKCE; "
            + "?redirect=false answers with the URL as JSON instead. ?connection_id reconnects an existing connection")
    @APIResponse(responseCode = "302", description = "Redirect to the provider")
    @APIResponse(responseCode = "200", description = "With redirect=false: {authorization_url, state, expires_at}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: OAuth not configured for the provider, bad return_to or connection_id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such OAuth provider, or connection")
    public Response authorize(@PathParam("provider") String provider, @QueryParam("name") String name,
                              @QueryParam("connection_id") String connectionId, @QueryParam("return_to") String returnTo,
                              @QueryParam("redirect") String redirect) {
        OAuthFlow.Authorization authorization = flow.authorize(provider, name, connectionId, returnTo, principal.get());
        if ("false".equalsIgnoreCase(redirect)) {
            return Response.ok(authorization).build();
        }
        return Response.status(302).location(URI.create(authorization.authorizationUrl())).build();
    }

    @GET
    @Path("/{provider}/callback")
    @PublicEndpoint
    @Operation(operationId = "completeOAuthAuthorization", summary = "The provider's redirect back: exchanges the code and creates or updates the connection. "
            + "Redirects to the flow's return_to when it had one, else answers with the connection")
    @APIResponse(responseCode = "200", description = "{connection}")
    @APIResponse(responseCode = "302", description = "Redirect to return_to?connection_id=...&status=connected")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: forged, expired or replayed state; the user declined; no code")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the provider refused the code exchange")
    public Response callback(@PathParam("provider") String provider, @QueryParam("code") String code, @QueryParam("state") String state,
                             @QueryParam("error") String error, @QueryParam("error_description") String errorDescription) {
        OAuthFlow.Completed completed = flow.callback(provider, code, state, error, errorDescription);
        if (completed.returnTo() != null && !completed.returnTo().isBlank()) {
            return Response.status(302).location(UriBuilder.fromUri(completed.returnTo())
                    .queryParam("connection_id", completed.connection().id()).queryParam("status", "connected").build()).build();
        }
        return Response.ok(new Connected(completed.connection())).build();
    }

    public record Connected(Object connection) {
    }

    @DELETE
    @Path("/{provider}")
    @RequiresScope("connections:write")
    @Operation(operationId = "disconnectOAuthProvider", summary = "Disconnect the provider: revoke the grant at the provider (when it supports revocation) and delete the org's "
            + "OAuth connections to it (or only ?connection_id)")
    @APIResponse(responseCode = "200", description = "{disconnected: [ids], revoked_at_provider}")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such OAuth provider or connection")
    public OAuthFlow.Disconnected disconnect(@PathParam("provider") String provider, @QueryParam("connection_id") String connectionId) {
        return flow.disconnect(provider, connectionId);
    }
}
