package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The action types, and what every action shares: its fields may be given flat (seed 000's
 * {@code {"type":"write","connection_id":...,"object":"Contact"}}) or in {@code config}, or both; and a {@code retry}
 * policy ({@code max_attempts}, {@code backoff_ms}, doubling up to {@code max_backoff_ms}).
 */
@ApplicationScoped
public class Actions {
    public static final int MAX_ACTIONS = 50;
    private static final Set<String> COMMON = Set.of("type", "config", "name", "retry");

    private final Map<String, Action> byType = new TreeMap<>();

    public Actions(Instance<Action> actions) {
        actions.forEach(a -> byType.put(a.type(), a));
    }

    /** Retry policy of one action: attempts in all (first included), backoff before the second, doubling. */
    public record Retry(int maxAttempts, Duration backoff, Duration maxBackoff) {
        public Duration after(int attempts) {
            long millis = backoff.toMillis() << Math.min(20, Math.max(0, attempts - 1));
            return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
        }
    }

    public Action require(String type) {
        Action action = byType.get(type);
        if (action == null) {
            throw new IllegalStateException("no action of type " + type);
        }
        return action;
    }

    /** Checks a workflow's {@code actions}: 1 to 50 objects, each of a known type with a configuration it accepts. */
    public void check(JsonNode actions) {
        if (actions == null || actions.isNull()) {
            throw ApiException.invalid("actions", "required", "actions is required: a list of 1 to " + MAX_ACTIONS + " actions");
        }
        if (!actions.isArray() || actions.isEmpty() || actions.size() > MAX_ACTIONS) {
            throw ApiException.invalid("actions", "type", "actions must be a list of 1 to " + MAX_ACTIONS + " actions");
        }
        for (int i = 0; i < actions.size(); i++) {
            String at = "actions[" + i + "]";
            JsonNode action = actions.get(i);
            if (!action.isObject()) {
                throw ApiException.invalid(at, "type", at + " must be an object with a type");
            }
            JsonNode type = action.get("type");
            if (type == null || !type.isTextual() || !byType.containsKey(type.asText())) {
                throw ApiException.invalid(at + ".type", "one_of", at + ".type must be one of " + String.join(", ", byType.keySet()));
            }
            if (action.has("config") && !action.get("config").isObject()) {
                throw ApiException.invalid(at + ".config", "type", at + ".config must be an object");
            }
            if (action.has("name") && (!action.get("name").isTextual() || action.get("name").asText().length() > 200)) {
                throw ApiException.invalid(at + ".name", "type", at + ".name must be text of at most 200 characters");
            }
            retry(action, at);
            byType.get(type.asText()).check(config(action), at);
        }
    }

    /** The action's fields and its {@code config} object as one (config wins), without type, name and retry. */
    public static ObjectNode config(JsonNode action) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        action.fields().forEachRemaining(f -> {
            if (!COMMON.contains(f.getKey())) {
                merged.set(f.getKey(), f.getValue());
            }
        });
        JsonNode config = action.get("config");
        if (config != null && config.isObject()) {
            merged.setAll((ObjectNode) config);
        }
        return merged;
    }

    public static Retry retry(JsonNode action, String at) {
        JsonNode retry = action.get("retry");
        if (retry == null || retry.isNull()) {
            return new Retry(3, Duration.ofSeconds(1), Duration.ofMinutes(5));
        }
        if (!retry.isObject()) {
            throw ApiException.invalid(at + ".retry", "type", at + ".retry must be an object {max_attempts, backoff_ms, max_backoff_ms}");
        }
        int attempts = integer(retry, "max_attempts", 3, 1, 20, at);
        long backoff = integer(retry, "backoff_ms", 1000, 0, 3_600_000, at);
        long max = integer(retry, "max_backoff_ms", 300_000, 0, 86_400_000, at);
        return new Retry(attempts, Duration.ofMillis(backoff), Duration.ofMillis(Math.max(max, backoff)));
    }

    private static int integer(JsonNode node, String field, int fallback, int min, int max, String at) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw ApiException.invalid(at + ".retry." + field, "range", at + ".retry." + field + " must be an integer from " + min + " to " + max);
        }
        return value.asInt();
    }

    /** A required text field of an action's configuration, or a 400 naming it. */
    public static String text(ObjectNode config, String field, String at, boolean required) {
        JsonNode value = config.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiException.invalid(at + "." + field, "required", at + "." + field + " is required");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw ApiException.invalid(at + "." + field, "type", at + "." + field + " must be non-empty text");
        }
        if (value.asText().length() > 100_000) {
            throw ApiException.invalid(at + "." + field, "max_length", at + "." + field + " is too long");
        }
        return value.asText();
    }
}
