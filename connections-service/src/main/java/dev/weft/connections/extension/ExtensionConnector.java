package dev.weft.connections.extension;

import dev.weft.platform.webhooks.StandardWebhooks;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.CountSpec;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.VendorHttp;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.Filter;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connector a customer runs as their own HTTPS service (docs/extensions-protocol.md): each SPI
 * call is a signed JSON POST to {@code {base_url}/check|describe|query|read|write|count}. One instance
 * per registered extension, made by the extension registry (not a CDI bean).
 * Every request carries the connection's config and all its credential fields: they are the
 * customer's own secrets for the customer's own service.
 */
public class ExtensionConnector implements Connector {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String provider;
    private final URI baseUrl;
    private final StandardWebhooks signer;

    public ExtensionConnector(String provider, URI baseUrl, String secret) {
        if (baseUrl == null || baseUrl.getHost() == null
                || !("https".equalsIgnoreCase(baseUrl.getScheme()) || "http".equalsIgnoreCase(baseUrl.getScheme()))) {
            throw new IllegalArgumentException("extension base URL must be an http or https URL");
        }
        this.provider = provider;
        this.baseUrl = baseUrl;
        this.signer = new StandardWebhooks(secret);
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        AtomicReference<JsonNode> answer = new AtomicReference<>();
        CheckResult reached = CheckResult.probe(() -> answer.set(call("check", context, envelope(context))));
        if (reached.outcome() != CheckResult.Outcome.OK) {
            return reached;
        }
        String message = answer.get().path("message").asText(null);
        CheckResult.Outcome outcome = switch (answer.get().path("status").asText("")) {
            case "ok" -> CheckResult.Outcome.OK;
            case "degraded" -> CheckResult.Outcome.DEGRADED;
            case "failed" -> CheckResult.Outcome.FAILED;
            default -> null;
        };
        if (outcome == null) {
            return new CheckResult(CheckResult.Outcome.FAILED, "extension answered check without a status of ok, degraded or failed",
                    reached.latencyMillis());
        }
        return new CheckResult(outcome, message == null ? outcome.name().toLowerCase(java.util.Locale.ROOT) : message, reached.latencyMillis());
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        return ExtensionProtocol.objects(call("describe", context, envelope(context)));
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        ObjectNode body = envelope(context);
        body.put("object", query.object());
        body.set("fields", ExtensionProtocol.JSON.valueToTree(query.fields() == null ? List.of() : query.fields()));
        putFilter(body, query.filter());
        body.put("limit", query.limit());
        body.put("cursor", query.cursor());
        JsonNode answer = call("query", context, body);
        return new RecordPage(ExtensionProtocol.records(answer), cursor(answer, null), answer.path("has_more").asBoolean(false));
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        ObjectNode body = envelope(context);
        body.put("object", read.object());
        body.set("fields", ExtensionProtocol.JSON.valueToTree(read.fields() == null ? List.of() : read.fields()));
        body.put("cursor", read.cursor());
        // The field this read follows: the object's cursor_field, or another of its cursor_fields a sync chose.
        body.put("cursor_field", read.schema() == null ? null : read.schema().cursorField());
        body.put("batch_size", read.batchSize());
        JsonNode answer = call("read", context, body);
        // The new high-water mark; an extension that sends none keeps the old one.
        return new RecordPage(ExtensionProtocol.records(answer), cursor(answer, read.cursor()), answer.path("has_more").asBoolean(false));
    }

    /** The fields the extension listed in the object's {@code cursor_fields}. */
    @Override
    public boolean readsBy(ObjectSchema object, FieldSchema field) {
        return object.cursorFields().contains(field.name());
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        ObjectNode body = envelope(context);
        body.put("object", write.object());
        body.put("mode", write.mode().json());
        body.set("key", ExtensionProtocol.JSON.valueToTree(write.key() == null ? List.of() : write.key()));
        body.set("records", ExtensionProtocol.JSON.valueToTree(write.records()));
        return ExtensionProtocol.results(call("write", context, body), write.records().size());
    }

