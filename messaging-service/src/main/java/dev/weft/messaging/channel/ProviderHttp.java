package dev.weft.messaging.channel;

import dev.weft.messaging.MessagingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.weft.messaging.message.ChannelSender.SendOutcome;
import dev.weft.platform.http.outbound.VendorClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Function;

/**
 * The adapters' one HTTP client, the platform's {@link VendorClient} (HTTP/1.1 keep-alive, blocking: senders run on
 * virtual or worker threads), and the rule every adapter shares: a 2xx is read by the adapter; 429, 5xx, a timeout or a
 * refused connection is {@link SendOutcome#retry}; any other 4xx is {@link SendOutcome#failed} with the provider's own
 * error code.
 */
@ApplicationScoped
public class ProviderHttp {
    private final VendorClient http;
    private final ObjectMapper json;
    private final ChannelsConfig config;

    public ProviderHttp(ObjectMapper json, MessagingConfig messaging) {
        this.json = json;
        this.config = messaging.channels();
        this.http = new VendorClient(HttpClient.Version.HTTP_1_1, config.sendTimeout());
    }

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
            reply = post(url, headers, body);
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
