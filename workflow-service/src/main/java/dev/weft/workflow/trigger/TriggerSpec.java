package dev.weft.workflow.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.FilterParser;
import dev.weft.platform.schedule.ScheduleExpression;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A trigger definition, checked: seed 000's types ({@code record_created|record_updated|record_deleted|field_changed}
 * on {@code connection_id} + {@code object} with an optional {@code filter} in the data API's grammar,
 * {@code field_changed} naming its {@code field}; {@code schedule} with {@code cron} and {@code timezone};
 * {@code api_call}), and any catalog event type (seed 001's Smart Triggers): {@code {"type":"message.created"}}, or
 * {@code {"type":"event","event_type":"message.created"}}, with an optional filter over the event's data.
 */
public record TriggerSpec(String type, String connectionId, String object, String eventType, String field, String filter, String cron,
                          String timezone) {
    public static final String EVENT = "event";
    private static final Map<String, String> RECORD_EVENTS = Map.of("record_created", "record.created", "record_updated", "record.updated",
            "record_deleted", "record.deleted", "field_changed", "record.updated");
    private static final Pattern EVENT_TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    public boolean watchesRecords() {
        return RECORD_EVENTS.containsKey(type);
    }

    public Filter parsedFilter() {
        return FilterParser.parse(filter);
    }

    /** Checks {@code trigger} (fields under {@code at}, e.g. {@code trigger}) and returns it normalised. */
    public static TriggerSpec check(JsonNode trigger, String at) {
        if (trigger == null || !trigger.isObject()) {
            throw ApiException.invalid(at, "type", at + " must be an object with a type");
        }
        ObjectNode given = (ObjectNode) trigger.deepCopy();
        if (given.has("config") && given.get("config").isObject()) {
            given.setAll((ObjectNode) given.remove("config"));
        }
        String type = text(given, "type", at, true);
        String filter = text(given, "filter", at, false);
        if (filter != null) {
            try {
                FilterParser.parse(filter);
            } catch (ApiException e) {
                throw ApiException.invalid(at + ".filter", "filter", at + ".filter: " + e.getMessage());
            }
        }
        if (RECORD_EVENTS.containsKey(type)) {
            String connection = text(given, "connection_id", at, true);
            String object = text(given, "object", at, true);
            String field = text(given, "field", at, type.equals("field_changed"));
            return new TriggerSpec(type, connection, object, RECORD_EVENTS.get(type), field, filter, null, null);
        }
        switch (type) {
            case "schedule" -> {
                String cron = text(given, "cron", at, false);
                if (cron == null) {
                    cron = text(given, "schedule", at, true);
                }
                String zone = text(given, "timezone", at, false);
                ScheduleExpression.parse(cron, zone, at + ".cron", at + ".timezone");
                return new TriggerSpec(type, null, null, null, null, null, cron.strip(), zone == null ? "UTC" : zone.strip());
            }
            case "api_call" -> {
                return new TriggerSpec(type, null, null, null, null, filter, null, null);
            }
            case EVENT -> {
                String eventType = text(given, "event_type", at, true);
                return event(eventType, filter, at + ".event_type");
            }
            default -> {
                if (type.contains(".")) {
                    return event(type, filter, at + ".type");
                }
                throw ApiException.invalid(at + ".type", "one_of", at + ".type must be record_created, record_updated, record_deleted, field_changed, "
                        + "schedule, api_call, or a catalog event type such as message.created");
            }
        }
    }

    private static TriggerSpec event(String eventType, String filter, String field) {
        if (!EVENT_TYPE.matcher(eventType).matches() || eventType.length() > 100) {
            throw ApiException.invalid(field, "format", field + " \"" + eventType + "\" is not an event type such as message.created");
        }
        if (eventType.startsWith("workflow.")) {
            // A workflow started by workflow events could start itself without end.
            throw ApiException.invalid(field, "one_of", field + ": workflow.* events cannot trigger workflows");
        }
        return new TriggerSpec(EVENT, null, null, eventType, null, filter, null, null);
    }

    private static String text(ObjectNode node, String field, String at, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiException.invalid(at + "." + field, "required", at + "." + field + " is required");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw ApiException.invalid(at + "." + field, "type", at + "." + field + " must be non-empty text");
        }
        if (value.asText().length() > 4096) {
            throw ApiException.invalid(at + "." + field, "max_length", at + "." + field + " is longer than 4096 characters");
        }
        return value.asText();
    }
}
