package dev.weft.webhook.eventtype;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The public event-type catalog ({@code event-types.json}): every type an endpoint can subscribe
 * to, with a description and the JSON Schema of its {@code data}. Subscriptions name exact types or
 * wildcards ({@code sync.*}, {@code *}); anything else is refused when the endpoint is saved.
 */
@ApplicationScoped
public class EventTypeCatalog {
    private final Map<String, EventType> types = new LinkedHashMap<>();
    private final Set<String> namespaces;

    public record EventType(String type, String description, String source, JsonNode schema, JsonNode example) {
    }

    public EventTypeCatalog(ObjectMapper json) {
        try (InputStream in = EventTypeCatalog.class.getClassLoader().getResourceAsStream("event-types.json")) {
            if (in == null) {
                throw new IllegalStateException("event-types.json is missing");
            }
            List<Map<String, JsonNode>> entries = json.readValue(in, new TypeReference<>() {
            });
            for (Map<String, JsonNode> entry : entries) {
                String type = entry.get("type").asText();
                types.put(type, new EventType(type, text(entry.get("description")), text(entry.get("source")), entry.get("schema"), entry.get("example")));
            }
        } catch (IOException e) {
            throw new IllegalStateException("event-types.json is unreadable", e);
        }
        namespaces = types.keySet().stream().map(t -> t.substring(0, t.indexOf('.'))).collect(Collectors.toSet());
    }

    public List<EventType> all() {
        return new ArrayList<>(types.values());
    }

    /** Checks a subscription list; returns it trimmed and deduplicated, in order. */
    public List<String> validate(List<String> subscriptions) {
        List<String> checked = new ArrayList<>();
        for (int i = 0; i < subscriptions.size(); i++) {
            String pattern = subscriptions.get(i) == null ? "" : subscriptions.get(i).trim();
            boolean known = pattern.equals("*") || types.containsKey(pattern)
                    || pattern.endsWith(".*") && namespaces.contains(pattern.substring(0, pattern.length() - 2));
            if (!known) {
                throw ApiException.invalid("events[" + i + "]", "known_event_type",
                        "unknown event type " + pattern + "; GET /v1/event-types lists them (wildcards: sync.*, *)");
            }
            if (!checked.contains(pattern)) {
                checked.add(pattern);
            }
        }
        return checked;
    }

    /** Whether an event of {@code type} matches one of the subscriptions. */
    public static boolean matches(List<String> subscriptions, String type) {
        for (String pattern : subscriptions) {
            if (pattern.equals("*") || pattern.equals(type)
                    || pattern.endsWith(".*") && type.startsWith(pattern.substring(0, pattern.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
