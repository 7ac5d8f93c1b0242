package dev.weft.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Request bodies read by hand, so that seed 001's camelCase ({@code firstName}) is accepted beside the API's
 * snake_case, unknown fields are still refused, and every wrong type is a 400 naming its field.
 */
public final class Json {
    private static final Pattern CAMEL = Pattern.compile("[a-z][a-z0-9]*([A-Z][a-z0-9]*)+");
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private Json() {
    }

    /** The body's fields under their snake_case names; a field given both ways with two values, or not in {@code known}, is a 400. */
    public static Map<String, JsonNode> fields(JsonNode body, Set<String> known) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object");
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = snake(field.getKey());
            if (!known.contains(name)) {
                throw ApiException.invalid(field.getKey(), "unknown_field", "unknown field " + field.getKey());
            }
            JsonNode previous = fields.put(name, field.getValue());
            if (previous != null && !previous.equals(field.getValue())) {
                throw ApiException.invalid(name, "one_of", "give " + name + " once (it was given in snake_case and camelCase with two values)");
            }
        }
        return fields;
    }

    private static boolean hasUpperCase(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isUpperCase(name.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    public static String snake(String name) {
        // Most names arrive in snake_case: without an upper-case letter there is nothing to convert, and no regex to run.
        if (!hasUpperCase(name) || !CAMEL.matcher(name).matches()) {
            return name;
        }
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** A string field: absent or JSON null gives null; another type is a 400. Blank strings count as null. */
    public static String text(Map<String, JsonNode> fields, String name, int maxLength) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.invalid(name, "type", name + " must be a string");
        }
        String value = node.asText().strip();
        if (value.length() > maxLength) {
            throw ApiException.invalid(name, "max_length", name + " is longer than " + maxLength + " characters");
        }
        return value.isEmpty() ? null : value;
    }

    public static Boolean bool(Map<String, JsonNode> fields, String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw ApiException.invalid(name, "type", name + " must be true or false");
        }
        return node.booleanValue();
    }

    /** An object field, or null when absent. */
    public static ObjectNode object(Map<String, JsonNode> fields, String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiException.invalid(name, "type", name + " must be an object");
        }
        return (ObjectNode) node;
    }

    public static ObjectNode parseObject(String stored) {
        try {
            JsonNode node = stored == null ? null : PLAIN.readTree(stored);
            return node instanceof ObjectNode object ? object : PLAIN.createObjectNode();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored JSON unreadable", e);
        }
    }

    /** A stored JSON array (an empty one when absent or not an array). */
    public static com.fasterxml.jackson.databind.node.ArrayNode parseArray(String stored) {
        try {
            JsonNode node = stored == null ? null : PLAIN.readTree(stored);
            return node instanceof com.fasterxml.jackson.databind.node.ArrayNode array ? array : PLAIN.createArrayNode();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored JSON unreadable", e);
        }
    }

    public static String write(JsonNode node) {
        try {
            return PLAIN.writeValueAsString(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode newObject() {
        return PLAIN.createObjectNode();
    }
}
