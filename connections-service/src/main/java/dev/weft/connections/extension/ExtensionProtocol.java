package dev.weft.connections.extension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.platform.filter.Filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON of the extension protocol (docs/extensions-protocol.md): filters as text and as a
 * tree, and the answers of {@code /describe} and {@code /write} read back into SPI types. Every
 * name on the wire is snake_case.
 */
public final class ExtensionProtocol {
    static final ObjectMapper JSON = new ObjectMapper();

    private ExtensionProtocol() {
    }

    /**
     * The filter as a tree: {@code {"type":"and"|"or","filters":[...]}}, {@code {"type":"not","filter":{...}}},
     * {@code {"type":"compare","field","op":"eq|ne|lt|le|gt|ge|like|not_like","value"}},
     * {@code {"type":"in","field","values":[...],"negated"}}, {@code {"type":"is_null","field","negated"}}.
     */
    public static JsonNode filterTree(Filter filter) {
        ObjectNode node = JSON.createObjectNode();
        switch (filter) {
            case Filter.And and -> {
                node.put("type", "and");
                ArrayNode operands = node.putArray("filters");
                and.operands().forEach(f -> operands.add(filterTree(f)));
            }
            case Filter.Or or -> {
                node.put("type", "or");
                ArrayNode operands = node.putArray("filters");
                or.operands().forEach(f -> operands.add(filterTree(f)));
            }
            case Filter.Not not -> {
                node.put("type", "not");
                node.set("filter", filterTree(not.operand()));
            }
            case Filter.Compare compare -> {
                node.put("type", "compare");
                node.put("field", compare.field());
                node.put("op", compare.op().name().toLowerCase(Locale.ROOT));
                node.set("value", JSON.valueToTree(compare.value()));
            }
            case Filter.In in -> {
                node.put("type", "in");
                node.put("field", in.field());
                node.set("values", JSON.valueToTree(in.values()));
                node.put("negated", in.negated());
            }
            case Filter.IsNull isNull -> {
                node.put("type", "is_null");
                node.put("field", isNull.field());
                node.put("negated", isNull.negated());
            }
        }
        return node;
    }

    /** The filter in the text syntax users write ({@code quantity > 5 AND name LIKE 'A%'}), canonically spelled. */
    public static String filterText(Filter filter) {
        return text(filter, true);
    }

    private static String text(Filter filter, boolean top) {
        return switch (filter) {
            case Filter.And and -> group(and.operands().stream().map(f -> text(f, false)).collect(Collectors.joining(" AND ")), top);
            case Filter.Or or -> group(or.operands().stream().map(f -> text(f, false)).collect(Collectors.joining(" OR ")), top);
            case Filter.Not not -> "NOT (" + text(not.operand(), true) + ")";
            case Filter.Compare c -> c.field() + " " + c.op().sql() + " " + literal(c.value());
            case Filter.In in -> in.field() + (in.negated() ? " NOT IN (" : " IN (")
                    + in.values().stream().map(ExtensionProtocol::literal).collect(Collectors.joining(", ")) + ")";
            case Filter.IsNull n -> n.field() + (n.negated() ? " IS NOT NULL" : " IS NULL");
        };
    }

    private static String group(String joined, boolean top) {
        return top ? joined : "(" + joined + ")";
    }

    private static String literal(Object value) {
        return switch (value) {
            case null -> "NULL";
            case String s -> "'" + s.replace("'", "''") + "'";
            case Boolean b -> b ? "TRUE" : "FALSE";
            case BigDecimal d -> d.toPlainString();
            default -> String.valueOf(value);
        };
    }

