package dev.weft.platform.openapi;

import dev.weft.platform.auth.ApiKeyVerifier;
import dev.weft.platform.auth.SignedRequestVerifier;
import dev.weft.platform.error.ErrorCode;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;
import org.eclipse.microprofile.openapi.models.servers.Server;
import org.jboss.jandex.IndexView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every service's OpenAPI document shares, applied once at build time so the stored
 * document, {@code /q/openapi} and Swagger UI agree: the three ways in as security schemes, each
 * operation's security (none for {@code @PublicEndpoint}, else any of the three carrying the
 * {@code @RequiresScope} scope, and for {@code @AllowsClientAuthentication} also OAuth client
 * authentication), the 401/403/429 every authenticated operation can answer, the one error shape
 * on every error response that names no other body, and the servers.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class PlatformOpenApiFilter implements OASFilter {
    public static final String BEARER = "BearerToken";
    public static final String API_KEY = "ApiKey";
    public static final String SIGNED_REQUEST = "SignedRequest";
    public static final String CLIENT_SECRET_BASIC = "ClientSecretBasic";
    public static final String ERROR_SCHEMA = "Error";
    static final String ERROR_REF = "#/components/schemas/" + ERROR_SCHEMA;

    private final ResourceMethods resources;

    /** SmallRye passes the application's Jandex index to a filter that asks for it. */
    public PlatformOpenApiFilter(IndexView index) {
        this.resources = ResourceMethods.scan(index);
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        components.addSecurityScheme(BEARER, bearer());
        components.addSecurityScheme(API_KEY, apiKey());
        components.addSecurityScheme(SIGNED_REQUEST, signedRequest());
        components.addSchema(ERROR_SCHEMA, errorSchema());
        // The default for anything added later; every operation below states its own anyway.
        openAPI.setSecurity(anyCredential(null));
        if (openAPI.getServers() == null || openAPI.getServers().isEmpty()) {
            openAPI.setServers(List.of(
                    server("http://127.0.0.1:8080", "Local: the router bin/weft up starts", Map.of()),
                    server("https://{host}", "Your deployment (the ingress in front of the services)",
                            Map.of("host", OASFactory.createServerVariable().defaultValue("api.weft.example")
                                    .description("Host name of your Weft ingress")))));
        }
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        boolean clientAuthentication = false;
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            Map<PathItem.HttpMethod, Operation> operations = path.getValue().getOperations();
            if (operations == null) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> entry : operations.entrySet()) {
                ResourceMethods.Access access = resources.access(entry.getKey().name(), path.getKey());
                describe(entry.getValue(), access);
                clientAuthentication |= access.allowsClientAuthentication() && !access.isPublic();
            }
        }
        // Declared only where an operation uses it: an unused scheme is noise in every other document.
        if (clientAuthentication) {
            components.addSecurityScheme(CLIENT_SECRET_BASIC, clientSecretBasic());
        }
    }

    private void describe(Operation operation, ResourceMethods.Access access) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        if (access.isPublic()) {
            operation.setSecurity(List.of());
        } else {
            List<SecurityRequirement> security = new ArrayList<>(anyCredential(access.requiredScope().orElse(null)));
            if (access.allowsClientAuthentication()) {
                security.add(OASFactory.createSecurityRequirement().addScheme(CLIENT_SECRET_BASIC, List.of()));
                // client_secret_post: the client's id and secret travel in the body, so no header is required at all.
                security.add(OASFactory.createSecurityRequirement());
            }
            operation.setSecurity(security);
            addIfAbsent(responses, "401", "UNAUTHORIZED: missing, malformed, expired or revoked credential");
            access.requiredScope().ifPresent(scope -> addIfAbsent(responses, "403", "INSUFFICIENT_SCOPE: needs " + scope));
            addIfAbsent(responses, "429", "RATE_LIMITED: the organization's plan budget is spent; Retry-After says when to retry");
        }
        if (responses.getAPIResponses() == null) {
            return;
        }
        for (Map.Entry<String, APIResponse> response : responses.getAPIResponses().entrySet()) {
            boolean error = response.getKey().startsWith("4") || response.getKey().startsWith("5");
            if (error && response.getValue().getRef() == null && response.getValue().getContent() == null) {
                response.getValue().setContent(OASFactory.createContent().addMediaType("application/json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_REF))));
            }
        }
    }

    private static void addIfAbsent(APIResponses responses, String status, String description) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description));
        }
    }

    /** Any one of the three credentials; for a scoped operation each names the scope (OpenAPI 3.1 allows roles on any scheme). */
    private static List<SecurityRequirement> anyCredential(String scope) {
        List<String> scopes = scope == null ? List.of() : List.of(scope);
        return List.of(
                OASFactory.createSecurityRequirement().addScheme(BEARER, scopes),
                OASFactory.createSecurityRequirement().addScheme(API_KEY, scopes),
                OASFactory.createSecurityRequirement().addScheme(SIGNED_REQUEST, scopes));
    }

    private static SecurityScheme bearer() {
        return OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("bearer")
                .bearerFormat("JWT")
                .description("An access token from POST /v1/auth/token (OAuth 2.0 client credentials, RFC 6749), or from a trusted "
                        + "Keycloak realm, sent as `Authorization: Bearer <token>`. RS256/ES256 JWT, valid one hour; its `scope` "
                        + "claim must hold the operation's scope (`admin` holds all). The operator credential is sent the same way. "
                        + "API keys may also be sent as `Authorization: Bearer wft_...`.");
    }

    private static SecurityScheme apiKey() {
        return OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER)
                .name(ApiKeyVerifier.HEADER)
                .description("An API key (`wft_live_...` or `wft_test_...`) from POST /v1/api-keys, with the scopes it was created with. "
                        + "Also accepted as `Authorization: Bearer wft_...`; send one credential only.");
    }

    private static SecurityScheme clientSecretBasic() {
        return OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("basic")
                .description("OAuth 2.0 client authentication (RFC 6749 section 2.3), as at POST /v1/auth/token: the client's id and "
                        + "secret as HTTP Basic (client_secret_basic), or as client_id and client_secret in the body (client_secret_post, "
                        + "hence the empty alternative). Failures answer in RFC 6749's error shape.");
    }

    private static SecurityScheme signedRequest() {
        return OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme(SignedRequestVerifier.SCHEME)
                .description("An HMAC-signed request with a signing key from POST /v1/signing-keys: "
                        + "`Authorization: WEFT-HMAC key_id=\"sk_...\", timestamp=\"<unix seconds>\", signature=\"sha256=<hex>\"`, "
                        + "the HMAC-SHA256 of `timestamp \\n METHOD \\n path-and-query \\n hex(sha256(body))`. Timestamps more than "
                        + "300 s away are refused (TIMESTAMP_OUT_OF_RANGE), and so is a signature seen before. See docs/authentication.md.");
    }

    private static Schema errorSchema() {
        List<Object> codes = Arrays.stream(ErrorCode.values()).map(code -> (Object) code.name()).toList();
        Schema error = OASFactory.createSchema()
                .type(List.of(Schema.SchemaType.OBJECT))
                .addRequired("code").addRequired("message").addRequired("request_id")
                .addProperty("code", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)).enumeration(codes)
                        .description("Stable, machine-readable; the table in docs/api-conventions.md says when each is used"))
                .addProperty("message", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("For people; may change between versions"))
                .addProperty("details", OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                        .additionalPropertiesSchema(OASFactory.createSchema())
                        .description("Facts about the failure, e.g. field and constraint for validation, required_scope for 403"))
                .addProperty("request_id", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("The X-Request-Id of the exchange; quote it when reporting a problem"));
        return OASFactory.createSchema()
                .type(List.of(Schema.SchemaType.OBJECT))
                .description("The one error shape of every Weft API error")
                .addRequired("error")
                .addProperty("error", error)
                .examples(List.of(Map.of("error", ordered(
                        "code", "INVALID_REQUEST",
                        "message", "name must not be blank",
                        "details", ordered("field", "name", "constraint", "required"),
                        "request_id", "req_01jd7k3m9x2b8v4n6q5r0t1w2y"))));
    }

    /** Map.of iterates in a different order in each JVM; the stored document must not change between builds. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Server server(String url, String description, Map<String, org.eclipse.microprofile.openapi.models.servers.ServerVariable> variables) {
        Server server = OASFactory.createServer().url(url).description(description);
        variables.forEach(server::addVariable);
        return server;
    }
}
