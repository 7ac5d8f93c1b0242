package dev.weft.connections.connector;

import dev.weft.platform.http.outbound.VendorClient;
import io.quarkus.logging.Log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How SaaS connectors speak HTTP: one shared client, throttling honoured ({@code 429} and
 * {@code 503} are retried after the vendor's {@code Retry-After}, in seconds or as an HTTP date,
 * else with a short backoff), one forced token refresh after a {@code 401}, and every other
 * error turned into a {@link ConnectorException} carrying the vendor's own message.
 */
public final class VendorHttp {
    /** The platform's vendor client (keep-alive, no redirects, gzip bodies read); what its answers mean is decided here. */
    private static final VendorClient CLIENT = new VendorClient(null, Duration.ofSeconds(10));
    private static final int MAX_ATTEMPTS = 4;
    /** Longest wait honoured; a vendor asking for more gets a 502 the caller can retry later. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();

    private VendorHttp() {
    }

    /** A request built for a bearer token, so that it can be rebuilt after a refresh. */
    @FunctionalInterface
    public interface TokenRequest {
        HttpRequest build(String accessToken);
    }

    /**
     * A JSON request with the bearer token: {@code body} (null for none) is written with Jackson once, and the request
     * rebuilt around whichever token is current.
     */
    public static TokenRequest bearerJson(String method, URI uri, Object body) {
        String json;
        try {
            json = body == null ? null : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw ConnectorException.invalid("records", "json", "records cannot be written as JSON");
        }
        return token -> {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json");
            if (json != null) {
                builder.header("Content-Type", "application/json");
            }
            return builder.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build();
        };
    }

    /** Sends without OAuth (API tokens, basic auth, signed requests). */
    public static HttpResponse<String> send(String vendor, HttpRequest request, Function<HttpResponse<String>, String> errorMessage) {
        return send(vendor, token -> request, null, errorMessage);
    }

    /**
     * Sends with the connection's bearer token; after a 401 the token is refreshed once and the
     * request rebuilt. Returns only 2xx responses.
     */
    public static HttpResponse<String> send(String vendor, TokenRequest request, ConnectionCredentials oauth,
                                            Function<HttpResponse<String>, String> errorMessage) {
        String token = oauth == null ? null : oauth.accessToken();
        boolean refreshed = false;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = exchange(vendor, request.build(token));
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response;
            }
            if (status == 401 && oauth != null && !refreshed) {
                token = oauth.refreshAccessToken(token);
                refreshed = true;
                continue;
            }
            if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
                Duration wait = retryAfter(response).orElse(Duration.ofMillis(250L << attempt));
                if (wait.compareTo(MAX_RETRY_AFTER) <= 0) {
                    Log.infof("event=vendor_throttled vendor=%s status=%d retry_after_ms=%d attempt=%d", vendor, status, wait.toMillis(), attempt);
                    sleep(wait);
                    continue;
                }
            }
            throw failure(vendor, response, errorMessage);
        }
    }

    /** Maps a non-2xx response to the exception kind its status means. */
    public static ConnectorException failure(String vendor, HttpResponse<String> response, Function<HttpResponse<String>, String> errorMessage) {
        int status = response.statusCode();
        String message = vendor + " answered " + status + ": " + describe(response, errorMessage);
        // Some vendors (Salesforce's REQUEST_LIMIT_EXCEEDED) answer a used-up quota with 403: that is throttling, not bad credentials.
        boolean quota = status == 403 && message.toUpperCase(java.util.Locale.ROOT).contains("LIMIT");
        return switch (status) {
            case 401 -> ConnectorException.auth(message, status);
            case 403 -> quota ? ConnectorException.upstream(message, 429) : ConnectorException.auth(message, status);
            default -> ConnectorException.upstream(message, status);
        };
    }

    private static String describe(HttpResponse<String> response, Function<HttpResponse<String>, String> errorMessage) {
        String message = null;
        try {
            message = errorMessage.apply(response);
        } catch (RuntimeException ignored) {
            // An unreadable error body is still an error; fall back to its text.
        }
        if (message == null || message.isBlank()) {
            String body = response.body() == null ? "" : response.body().strip();
            message = body.isEmpty() ? "no error message" : body;
        }
        return VendorClient.shorten(message);
    }

    private static HttpResponse<String> exchange(String vendor, HttpRequest request) {
        try {
            return CLIENT.exchange(request);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw ConnectorException.unreachable(vendor + " call interrupted", e);
            }
            throw ConnectorException.unreachable(vendor + " did not answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return VendorClient.retryAfter(response);
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.unreachable("interrupted while waiting out a rate limit", e);
        }
    }
}
