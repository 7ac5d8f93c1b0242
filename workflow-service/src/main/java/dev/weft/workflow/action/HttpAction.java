package dev.weft.workflow.action;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.http.outbound.CustomHeaders;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code http}: a request to {@code url} ({@code method}, default POST; {@code headers}; {@code body}, default the
 * current record), every text in them a template. Signed with the workflow's secret and carrying the step's idempotency
 * key (see {@link Sender}); a 5xx, 429, timeout or refused connection is retried per the action's policy, another 4xx
 * is not.
 */
@ApplicationScoped
public class HttpAction implements Action {
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final Sender sender;
    private final ObjectMapper json;

    public HttpAction(Sender sender, ObjectMapper json) {
        this.sender = sender;
        this.json = json;
    }

    @Override
    public boolean signs() {
        return true;
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public void check(ObjectNode config, String at) {
        String url = Actions.text(config, "url", at, true);
        if (!url.startsWith("https://") && !url.startsWith("http://") && !url.startsWith("{{")) {
            throw ApiException.invalid(at + ".url", "format", at + ".url must be an absolute http or https URL");
        }
        Templates.check(url, at + ".url");
        sender.checkUrl(url, at + ".url");
        String method = Actions.text(config, "method", at, false);
        if (method != null && !METHODS.contains(method)) {
            throw ApiException.invalid(at + ".method", "one_of", at + ".method must be one of GET, POST, PUT, PATCH, DELETE");
        }
        JsonNode headers = config.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw ApiException.invalid(at + ".headers", "type", at + ".headers must be an object of header name to text");
            }
            Map<String, String> given = new LinkedHashMap<>();
            headers.fields().forEachRemaining(h -> {
                if (!h.getValue().isTextual()) {
                    throw ApiException.invalid(at + ".headers." + h.getKey(), "type", at + ".headers." + h.getKey() + " must be text");
                }
                Templates.check(h.getValue().asText(), at + ".headers." + h.getKey());
                given.put(h.getKey(), h.getValue().asText());
            });
            // The same rule as a webhook endpoint's headers; a value is checked as written, its rendering again per run.
            CustomHeaders.check(given, at + ".headers");
        }
    }

    @Override
    public StepResult run(StepInput input) {
        ObjectNode config = input.config();
        List<String> missing = new ArrayList<>();
        Templates.Rendered url = Templates.render(config.get("url").asText(), input.context());
        missing.addAll(url.missing());
        String method = config.hasNonNull("method") ? config.get("method").asText() : "POST";
        Map<String, String> headers = new LinkedHashMap<>();
        if (config.hasNonNull("headers")) {
            config.get("headers").fields().forEachRemaining(h -> {
                Templates.Rendered value = Templates.render(h.getValue().asText(), input.context());
                missing.addAll(value.missing());
                if (!CustomHeaders.printable(value.text())) {
                    // The record's data put a line break (or another control character) into it: the same on every attempt.
                    throw StepFailure.permanent("INVALID_REQUEST", "header " + h.getKey() + " rendered to text with a control character, which HTTP cannot carry");
                }
                headers.put(h.getKey(), value.text());
            });
        }
        String body = null;
        if (!method.equals("GET") && !method.equals("DELETE")) {
            JsonNode given = config.get("body");
            JsonNode rendered = given == null || given.isNull() ? json.valueToTree(input.context().get("record"))
                    : Templates.renderAll(given, input.context(), missing, json);
            try {
                body = json.writeValueAsString(rendered);
            } catch (JsonProcessingException e) {
                throw StepFailure.permanent("INVALID_REQUEST", "the body cannot be written as JSON");
            }
        }
        Map<String, Object> output = sender.send(method, url.text(), headers, body, input.signingSecret(), input.idempotencyKey());
        return StepResult.of(output).withWarnings(Notes.missing(missing));
    }
}
