package dev.weft.auth.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.auth.client.Scopes;
import dev.weft.auth.operator.OperatorVerifier;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.AllowsClientAuthentication;
import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.PublicEndpoint;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

/**
 * The OAuth 2.0 endpoints. Bodies are read raw and parsed here so that any content type, bad
 * JSON or bad form encoding gets an RFC 6749 error rather than the API's generic error shape.
 */
@Path("/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RunOnVirtualThread
@Tag(name = "auth", description = "OAuth 2.0 token endpoint (client credentials, refresh), revocation (RFC 7009) and introspection (RFC 7662)")
public class TokenResource {
    private final TokenService tokens;
    private final ObjectMapper json;
    private final CurrentPrincipal principal;

    public TokenResource(TokenService tokens, ObjectMapper json, CurrentPrincipal principal) {
        this.tokens = tokens;
        this.json = json;
        this.principal = principal;
    }

    @POST
    @Path("/token")
    @PublicEndpoint
    @Operation(operationId = "issueToken", summary = "Exchange client credentials or a refresh token for an access token (RFC 6749)")
    @RequestBody(required = true, content = {
            @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.TokenRequest.class),
                    examples = @ExampleObject(name = "seed 000",
                    value = "{\"client_id\":\"your_client_id\",\"client_secret\":\"your_client_secret\",\"grant_type\":\"client_credentials\"}")),
            // A form body's example is its parameters as an object; the wire form is grant_type=refresh_token&refresh_token=...
            @Content(mediaType = "application/x-www-form-urlencoded", schema = @Schema(implementation = OAuthSchemas.TokenRequest.class),
                    examples = @ExampleObject(name = "refresh",
                    value = "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"wrt_...\",\"scope\":\"syncs:read\"}"))})
    @APIResponse(responseCode = "200", description = "The access token (and a new refresh token)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = TokenService.TokenResponse.class)))
    @APIResponse(responseCode = "400", description = "invalid_request, invalid_grant, invalid_scope, unsupported_grant_type (RFC 6749 shape)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.OAuthErrorBody.class)))
    @APIResponse(responseCode = "401", description = "invalid_client, with WWW-Authenticate: Basic",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.OAuthErrorBody.class)))
    public Response token(@Context HttpHeaders headers, byte[] body) {
        OAuthRequest request = OAuthRequest.parse(headers.getHeaderString(HttpHeaders.CONTENT_TYPE), body,
                headers.getHeaderString(HttpHeaders.AUTHORIZATION), json);
        return noStore(Response.ok(tokens.token(request)));
    }

    @POST
    @Path("/revoke")
    @PublicEndpoint
    @Operation(operationId = "revokeToken", summary = "Revoke an access token or a refresh token and its family (RFC 7009); the client authenticates as at /token")
    @RequestBody(required = true, content = {
            @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.RevokeRequest.class)),
            @Content(mediaType = "application/x-www-form-urlencoded", schema = @Schema(implementation = OAuthSchemas.RevokeRequest.class))})
    @APIResponse(responseCode = "200", description = "Revoked, or nothing to revoke (unknown tokens answer the same)")
    @APIResponse(responseCode = "400", description = "invalid_request: no token",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.OAuthErrorBody.class)))
    @APIResponse(responseCode = "401", description = "invalid_client",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.OAuthErrorBody.class)))
    public Response revoke(@Context HttpHeaders headers, byte[] body) {
        OAuthRequest request = OAuthRequest.parse(headers.getHeaderString(HttpHeaders.CONTENT_TYPE), body,
                headers.getHeaderString(HttpHeaders.AUTHORIZATION), json);
        tokens.revoke(request);
        return noStore(Response.ok(Map.of()));
    }

    @POST
    @Path("/introspect")
    @AllowsClientAuthentication
    @Operation(operationId = "introspectToken", summary = "Is this token active, and what does it grant? (RFC 7662). The caller is an OAuth client authenticating"
            + " as at /token (client_secret_basic or client_secret_post: its own tokens; with scope introspect, any of its org's),"
            + " the operator, or a bearer credential with scope introspect (any token of its org)")
    @RequestBody(required = true, content = {
            // A form body's example is its parameters as an object; the wire form is token=eyJraWQiOi...&token_type_hint=access_token
            @Content(mediaType = "application/x-www-form-urlencoded", schema = @Schema(implementation = OAuthSchemas.IntrospectRequest.class),
                    examples = @ExampleObject(name = "RFC 7662", value = "{\"token\":\"eyJraWQiOi...\",\"token_type_hint\":\"access_token\"}")),
            @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.IntrospectRequest.class),
                    examples = @ExampleObject(name = "JSON", value = "{\"token\":\"wrt_...\"}"))})
    @APIResponse(responseCode = "200", description = "{\"active\":false} or the token's scope, client_id, sub, org, exp, iat, jti, token_type;"
            + " for an API key (wft_...) key_id, org, scope, plan, mode; for a signing key id (sk_..., operator only) also its secret")
    @APIResponse(responseCode = "400", description = "invalid_request: no token, bad encoding, two client authentication methods (RFC 6749 shape)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OAuthSchemas.OAuthErrorBody.class)))
    @APIResponse(responseCode = "401", description = "invalid_client with WWW-Authenticate: Basic (client authentication missing or failed,"
            + " RFC 6749 shape), or UNAUTHORIZED (a bearer credential that does not verify)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: a bearer credential without introspect")
    public Response introspect(@Context HttpHeaders headers, byte[] body) {
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        RequestPrincipal caller = principal.get();
        if (caller == null) {
            // No platform credential passed the filter: this is OAuth client authentication (Basic, or the secret in the body).
            OAuthRequest request = OAuthRequest.parse(contentType, body, headers.getHeaderString(HttpHeaders.AUTHORIZATION), json);
            return noStore(Response.ok(tokens.introspectAsClient(request)));
        }
        if (!OperatorVerifier.isOperator(caller) && !caller.hasScope(Scopes.INTROSPECT)) {
            throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "This operation needs the scope " + Scopes.INTROSPECT,
                    Map.of("required_scope", Scopes.INTROSPECT));
        }
        OAuthRequest request = OAuthRequest.parseWithoutClient(contentType, body, json);
        return noStore(Response.ok(tokens.introspect(request, caller)));
    }

    private static Response noStore(Response.ResponseBuilder response) {
        return response.header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }
}
