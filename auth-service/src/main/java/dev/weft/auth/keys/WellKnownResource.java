package dev.weft.auth.keys;

import dev.weft.auth.AuthConfig;
import dev.weft.auth.client.Scopes;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.tenancy.PublicEndpoint;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Public discovery documents: the JWKS services verify access tokens with, and RFC 8414 metadata. */
@Path("/.well-known")
@PublicEndpoint
@RunOnVirtualThread
@Tag(name = "discovery", description = "Public discovery documents: the JWKS and the OAuth authorization server metadata (RFC 8414)")
public class WellKnownResource {
    /** Short enough that a newly activated key reaches verifiers soon; they also refetch on an unknown kid. */
    private static final String JWKS_CACHE = "public, max-age=300";

    private final KeyRing keyRing;
    private final AuthConfig config;
    private final PlatformConfig platform;

    public WellKnownResource(KeyRing keyRing, AuthConfig config, PlatformConfig platform) {
        this.keyRing = keyRing;
        this.config = config;
        this.platform = platform;
    }

    @GET
    @Path("/jwks.json")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getJwks", summary = "The public keys access tokens are signed with (active and recently retired)")
    @APIResponse(responseCode = "200", description = "A JSON Web Key Set")
    @APIResponse(responseCode = "406", description = "NOT_ACCEPTABLE: Accept excludes application/json")
    public Response jwks() {
        return Response.ok(keyRing.publishedKeys().toString(true)).header("Cache-Control", JWKS_CACHE).build();
    }

    @GET
    @Path("/oauth-authorization-server")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getAuthorizationServerMetadata", summary = "OAuth 2.0 authorization server metadata (RFC 8414)")
    @APIResponse(responseCode = "200", description = "The metadata document")
    @APIResponse(responseCode = "406", description = "NOT_ACCEPTABLE: Accept excludes application/json")
    public Response metadata() {
        String base = config.issuerUrl().replaceAll("/+$", "");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("issuer", platform.auth().jwt().issuer());
        metadata.put("token_endpoint", base + "/v1/auth/token");
        metadata.put("jwks_uri", base + "/.well-known/jwks.json");
        metadata.put("revocation_endpoint", base + "/v1/auth/revoke");
        metadata.put("introspection_endpoint", base + "/v1/auth/introspect");
        metadata.put("grant_types_supported", List.of("client_credentials", "refresh_token"));
        metadata.put("response_types_supported", List.of());
        metadata.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        metadata.put("revocation_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        // RFC 8414 §2 lists client authentication methods and access token types here: clients, or a Bearer credential.
        metadata.put("introspection_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post", "Bearer"));
        metadata.put("scopes_supported", Scopes.KNOWN);
        return Response.ok(metadata).header("Cache-Control", "public, max-age=3600").build();
    }
}
