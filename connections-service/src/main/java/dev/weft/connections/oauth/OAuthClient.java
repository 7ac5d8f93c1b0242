package dev.weft.connections.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connection.ProviderSettings;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.ProviderCatalog;
import dev.weft.connections.connector.ProviderDefinition;
import dev.weft.connections.connector.VendorHttp;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The provider side of OAuth 2.0 (RFC 6749, PKCE per RFC 7636, revocation per RFC 7009): endpoints
 * from the catalog, overridable per deployment ({@code weft.connections.providers.<p>.authorize-url},
 * {@code token-url}, {@code revoke-url}), client credentials from configuration. Token responses are
 * read leniently (Slack's {@code ok:false}, Salesforce's {@code instance_url}): anything beyond the
 * standard fields is kept with the credentials.
 */
@ApplicationScoped
public class OAuthClient {
    private static final Set<String> STANDARD_FIELDS = Set.of("access_token", "refresh_token", "expires_in", "token_type", "scope", "ok", "id_token");

    private final ProviderCatalog catalog;
    private final ProviderSettings settings;
    private final ObjectMapper json;

    public OAuthClient(ProviderCatalog catalog, ProviderSettings settings, ObjectMapper json) {
        this.catalog = catalog;
        this.settings = settings;
        this.json = json;
    }

    /** A provider's OAuth endpoints and client as configured in this deployment. */
    public record Endpoints(String provider, String authorizeUrl, String tokenUrl, Optional<String> revokeUrl, Optional<String> clientId,
                            Optional<String> clientSecret, List<String> scopes, String scopeSeparator, boolean pkce,
                            Map<String, String> extraAuthorizeParams, boolean basicClientAuth) {
        public boolean configured() {
            return clientId.isPresent();
        }
    }

    public record Tokens(String accessToken, Optional<String> refreshToken, Optional<Instant> expiresAt, Optional<String> scope,
                         Map<String, JsonNode> extra) {
    }