    /**
     * The optional count: records matching the filter, or those reads from a read's {@code next_cursor} would still
     * return, or those whose cursor field is after a value. An extension without it (404, 405, 501: written before count
     * existed) or answering {@code "count": null} cannot count, and a sync from it shows no percent.
     */
    @Override
    public OptionalLong count(ConnectorContext context, CountSpec count) {
        ObjectNode body = envelope(context);
        body.put("object", count.object());
        putFilter(body, count.filter());
        // After a read's cursor the field is the one that read followed (the schema it was read by); else the field the
        // value bounds, if any.
        String field = count.afterRead() != null ? (count.schema() == null ? null : count.schema().cursorField()) : count.cursorField();
        body.put("cursor_field", field);
        body.put("cursor", count.afterRead());
        body.set("after_value", ExtensionProtocol.JSON.valueToTree(count.afterRead() == null ? count.cursor() : null));
        JsonNode answer;
        try {
            answer = call("count", context, body);
        } catch (ConnectorException e) {
            if (NO_COUNT.contains(e.upstreamStatus())) {
                return OptionalLong.empty();
            }
            throw e;
        }
        return ExtensionProtocol.count(answer);
    }

    /** The statuses of an extension that has no count operation. */
    private static final java.util.Set<Integer> NO_COUNT = java.util.Set.of(404, 405, 501);

    private static void putFilter(ObjectNode body, Filter filter) {
        if (filter == null) {
            body.putNull("filter");
            body.putNull("filter_tree");
        } else {
            body.put("filter", ExtensionProtocol.filterText(filter));
            body.set("filter_tree", ExtensionProtocol.filterTree(filter));
        }
    }

    private static String cursor(JsonNode answer, String fallback) {
        JsonNode cursor = answer.path("next_cursor");
        return cursor.isTextual() && !cursor.asText().isEmpty() ? cursor.asText() : fallback;
    }

    /** What every request carries: the connection (id and config) and its credentials. */
    private ObjectNode envelope(ConnectorContext context) {
        ObjectNode body = ExtensionProtocol.JSON.createObjectNode();
        ObjectNode connection = body.putObject("connection");
        connection.put("id", context.connectionId());
        connection.set("config", ExtensionProtocol.JSON.valueToTree(context.config() == null ? Map.of() : context.config()));
        ObjectNode credentials = body.putObject("credentials");
        for (String field : context.credentials().fieldNames()) {
            context.credentials().get(field).ifPresent(value -> credentials.put(field, value));
        }
        return body;
    }

    private JsonNode call(String operation, ConnectorContext context, ObjectNode body) {
        String json = body.toString();
        StandardWebhooks.Signature signature = signer.sign(json);
        URI uri = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/" + operation);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", "Weft-Extensions/1")
                .header(StandardWebhooks.ID_HEADER, signature.id())
                .header(StandardWebhooks.TIMESTAMP_HEADER, String.valueOf(signature.timestamp()))
                .header(StandardWebhooks.SIGNATURE_HEADER, signature.signature())
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response;
        try {
            response = VendorHttp.send(vendor(), request, r -> ExtensionProtocol.errorMessage(r.body()));
        } catch (ConnectorException e) {
            if (e.upstreamStatus() == 400) {
                // The extension refused the request itself (unknown object, bad value): the caller's fault.
                throw new ConnectorException(ConnectorException.Kind.INVALID, e.getMessage(), 400,
                        Map.of("field", "request", "constraint", "extension"), e);
            }
            throw e;
        }
        try {
            JsonNode answer = ExtensionProtocol.JSON.readTree(response.body());
            if (answer == null || !answer.isObject()) {
                throw ConnectorException.upstream(vendor() + " answered " + operation + " with something other than a JSON object", response.statusCode());
            }
            return answer;
        } catch (JsonProcessingException e) {
            throw ConnectorException.upstream(vendor() + " answered " + operation + " with a body that is not JSON", e);
        }
    }

    private String vendor() {
        return "extension " + provider;
    }
}
