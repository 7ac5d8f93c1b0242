package dev.weft.connections.connector.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.weft.connections.connector.ConnectorException;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as the HTTP connectors see it: vendor bodies parsed into trees, records turned into plain
 * JSON-compatible maps, dot paths into a body, and the vendor's error message found in the shapes
 * REST APIs commonly use.
 */
public final class VendorJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private VendorJson() {
    }

    /** Parses a vendor body; an unparsable one is the vendor's fault (UPSTREAM). */
    public static JsonNode parse(String vendor, String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ConnectorException.upstream(vendor + " answered with a body that is not JSON", e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON object as a record: LinkedHashMap with String, Integer/Long, Double, Boolean, null, Map and List values. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> record(JsonNode node) {
        return MAPPER.convertValue(node, LinkedHashMap.class);
    }

    public static Object value(JsonNode node) {
        return node == null || node.isMissingNode() ? null : MAPPER.convertValue(node, Object.class);
    }

    /** Follows a dot path ({@code meta.next_cursor}, {@code data.items}); an empty path is the node itself. */
    public static JsonNode at(JsonNode root, String dotPath) {
        if (dotPath == null || dotPath.isBlank()) {
            return root;
        }
        JsonNode node = root;
        for (String part : dotPath.split("\\.")) {
            node = node.isArray() && part.chars().allMatch(Character::isDigit) ? node.path(Integer.parseInt(part)) : node.path(part);
        }
        return node;
    }

    /** Text of a node, or null when it is missing, null or empty. */
    public static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        String text = node.isValueNode() ? node.asText() : node.toString();
        return text.isEmpty() ? null : text;
    }

    /**
     * The error message of a vendor's error body, looked up where REST APIs put it:
     * {@code message}, {@code error.message}, {@code error_description}, {@code error} (text),
     * {@code errors[0].message}, {@code detail}, {@code title}.
     */
    public static String errorMessage(HttpResponse<String> response) {
        JsonNode body;
        try {
            body = MAPPER.readTree(response.body() == null ? "" : response.body());
        } catch (JsonProcessingException notJson) {
            return null;
        }
        if (body == null || !body.isObject()) {
            return null;
        }
        for (String path : List.of("error.message", "message", "error_description", "errors.0.message", "detail", "title")) {
            String message = text(at(body, path));
            if (message != null && !at(body, path).isContainerNode()) {
                return message;
            }
        }
        JsonNode error = body.path("error");
        if (error.isTextual()) {
            return error.asText();
        }
        JsonNode firstError = body.path("errors").path(0);
        return firstError.isTextual() ? firstError.asText() : null;
    }
}
