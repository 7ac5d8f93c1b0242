package dev.weft.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import io.quarkus.arc.DefaultBean;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Asks auth-service's {@code POST /v1/auth/introspect} (RFC 7662, extended with
 * {@code token_type_hint=api_key|signing_key}) as the operator credential. An unreachable or
 * failing auth-service is a 503, never a 401: the caller's credential may be perfectly good.
 */
@DefaultBean
@ApplicationScoped
public class HttpCredentialIntrospector implements CredentialIntrospector {
    private final HttpClient http;
    private final URI url;
    private final Optional<String> token;
    private final Duration timeout;
    private final ObjectMapper json;

    public HttpCredentialIntrospector(PlatformConfig config, ObjectMapper json) {
        PlatformConfig.Auth auth = config.auth();
        this.url = URI.create(auth.introspectionUrl());
        this.token = auth.introspectionToken().filter(t -> !t.isBlank());
        this.timeout = auth.introspectionTimeout();
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Optional<CredentialGrant> apiKey(String presentedKey) {
        return introspect(presentedKey, "api_key");
    }

    @Override
    public Optional<CredentialGrant> signingKey(String keyId) {
        return introspect(keyId, "signing_key");
    }

    private Optional<CredentialGrant> introspect(String credential, String hint) {
        if (token.isEmpty()) {
            Log.warnf("event=introspection_not_configured hint=%s reason=weft.platform.auth.introspection-token_unset", hint);
            throw unavailable();
        }
        String form = "token=" + URLEncoder.encode(credential, StandardCharsets.UTF_8) + "&token_type_hint=" + hint;
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Authorization", "Bearer " + token.get())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            Log.warnf("event=introspection_failed hint=%s url=%s error=\"%s\"", hint, url, e.getClass().getSimpleName());
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
        if (response.statusCode() != 200) {
            Log.warnf("event=introspection_failed hint=%s url=%s status=%d", hint, url, response.statusCode());
            throw unavailable();
        }
        try {
            return parse(json.readTree(response.body()));
        } catch (IOException | RuntimeException e) {
            Log.warnf("event=introspection_failed hint=%s url=%s error=unparseable_answer", hint, url);
            throw unavailable();
        }
    }

    private static Optional<CredentialGrant> parse(JsonNode answer) {
        if (!answer.path("active").asBoolean(false)) {
            return Optional.empty();
        }
        Set<String> scopes = Arrays.stream(answer.path("scope").asText("").split(" "))
                .filter(s -> !s.isBlank()).collect(Collectors.toSet());
        Instant expiresAt = answer.hasNonNull("exp") ? Instant.ofEpochSecond(answer.get("exp").asLong()) : null;
        return Optional.of(new CredentialGrant(text(answer, "key_id"), text(answer, "org"), scopes, text(answer, "plan"),
                text(answer, "mode"), expiresAt, text(answer, "secret")));
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static ApiException unavailable() {
        return new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Credential verification is temporarily unavailable; retry shortly");
    }
}
