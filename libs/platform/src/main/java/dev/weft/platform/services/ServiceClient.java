package dev.weft.platform.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.weft.platform.auth.InternalCredentialVerifier;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.events.Failures;
import dev.weft.platform.events.TraceHeaders;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;

import io.netty.buffer.ByteBufInputStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls another Weft service on behalf of the current org with no user present (a sync run, a workflow step): Vert.x's
 * HTTP client, waited for by the calling thread (callers run on virtual or worker threads, never on an event loop), JSON with the service's own ObjectMapper, and
 * the internal credential ({@code Authorization: Weft-Internal}, the org and this service's name in headers) that the
 * callee's {@link InternalCredentialVerifier} accepts on {@code /internal/} paths only. Public paths of the callee
 * (e.g. describe) have internal twins for this reason.
 *
 * <p>Failures: an error answer is a {@link ServiceCallException} with the callee's code, message and details; a callee
 * that cannot be reached (refused, reset, timed out) is a {@link Unavailable}, which the platform treats as transient
 * ({@link Failures#isTransient}): due work and consumers wait it out rather than failing what they were doing.
 */
@ApplicationScoped
public class ServiceClient {
    /** The services this one can call, with their configured endpoints. */
    public enum Service {
        CONNECTIONS("connections-service"),
        MESSAGING("messaging-service");

        private final String serviceName;

        Service(String serviceName) {
            this.serviceName = serviceName;
        }

        public String serviceName() {
            return serviceName;
        }
    }

    /** The callee could not be reached or did not answer in time: try again later. */
    public static class Unavailable extends Failures.Transient {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final HttpClient http;
    private final long connectTimeoutMillis;
    private final ObjectMapper json;
    private final ObjectMapper smile;
    private final ServicesConfig services;
    private final Optional<String> token;
    private final String caller;

    public ServiceClient(ServicesConfig services, PlatformConfig platform, ObjectMapper json, Vertx vertx) {
        this.services = services;
        this.json = json;
        this.smile = SmileWire.mapper(json);
        this.token = platform.internalToken().map(String::trim).filter(t -> !t.isEmpty());
        this.caller = platform.serviceName();
        this.connectTimeoutMillis = services.connectTimeout().toMillis();
        // Vert.x's client on the application's event loops: a call costs a fraction of the JDK client's (its selector
        // thread, executor hand-offs and per-request futures were a tenth of a workflow execution's CPU). Connections
        // are kept alive and pooled per callee; the pool is sized for the workers that call at once (a workflow
        // replica's 32 step workers, a sync run's pages), further calls wait for a free connection.
        this.http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis)).setKeepAlive(true)
                .setMaxPoolSize(64).setName("weft-service-client"));
    }

    /** GETs {@code path} (e.g. {@code /internal/v1/connections/conn_.../objects}) and reads the answer as {@code type}. */
    public <T> T get(Service service, String path, Class<T> type) {
        return exchange(service, "GET", path, null, type, Map.of(), false);
    }

    /** POSTs {@code body} as JSON to {@code path} and reads the answer as {@code type}. */
    public <T> T post(Service service, String path, Object body, Class<T> type) {
        return exchange(service, "POST", path, body, type, Map.of(), false);
    }

    /**
     * As {@link #post(Service, String, Object, Class)} for a call that carries a batch of records: the body goes as Smile
     * and the answer is read as Smile, or as JSON if the callee answers in it ({@link SmileWire}: decimals keep every
     * digit, less CPU and fewer bytes than JSON text). Error answers are JSON, as always.
     */
    public <T> T postBatch(Service service, String path, Object body, Class<T> type) {
        return exchange(service, "POST", path, body, type, Map.of(), true);
    }

    /**
     * As {@link #post(Service, String, Object, Class)}, with further request headers (an {@code Idempotency-Key}, so the
     * callee runs a retried call once); they cannot replace the internal credential's headers.
     */
    public <T> T post(Service service, String path, Object body, Class<T> type, Map<String, String> headers) {
        return exchange(service, "POST", path, body, type, headers, false);
    }

    /** POSTs to a service at an explicit base URL (a test's own port, a service found at run time). */
    public <T> T post(String serviceName, String baseUrl, Duration timeout, String path, Object body, Class<T> type) {
        return exchange(serviceName, baseUrl, timeout, "POST", path, body, type, Map.of(), false);
    }

    /** GETs from a service at an explicit base URL. */
    public <T> T get(String serviceName, String baseUrl, Duration timeout, String path, Class<T> type) {
        return exchange(serviceName, baseUrl, timeout, "GET", path, null, type, Map.of(), false);
    }

    private <T> T exchange(Service service, String method, String path, Object body, Class<T> type, Map<String, String> headers, boolean batch) {
        ServicesConfig.Endpoint endpoint = endpoint(service);
        return exchange(service.serviceName(), endpoint.url(), endpoint.timeout(), method, path, body, type, headers, batch);
    }

    private <T> T exchange(String serviceName, String baseUrl, Duration timeout, String method, String path, Object body, Class<T> type,
                           Map<String, String> headers, boolean batch) {
        if (Context.isOnEventLoopThread()) {
            // The answer is handled on an event loop; waiting for it on one could wait on itself until the timeout.
            throw new IllegalStateException("ServiceClient waits for its answer: call it from a worker or virtual thread, not an event loop");
        }
        String orgId = TenantContext.requireOrgId();
        String secret = token.orElseThrow(() -> new IllegalStateException(
                "weft.platform.internal-token is not set: this service cannot call " + serviceName));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.valueOf(method))
                .setAbsoluteURI(trimSlashes(baseUrl) + path).setTimeout(timeout.toMillis()).setFollowRedirects(false);
        headers.forEach(request::addHeader);
        // Set after the caller's headers, so none of them can stand in for the credential, org or caller.
        request.putHeader("Authorization", InternalCredentialVerifier.SCHEME + " " + secret)
                .putHeader(InternalCredentialVerifier.ORG_HEADER, orgId)
                .putHeader(InternalCredentialVerifier.CALLER_HEADER, caller)
                .putHeader("Accept", batch ? SmileWire.ACCEPT : "application/json");
        String traceparent = TraceHeaders.currentTraceparent();
        if (traceparent != null) {
            request.putHeader(TraceHeaders.TRACEPARENT, traceparent);
        }
        Buffer payload = null;
        if (body != null) {
            try {
                PiecedBuffer.Out out = PiecedBuffer.out();
                (batch ? smile : json).writeValue(out, body);
                payload = out.buffer();
            } catch (IOException e) {
                throw new IllegalArgumentException("request body is not serialisable", e);
            }
            request.putHeader("Content-Type", batch ? SmileWire.MEDIA_TYPE : "application/json");
        }
        Buffer sent = payload;
        Answer answer = null;
        for (int attempt = 1; answer == null; attempt++) {
            try {
                answer = http.request(request)
                        .compose(call -> (sent == null ? call.send() : call.send(sent))
                                .compose(response -> PiecedBuffer.body(response).map(read -> new Answer(response.statusCode(), read,
                                        response.getHeader("Content-Type")))))
                        .toCompletionStage().toCompletableFuture()
                        // The request's own timeout (no answer within it) ends the call first; this only guards the wait.
                        .get(timeout.toMillis() + connectTimeoutMillis + 1_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                // A pooled connection the callee had just closed (its idle timeout): a GET changes nothing, so it goes
                // once more, on a new connection. Anything else may have been acted on, and is the caller's to retry.
                if (attempt == 1 && method.equals("GET") && cause instanceof io.vertx.core.http.HttpClosedException) {
                    continue;
                }
                throw new Unavailable(serviceName + " is unreachable: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : " " + cause.getMessage()), cause);
            } catch (TimeoutException e) {
                throw new Unavailable(serviceName + " did not answer within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted while calling " + serviceName, e);
            }
        }
        if (answer.status() / 100 != 2) {
            byte[] text = answer.body().getBytes(0, Math.min(answer.body().length(), 64 * 1024));
            throw error(serviceName, answer.status(), text);
        }
        if (type == Void.class) {
            return null;
        }
        // Read from the received bytes as they are: no copy of a large batch as text.
        try (InputStream in = new ByteBufInputStream(answer.body().getByteBuf())) {
            return (SmileWire.isSmile(answer.contentType()) ? smile : json).readValue(in, TypeFactory.defaultInstance().constructType(type));
        } catch (IOException e) {
            throw new Unavailable(serviceName + " answered unreadably: " + e.getMessage(), e);
        }
    }

    private record Answer(int status, Buffer body, String contentType) {
    }

    private static String trimSlashes(String baseUrl) {
        int end = baseUrl.length();
        while (end > 0 && baseUrl.charAt(end - 1) == '/') {
            end--;
        }
        return baseUrl.substring(0, end);
    }

    private ServiceCallException error(String serviceName, int status, byte[] body) {
        String code = null;
        String message = new String(body, StandardCharsets.UTF_8);
        Map<String, Object> details = Map.of();
        try {
            JsonNode error = json.readTree(body).path("error");
            if (error.isObject()) {
                code = error.path("code").asText(null);
                message = error.path("message").asText(message);
                if (error.path("details").isObject()) {
                    Map<String, Object> read = new LinkedHashMap<>();
                    error.path("details").fields().forEachRemaining(e -> read.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                    details = read;
                }
            }
        } catch (IOException | RuntimeException notJson) {
            // keep the raw text, cut short
        }
        if (message.length() > 500) {
            message = message.substring(0, 500) + "...";
        }
        return new ServiceCallException(serviceName, status, code, message, details);
    }

    private ServicesConfig.Endpoint endpoint(Service service) {
        return switch (service) {
            case CONNECTIONS -> services.connections();
            case MESSAGING -> services.messaging();
        };
    }
}