    /** The objects of a {@code /describe} answer. */
    static List<ObjectSchema> objects(JsonNode answer) {
        JsonNode objects = answer.path("objects");
        if (!objects.isArray()) {
            throw ConnectorException.upstream("extension answered describe without an objects array", 0);
        }
        List<ObjectSchema> schemas = new ArrayList<>();
        for (JsonNode object : objects) {
            String name = object.path("name").asText("");
            if (name.isBlank()) {
                throw ConnectorException.upstream("extension described an object without a name", 0);
            }
            List<FieldSchema> fields = new ArrayList<>();
            for (JsonNode field : object.path("fields")) {
                String type = field.path("type").asText("string");
                fields.add(new FieldSchema(field.path("name").asText(), type, field.path("native_type").asText(type),
                        field.path("nullable").asBoolean(true), field.path("read_only").asBoolean(false)));
            }
            Set<WriteMode> modes = EnumSet.noneOf(WriteMode.class);
            for (JsonNode mode : object.path("write_modes")) {
                try {
                    modes.add(WriteMode.parse(mode.asText()));
                } catch (IllegalArgumentException unknown) {
                    throw ConnectorException.upstream("extension described " + name + " with an unknown write mode " + mode.asText(), 0);
                }
            }
            List<String> primaryKey = new ArrayList<>();
            object.path("primary_key").forEach(k -> primaryKey.add(k.asText()));
            String cursorField = object.path("cursor_field").isTextual() ? object.path("cursor_field").asText() : null;
            ObjectSchema schema = new ObjectSchema(name, object.path("label").asText(name), List.copyOf(fields), List.copyOf(primaryKey),
                    cursorField, modes);
            Set<String> listed = cursorFields(name, object.path("cursor_fields"), fields);
            schemas.add(listed == null ? schema : schema.withCursorFields(field -> listed.contains(field.name())));
        }
        return List.copyOf(schemas);
    }

    /**
     * The names a describe lists in {@code cursor_fields} (absent: null, the default alone); {@link ObjectSchema#withCursorFields}
     * puts the default first. A name that is not one of the object's fields is the extension's mistake, refused like any other.
     */
    private static Set<String> cursorFields(String object, JsonNode listed, List<FieldSchema> fields) {
        if (listed.isMissingNode() || listed.isNull()) {
            return null;
        }
        if (!listed.isArray()) {
            throw ConnectorException.upstream("extension described " + object + " with cursor_fields that is not an array", 0);
        }
        Set<String> names = new HashSet<>();
        for (JsonNode entry : listed) {
            String name = entry.asText("");
            if (!entry.isTextual() || fields.stream().noneMatch(f -> f.name().equals(name))) {
                throw ConnectorException.upstream("extension described " + object + " with a cursor field " + entry + " that is not one of its fields", 0);
            }
            names.add(name);
        }
        return names;
    }

    /** Records of a {@code /query} or {@code /read} answer. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> records(JsonNode answer) {
        JsonNode records = answer.path("records");
        if (!records.isArray()) {
            throw ConnectorException.upstream("extension answered without a records array", 0);
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (JsonNode record : records) {
            if (!record.isObject()) {
                throw ConnectorException.upstream("extension answered a record that is not an object", 0);
            }
            list.add(JSON.convertValue(record, LinkedHashMap.class));
        }
        return list;
    }

    /** One result per written record, in order; a record the extension did not answer for failed. */
    /**
     * A count's answer: {@code count} a whole number of records, or null when the extension cannot count them cheaply
     * (then a run shows no percent); anything else is the extension's mistake.
     */
    static OptionalLong count(JsonNode answer) {
        JsonNode count = answer.get("count");
        if (count != null && count.isNull()) {
            return OptionalLong.empty();
        }
        if (count == null || !count.canConvertToExactIntegral() || !count.canConvertToLong() || count.asLong() < 0) {
            throw ConnectorException.upstream("extension answered count without a count that is a whole number of records or null", 0);
        }
        return OptionalLong.of(count.asLong());
    }

    static WriteResult results(JsonNode answer, int count) {
        WriteResult.RecordResult[] results = new WriteResult.RecordResult[count];
        for (JsonNode result : answer.path("results")) {
            int index = result.path("index").asInt(-1);
            if (index < 0 || index >= count) {
                continue;
            }
            results[index] = result.path("success").asBoolean(false)
                    ? WriteResult.RecordResult.ok(index, result.path("id").isNull() ? null : result.path("id").asText(null))
                    : WriteResult.RecordResult.failed(index, result.path("error").asText("extension reported a failure without a message"));
        }
        List<WriteResult.RecordResult> ordered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ordered.add(results[i] != null ? results[i] : WriteResult.RecordResult.failed(i, "extension returned no result for this record"));
        }
        return new WriteResult(ordered);
    }

    /** The message of an error answer {@code {"error":{"message":"..."}}}. */
    static String errorMessage(String body) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            JsonNode message = node == null ? null : node.path("error").path("message");
            return message != null && message.isTextual() ? message.asText() : null;
        } catch (Exception notJson) {
            return null;
        }
    }
}
