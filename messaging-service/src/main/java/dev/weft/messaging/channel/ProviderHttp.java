package dev.weft.messaging.channel;

import dev.weft.messaging.MessagingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.weft.messaging.message.ChannelSender.SendOutcome;
import dev.weft.platform.http.outbound.VendorClient;
import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Map;
import java.util.function.Function;

/**
 * The adapters' one HTTP client and the rule every adapter shares: a 2xx is read by the adapter; 429, 5xx, a timeout or
 * a refused connection is {@link SendOutcome#retry}; any other 4xx is {@link SendOutcome#failed} with the provider's own
 * error code. Calls are blocking (senders run on virtual or worker threads). An adapter's send goes out on Quarkus'
 * Vert.x HTTP client (HTTP/1.1, pooled keep-alive connections, redirects never followed, gzip answers inflated): the
 * JDK's client, which the platform's {@link VendorClient} wraps, cost several times its CPU per call (a fifth of a
 * send's, bench/messaging). The mail and calendar vendors' calls ({@link #exchange}, {@link #download}) stay on
 * {@link VendorClient}.
 */
@ApplicationScoped
public class ProviderHttp {
    private final VendorClient http;
    private final ObjectMapper json;
    private final ChannelsConfig config;

    private final io.vertx.core.http.HttpClient calls;
    private final io.vertx.core.Context context;
    private final long timeoutMillis;

    public ProviderHttp(ObjectMapper json, MessagingConfig messaging, Vertx vertx) {
        this.json = json;
        this.config = messaging.channels();
        this.http = new VendorClient(HttpClient.Version.HTTP_1_1, config.sendTimeout());
        this.timeoutMillis = Math.max(1, config.sendTimeout().toMillis());
        // A pool as wide as the sends in flight (Vert.x' default of 5 connections a host would queue them).
        this.context = ((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext();
        this.calls = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true)
                .setMaxPoolSize(POOL_SIZE).setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)).setDecompressionSupported(true)
                .setTcpNoDelay(true));
    }

    /** Connections kept to one provider host. */
    private static final int POOL_SIZE = 64;

    /** A provider's answer: status and JSON body (NullNode when it was not JSON). */
    public record Reply(int status, JsonNode body) {
    }

    /**
     * POSTs {@code body} as JSON and turns the answer into an outcome: {@code onSuccess} reads a 2xx, {@code errorCode}
     * picks the provider's code out of an error body.
     */
    public SendOutcome send(String provider, String url, Map<String, String> headers, Object body, Function<Reply, SendOutcome> onSuccess,
                            Function<JsonNode, String> errorCode, Function<JsonNode, String> errorMessage) {
        Reply reply;
        try {
            reply = call("POST", url, headers, body);
        } catch (IOException e) {
            return SendOutcome.retry(provider + "_unreachable", provider + " could not be reached: " + e.getClass().getSimpleName());
        }
        if (reply.status() / 100 == 2) {
            return onSuccess.apply(reply);
        }
        String code = errorCode.apply(reply.body());
        String message = errorMessage.apply(reply.body());
        code = code == null ? "http_" + reply.status() : code;
        message = VendorClient.shorten(message == null ? provider + " answered HTTP " + reply.status() : message);
        if (VendorClient.transientStatus(reply.status())) {
            return SendOutcome.retry(code, message);
        }
        return SendOutcome.failed(code, message);
    }

    public Reply post(String url, Map<String, String> headers, Object body) throws IOException {
        return exchange("POST", url, headers, body);
    }

    /**
     * Any method ({@code GET}, {@code PATCH}, {@code DELETE}, ...); {@code body} is sent as JSON when not null, for vendor
     * APIs that are more than a send (mail and calendar sync). The answer's body is read as JSON (NullNode when it is not);
     * the status is the caller's to read, only a transport failure throws.
     */
    public Reply exchange(String method, String url, Map<String, String> headers, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(config.sendTimeout()).header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        HttpResponse<String> response = http.exchange(request.build());
        JsonNode answer;
        try {
            answer = response.body() == null || response.body().isEmpty() ? NullNode.getInstance() : json.readTree(response.body());
        } catch (IOException notJson) {
            answer = NullNode.getInstance();
        }
        return new Reply(response.statusCode(), answer);
    }

    /**
     * {@link #exchange} on the Vert.x client: the adapters' sends (every {@code POST /v1/messaging/send} and reply makes
     * one). A transport failure or a timeout is the IOException.
     */
    private Reply call(String method, String url, Map<String, String> headers, Object body) throws IOException {
        RequestOptions options;
        try {
            options = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setAbsoluteURI(url).setFollowRedirects(false)
                    .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an http(s) URL: " + url, e);
        }
        options.putHeader("Accept", "application/json");
        Buffer payload = body == null ? null : Buffer.buffer(json.writeValueAsBytes(body));
        if (payload != null) {
            options.putHeader("Content-Type", "application/json");
        }
        headers.forEach(options::putHeader);
        // The whole exchange runs on the client's own event-loop context, so the answer's handlers are set in the same task
        // that receives its head: from the caller's (a virtual thread's) context, an answer's body was now and then lost.
        CompletableFuture<Reply> call = new CompletableFuture<>();
        context.runOnContext(ignored -> calls.request(options)
                .compose(request -> payload == null ? request.send() : request.send(payload))
                .compose(response -> response.body().map(answer -> new Reply(response.statusCode(), read(answer))))
                .onComplete(done -> {
                    if (done.succeeded()) {
                        call.complete(done.result());
                    } else {
                        call.completeExceptionally(done.cause());
                    }
                }));
        try {
            // The idle timeout ends a stalled call; this bounds one that trickles.
            return call.get(2 * timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getClass().getSimpleName() + " calling " + options.getHost(), cause);
        } catch (TimeoutException e) {
            throw new HttpTimeoutException("no answer from " + options.getHost() + " within " + 2 * timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + options.getHost(), e);
        }
    }

    /** An answer's body as JSON, NullNode when it is empty or not JSON. */
    private JsonNode read(Buffer answer) {
        if (answer == null || answer.length() == 0) {
            return NullNode.getInstance();
        }
        try {
            return json.readTree(answer.getBytes());
        } catch (IOException notJson) {
            return NullNode.getInstance();
        }
    }

    /**
     * A GET whose answer is streamed, not read as JSON (a vendor's file content); the caller reads the status and
     * closes the body.
     */
    public HttpResponse<java.io.InputStream> download(String url, Map<String, String> headers) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(config.sendTimeout()).GET();
        headers.forEach(request::header);
        return http.exchange(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    public static String trimSlash(String base) {
        return VendorClient.trimSlash(base);
    }
}
