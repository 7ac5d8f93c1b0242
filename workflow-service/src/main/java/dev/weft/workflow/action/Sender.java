package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.http.AddressPolicy;
import dev.weft.platform.http.OutboundUrls;
import dev.weft.platform.http.outbound.OutboundClient;
import dev.weft.platform.http.outbound.OutboundOptions;
import dev.weft.platform.http.outbound.OutboundOutcome;
import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.workflow.WorkflowConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Sends the requests of http actions and webhook notifications: through the platform's address-guarded client (SSRF
 * checks at connect time, no redirects, the policy of {@code weft.workflow.allow-http}/{@code allowed-cidrs}), signed
 * per Standard Webhooks with the workflow's secret, and carrying the step's idempotency key ({@code Idempotency-Key}
 * and {@code webhook-id}), the same on every attempt, so a receiver can drop a retried request it already handled.
 */
@ApplicationScoped
public class Sender {
    private final OutboundClient client;
    private final AddressPolicy policy;
    private final WorkflowConfig config;
    private final ObjectMapper json;

    public Sender(Vertx vertx, WorkflowConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.policy = AddressPolicy.of(config.allowedCidrs().orElse(List.of()), config.allowHttp());
        this.client = new OutboundClient(vertx, policy, OutboundOptions.defaults().withUserAgent("Weft-Workflows/1"));
    }

    /**
     * Checks a URL as written in an action, when the workflow is saved: scheme, no credentials, and the addresses its
     * host resolves to, under the policy the sends use (as a webhook endpoint's URL is checked). A URL with a template
     * is checked only when rendered, at connect time; so is a host that does not resolve yet.
     */
    public void checkUrl(String url, String field) {
        if (url.contains("{{")) {
            return;
        }
        OutboundUrls.check(url, field, policy, OutboundUrls.Unresolvable.ACCEPTED);
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** Sends and returns {@code {status, body}}; a failed or refused request is a {@link StepFailure}. */
    public Map<String, Object> send(String method, String url, Map<String, String> headers, String body, String signingSecret, String idempotencyKey) {
        URI target;
        try {
            target = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw StepFailure.permanent("INVALID_REQUEST", "the URL \"" + url + "\" is not a valid URL");
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Idempotency-Key", idempotencyKey);
        if (signingSecret != null) {
            StandardWebhooks.Signature signature = new StandardWebhooks(signingSecret).sign(idempotencyKey, Instant.now().getEpochSecond(),
                    body == null ? "" : body);
            all.put(StandardWebhooks.ID_HEADER, signature.id());
            all.put(StandardWebhooks.TIMESTAMP_HEADER, Long.toString(signature.timestamp()));
            all.put(StandardWebhooks.SIGNATURE_HEADER, signature.signature());
        }
        OutboundOutcome outcome;
        try {
            outcome = client.send(HttpMethod.valueOf(method), target, all, body, config.httpTimeout()).toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepFailure.retryable("TIMEOUT", "interrupted while waiting for " + target.getHost());
        } catch (ExecutionException e) {
            throw StepFailure.retryable("UPSTREAM_ERROR", "the request failed: " + e.getCause());
        }
        if (!outcome.responded()) {
            boolean retryable = outcome.failure() != OutboundOutcome.Failure.BLOCKED_ADDRESS && outcome.failure() != OutboundOutcome.Failure.INVALID_URL;
            throw new StepFailure(outcome.failure() == OutboundOutcome.Failure.TIMEOUT ? "TIMEOUT" : "UPSTREAM_ERROR",
                    outcome.failure().name().toLowerCase() + ": " + outcome.error(), retryable);
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("status", outcome.statusCode());
        output.put("body", parsed(outcome.responseExcerpt()));
        output.put("latency_ms", outcome.latencyMillis());
        if (!outcome.succeeded()) {
            int status = outcome.statusCode();
            boolean retryable = status >= 500 || status == 429 || status == 408;
            throw new StepFailure("UPSTREAM_ERROR", "the server answered " + status + ": " + excerpt(outcome.responseExcerpt()), retryable);
        }
        return output;
    }

    private Object parsed(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        try {
            return json.readValue(body, Object.class);
        } catch (Exception notJson) {
            return body;
        }
    }

    private static String excerpt(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
