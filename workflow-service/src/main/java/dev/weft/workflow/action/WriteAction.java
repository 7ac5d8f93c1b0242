package dev.weft.workflow.action;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code write}: one record to {@code object} of connection {@code connection_id} through connections-service's data
 * API ({@code mode} insert, update or upsert by {@code key}). The record is the current one (as the trigger delivered it,
 * or as a transform left it), or {@code fields}: a map of field name to template, e.g.
 * {@code {"email": "{{Lead.Email}}"}}.
 */
@ApplicationScoped
public class WriteAction implements Action {
    private static final Set<String> MODES = Set.of("insert", "update", "upsert");

    private final ConnectionsClient connections;
    private final ObjectMapper json;

    public WriteAction(ConnectionsClient connections, ObjectMapper json) {
        this.connections = connections;
        this.json = json;
    }

    @Override
    public String type() {
        return "write";
    }

    @Override
    public void check(ObjectNode config, String at) {
        Actions.text(config, "connection_id", at, true);
        Actions.text(config, "object", at, true);
        String mode = Actions.text(config, "mode", at, false);
        if (mode != null && !MODES.contains(mode)) {
            throw ApiException.invalid(at + ".mode", "one_of", at + ".mode must be insert, update or upsert");
        }
        JsonNode key = config.get("key");
        if (key != null && !key.isNull() && !(key.isArray() && !key.isEmpty() && allText(key))) {
            throw ApiException.invalid(at + ".key", "type", at + ".key must be a list of field names");
        }
        if (("upsert".equals(mode) || "update".equals(mode)) && (key == null || key.isNull())) {
            throw ApiException.invalid(at + ".key", "required", at + "." + mode + " needs a key: the fields that identify the record");
        }
        JsonNode fields = config.get("fields");
        if (fields != null && !fields.isNull()) {
            if (!fields.isObject() || fields.isEmpty()) {
                throw ApiException.invalid(at + ".fields", "type", at + ".fields must be an object of field name to value or template");
            }
            fields.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual()) {
                    Templates.check(f.getValue().asText(), at + ".fields." + f.getKey());
                }
            });
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public StepResult run(StepInput input) {
        ObjectNode config = input.config();
        List<String> missing = new ArrayList<>();
        Map<String, Object> record;
        if (config.hasNonNull("fields")) {
            JsonNode rendered = Templates.renderAll(config.get("fields"), input.context(), missing, json);
            record = json.convertValue(rendered, new TypeReference<LinkedHashMap<String, Object>>() { });
        } else {
            record = input.context().get("record") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }
        String mode = config.hasNonNull("mode") ? config.get("mode").asText() : "insert";
        List<String> key = config.hasNonNull("key") ? json.convertValue(config.get("key"), new TypeReference<List<String>>() { }) : null;
        String connection = config.get("connection_id").asText();
        String object = config.get("object").asText();
        ConnectionsClient.WriteResponse response = connections.write(connection, new ConnectionsClient.WriteRequest(object, List.of(record), mode, key));
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("connection_id", connection);
        output.put("object", object);
        output.put("mode", mode);
        output.put("record", record);
        if (response != null && response.results() != null && !response.results().isEmpty()) {
            output.put("id", response.results().getFirst().id());
        }
        return StepResult.of(output).withWarnings(Notes.missing(missing));
    }

    private static boolean allText(JsonNode list) {
        for (JsonNode item : list) {
            if (!item.isTextual() || item.asText().isBlank()) {
                return false;
            }
        }
        return true;
    }
}