    public Optional<Endpoints> endpoints(String provider) {
        return catalog.find(provider).flatMap(ProviderDefinition::oauth).map(oauth -> {
            Map<String, String> extra = new LinkedHashMap<>();
            if (oauth.extraAuthorizeParams() != null) {
                oauth.extraAuthorizeParams().fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asText()));
            }
            List<String> scopes = settings.get(provider, "scopes").map(s -> List.of(s.split("[ ,]+"))).orElse(oauth.scopes());
            return new Endpoints(provider,
                    settings.get(provider, "authorize-url").orElse(oauth.authorizeUrl()),
                    settings.get(provider, "token-url").orElse(oauth.tokenUrl()),
                    settings.get(provider, "revoke-url").or(() -> Optional.ofNullable(oauth.revokeUrl()).filter(u -> !u.isBlank() && !u.equals("null"))),
                    settings.get(provider, "client-id"), settings.get(provider, "client-secret"),
                    scopes, oauth.scopeSeparator(), oauth.pkce(), extra,
                    settings.get(provider, "client-auth").map("basic"::equalsIgnoreCase).orElse(false));
        });
    }

    public Endpoints require(String provider) {
        Endpoints endpoints = endpoints(provider).orElseThrow(() -> ApiException.notFound("OAuth provider"));
        if (!endpoints.configured()) {
            throw ApiException.invalid("provider", "configured", "OAuth for " + provider
                    + " is not configured in this deployment: set weft.connections.providers." + provider + ".client-id and client-secret");
        }
        return endpoints;
    }

    public Tokens exchangeCode(String provider, String code, String codeVerifier, String redirectUri) {
        Endpoints endpoints = require(provider);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        if (endpoints.pkce()) {
            form.put("code_verifier", codeVerifier);
        }
        return tokens(endpoints, form);
    }

    public Tokens refresh(String provider, String refreshToken) {
        Endpoints endpoints = require(provider);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        return tokens(endpoints, form);
    }

    /** Revokes a token at the provider (RFC 7009); false when the provider has no revocation endpoint. */
    public boolean revoke(String provider, String token, String tokenTypeHint) {
        Endpoints endpoints = require(provider);
        if (endpoints.revokeUrl().isEmpty()) {
            return false;
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", token);
        form.put("token_type_hint", tokenTypeHint);
        VendorHttp.send(provider, request(endpoints, endpoints.revokeUrl().get(), form), this::oauthError);
        return true;
    }

    private Tokens tokens(Endpoints endpoints, Map<String, String> form) {
        HttpResponse<String> response;
        try {
            response = VendorHttp.send(endpoints.provider(), request(endpoints, endpoints.tokenUrl(), form), this::oauthError);
        } catch (ConnectorException e) {
            if (e.upstreamStatus() == 400 || e.upstreamStatus() == 401) {
                // invalid_grant and friends: the refresh token or code is no longer any good.
                throw e.getMessage().contains("invalid_grant") || form.get("grant_type").equals("refresh_token") && e.upstreamStatus() == 400
                        ? ConnectorException.grantExpired(e.getMessage(), e.upstreamStatus())
                        : e;
            }
            throw e;
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (Exception e) {
            throw ConnectorException.upstream(endpoints.provider() + " token endpoint answered with something other than JSON", response.statusCode());
        }
        if (body.path("ok").isBoolean() && !body.path("ok").asBoolean()) {
            String error = body.path("error").asText("unknown_error");
            throw error.contains("invalid") || error.contains("revoked") || error.contains("expired")
                    ? ConnectorException.grantExpired(endpoints.provider() + " refused the grant: " + error, 400)
                    : ConnectorException.upstream(endpoints.provider() + " token endpoint: " + error, response.statusCode());
        }
        String accessToken = body.path("access_token").asText(null);
        if (accessToken == null || accessToken.isBlank()) {
            throw ConnectorException.upstream(endpoints.provider() + " token endpoint returned no access_token", response.statusCode());
        }
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        body.fields().forEachRemaining(e -> {
            if (!STANDARD_FIELDS.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        });
        Optional<Instant> expiresAt = body.path("expires_in").canConvertToLong() && body.path("expires_in").asLong() > 0
                ? Optional.of(Instant.now().plus(Duration.ofSeconds(body.path("expires_in").asLong())).truncatedTo(ChronoUnit.SECONDS))
                : Optional.empty();
        return new Tokens(accessToken, Optional.ofNullable(body.path("refresh_token").asText(null)).filter(t -> !t.isBlank()),
                expiresAt, Optional.ofNullable(body.path("scope").asText(null)), extra);
    }

    private String oauthError(HttpResponse<String> response) {
        try {
            JsonNode error = json.readTree(response.body());
            String code = error.path("error").asText("");
            String description = error.path("error_description").asText("");
            return (code + (description.isEmpty() ? "" : ": " + description)).strip();
        } catch (Exception e) {
            return null;
        }
    }

    private static HttpRequest request(Endpoints endpoints, String url, Map<String, String> form) {
        Map<String, String> body = new LinkedHashMap<>(form);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        String clientId = endpoints.clientId().orElseThrow();
        String clientSecret = endpoints.clientSecret().orElse("");
        if (endpoints.basicClientAuth()) {
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8)));
        } else {
            body.put("client_id", clientId);
            if (!clientSecret.isEmpty()) {
                body.put("client_secret", clientSecret);
            }
        }
        String encoded = body.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        return builder.POST(HttpRequest.BodyPublishers.ofString(encoded)).build();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The credentials a token response gives a connection; a refresh without a new refresh token
     * keeps the old one. Of the provider's extra fields only those the auth type's credentials
     * schema declares are kept (Salesforce's {@code instance_url}), so stored credentials stay valid.
     */
    public ObjectNode apply(ObjectNode credentials, Tokens tokens, Set<String> declaredFields) {
        credentials.put("access_token", tokens.accessToken());
        tokens.refreshToken().ifPresent(t -> credentials.put("refresh_token", t));
        if (tokens.expiresAt().isPresent()) {
            credentials.put("expires_at", tokens.expiresAt().get().toString());
        } else {
            credentials.remove("expires_at");
        }
        tokens.scope().filter(s -> declaredFields.contains("scope")).ifPresent(s -> credentials.put("scope", s));
        tokens.extra().forEach((name, value) -> {
            if (declaredFields.contains(name)) {
                credentials.set(name, value);
            }
        });
        return credentials;
    }
}
