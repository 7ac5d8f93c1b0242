package dev.weft.connections.connector.hubspot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.VendorHttp;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteResult.RecordResult;
import dev.weft.connections.connector.WriteSpec;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * HubSpot's CRM v3 objects API: contacts, companies, deals and tickets. Queries use the search
 * endpoint (filters rendered by {@link HubspotFilterRenderer}) or the plain list when there is no
 * filter; incremental reads search by the last-modified property; writes use the batch endpoints.
 * Authenticates with a private app's token or an OAuth token the service keeps fresh.
 */
@ApplicationScoped
public class HubspotConnector implements Connector {
    static final String PROVIDER = "hubspot";
    static final String DEFAULT_BASE_URL = "https://api.hubapi.com";
    static final List<String> OBJECTS = List.of("contacts", "companies", "deals", "tickets");
    /** HubSpot's page size limit for lists and searches, and its batch size limit. */
    static final int MAX_PAGE = 100;
    static final int BATCH_LIMIT = 100;
    /** HubSpot caps IN / NOT_IN lists; the ids seen at one timestamp beyond this are re-read. */
    private static final int MAX_TIE_IDS = 100;
    private static final Duration SCHEMA_TTL = Duration.ofMinutes(5);
    private static final Pattern OBJECT = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Pattern PAGING_AFTER = Pattern.compile("[A-Za-z0-9_=-]{1,200}");
    private static final Pattern RECORD_ID = Pattern.compile("[0-9]{1,30}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Map<String, CachedSchemas> schemas = new ConcurrentHashMap<>();

    public HubspotConnector() {
        this(Clock.systemUTC());
    }

    HubspotConnector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> send(context, "GET", "/crm/v3/objects/contacts?limit=1", null));
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        CachedSchemas hit = schemas.get(context.connectionId());
        if (hit != null && hit.loadedAt().plus(SCHEMA_TTL).isAfter(clock.instant())) {
            return hit.schemas();
        }
        List<ObjectSchema> described = new ArrayList<>();
        for (String object : OBJECTS) {
            JsonNode properties = send(context, "GET", "/crm/v3/properties/" + object, null);
            List<FieldSchema> fields = new ArrayList<>();
            fields.add(new FieldSchema("id", "string", "id", false, true));
            for (JsonNode property : properties.path("results")) {
                String name = property.path("name").asText();
                if (name.isBlank() || "id".equals(name)) {
                    continue;
                }
                boolean readOnly = property.path("modificationMetadata").path("readOnlyValue").asBoolean(false)
                        || property.path("calculated").asBoolean(false);
                String nativeType = property.path("type").asText("string");
                fields.add(new FieldSchema(name, weftType(nativeType), nativeType + "/" + property.path("fieldType").asText(""), true, readOnly));
            }
            described.add(new ObjectSchema(object, label(object), List.copyOf(fields), List.of("hs_object_id"),
                    cursorField(object), Set.of(WriteMode.INSERT, WriteMode.UPDATE, WriteMode.UPSERT, WriteMode.DELETE)));
        }
        List<ObjectSchema> result = List.copyOf(described);
        schemas.put(context.connectionId(), new CachedSchemas(result, clock.instant()));
        return result;
    }

    static String weftType(String hubspotType) {
        return switch (hubspotType) {
            case "number" -> "number";
            case "date" -> "date";
            case "datetime" -> "datetime";
            case "bool" -> "boolean";
            default -> "string"; // string, enumeration, phone_number, json, object_coordinates
        };
    }

    /** Contacts kept their pre-"hs_" name for the last-modified property. */
    static String cursorField(String object) {
        return "contacts".equals(object) ? "lastmodifieddate" : "hs_lastmodifieddate";
    }

    private static String label(String object) {
        return Character.toUpperCase(object.charAt(0)) + object.substring(1);
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        String object = object(query.object());
        int limit = Math.clamp(query.limit(), 1, MAX_PAGE);
        List<String> fields = query.fields() == null ? List.of() : query.fields();
        List<String> properties = fields.stream().filter(f -> !"id".equals(f)).toList();
        String after = query.cursor();
        if (after != null && !PAGING_AFTER.matcher(after).matches()) {
            throw ConnectorException.invalid("cursor", "hubspot_cursor", "cursor is not one this connector returned");
        }
        JsonNode answer;
        if (query.filter() == null) {
            StringBuilder path = new StringBuilder("/crm/v3/objects/").append(object).append("?limit=").append(limit);
            if (!properties.isEmpty()) {
                path.append("&properties=").append(encode(String.join(",", properties)));
            }
            if (after != null) {
                path.append("&after=").append(encode(after));
            }
            answer = send(context, "GET", path.toString(), null);
        } else {
            Map<String, Object> search = new LinkedHashMap<>();
            search.put("filterGroups", HubspotFilterRenderer.filterGroups(query.filter()));
            if (!properties.isEmpty()) {
                search.put("properties", properties);
            }
            search.put("limit", limit);
            if (after != null) {
                search.put("after", after);
            }
            answer = send(context, "POST", "/crm/v3/objects/" + object + "/search", search);
        }
        String next = answer.path("paging").path("next").path("after").asText(null);
        return new RecordPage(records(answer, fields, query.schema()), next, next != null);
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        String object = object(read.object());
        String modified = read.schema() != null && read.schema().cursorField() != null ? read.schema().cursorField() : cursorField(object);
        int limit = Math.clamp(read.batchSize(), 1, MAX_PAGE);
        ReadCursor cursor = ReadCursor.parse(read.cursor());
        List<String> fields = read.fields() == null ? List.of() : read.fields();
        LinkedHashSet<String> properties = new LinkedHashSet<>(fields);
        properties.remove("id");
        properties.add(modified);
        properties.add("hs_object_id");

        List<Map<String, Object>> groups = new ArrayList<>();
        if (cursor != null) {
            // (modified > t) OR (modified = t AND id not already read): no record lost or repeated on a tied timestamp.
            String millis = String.valueOf(cursor.at().toEpochMilli());
            groups.add(Map.of("filters", List.of(Map.of("propertyName", modified, "operator", "GT", "value", millis))));
            List<Map<String, Object>> tie = new ArrayList<>();
            tie.add(Map.of("propertyName", modified, "operator", "EQ", "value", millis));
            if (!cursor.ids().isEmpty()) {
                tie.add(Map.of("propertyName", "hs_object_id", "operator", "NOT_IN", "values", cursor.ids()));
            }
            groups.add(Map.of("filters", tie));
        }
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("filterGroups", groups);
        search.put("sorts", List.of(Map.of("propertyName", modified, "direction", "ASCENDING")));
        search.put("properties", List.copyOf(properties));
        search.put("limit", limit);
        JsonNode answer = send(context, "POST", "/crm/v3/objects/" + object + "/search", search);

        ReadCursor next = cursor == null ? ReadCursor.START : cursor;
        List<Map<String, Object>> records = new ArrayList<>();
        for (JsonNode result : answer.path("results")) {
            String id = result.path("id").asText();
            Instant at = parseInstant(result.path("properties").path(modified).asText(null));
            if (at != null) {
                next = next.advance(at, id);
            }
            records.add(record(result, fields, read.schema()));
        }
        boolean more = answer.path("results").size() >= limit || answer.path("paging").path("next").hasNonNull("after");
        return new RecordPage(List.copyOf(records), next.encode(), more);
    }

    /**
     * Any datetime property: the search filters and sorts by it as by the last-modified one. A record with no value in
     * it is read only by a read from the start (the search's filter on the cursor leaves it out).
     */
    @Override
    public boolean readsBy(ObjectSchema object, FieldSchema field) {
        return "datetime".equals(field.type());
    }

    /** Change capture: {@code POST /crm/v3/objects/{object}/search} with the filters, sorts and properties given. */
    public JsonNode search(ConnectorContext context, String object, Map<String, Object> search) {
        return send(context, "POST", "/crm/v3/objects/" + object(object) + "/search", search);
    }

    /**
     * Change capture: one page of the archived (deleted) records, {@code GET /crm/v3/objects/{object}?archived=true}; each
     * result has {@code archivedAt}. HubSpot keeps them for 90 days.
     */
    public JsonNode archived(ConnectorContext context, String object, String after, int limit) {
        if (after != null && !PAGING_AFTER.matcher(after).matches()) {
            throw ConnectorException.upstream("hubspot answered with an unexpected paging cursor", 0);
        }
        return send(context, "GET", "/crm/v3/objects/" + object(object) + "?archived=true&limit=" + Math.clamp(limit, 1, MAX_PAGE)
                + (after == null ? "" : "&after=" + encode(after)), null);
    }

    /** A search or list result as the data API shows it: {@code id}, then every property, typed by the schema. */
    public static Map<String, Object> record(JsonNode result, ObjectSchema schema) {
        return record(result, List.of(), schema);
    }

    /** A datetime property as HubSpot sends it (RFC 3339, or milliseconds since the epoch); null when absent or unreadable. */
    public static Instant instant(String value) {
        return parseInstant(value);
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        String object = object(write.object());
        List<String> key = write.key() == null || write.key().isEmpty() ? List.of("hs_object_id") : write.key();
        if (write.mode() != WriteMode.INSERT && key.size() != 1) {
            throw ConnectorException.invalid("key", "hubspot_key", "HubSpot matches records on exactly one property");
        }
        String keyField = key.getFirst();
        boolean byRecordId = "hs_object_id".equals(keyField) || "id".equals(keyField);
        List<RecordResult> results = new ArrayList<>();
        for (int start = 0; start < write.records().size(); start += BATCH_LIMIT) {
            List<Map<String, Object>> chunk = write.records().subList(start, Math.min(write.records().size(), start + BATCH_LIMIT));
            results.addAll(writeChunk(context, object, write.mode(), keyField, byRecordId, chunk, start));
        }
        return new WriteResult(List.copyOf(results));
    }

    private List<RecordResult> writeChunk(ConnectorContext context, String object, WriteMode mode, String keyField, boolean byRecordId,
                                          List<Map<String, Object>> chunk, int offset) {
        RecordResult[] results = new RecordResult[chunk.size()];
        List<Map<String, Object>> inputs = new ArrayList<>();
        Map<String, Integer> indexByMatch = new HashMap<>();
        for (int i = 0; i < chunk.size(); i++) {
            Map<String, Object> record = chunk.get(i);
            Map<String, Object> input = new LinkedHashMap<>();
            String match;
            if (mode == WriteMode.INSERT) {
                // HubSpot echoes objectWriteTraceId in results and errors, which ties them back to our records.
                match = String.valueOf(offset + i);
                input.put("objectWriteTraceId", match);
            } else {
                Object keyValue = byRecordId ? (record.get("id") != null ? record.get("id") : record.get("hs_object_id")) : record.get(keyField);
                if (keyValue == null || String.valueOf(keyValue).isBlank()) {
                    results[i] = RecordResult.failed(offset + i, "record has no " + keyField);
                    continue;
                }
                match = String.valueOf(keyValue);
                input.put("id", match);
                if (!byRecordId) {
                    input.put("idProperty", keyField);
                }
            }
            if (mode != WriteMode.DELETE) {
                input.put("properties", properties(record));
            }
            inputs.add(input);
            indexByMatch.put(normalise(match), i);
        }
        if (!inputs.isEmpty()) {
            String action = switch (mode) {
                case INSERT -> "create";
                case UPDATE -> "update";
                case UPSERT -> "upsert";
                case DELETE -> "archive";
            };
            try {
                JsonNode answer = send(context, "POST", "/crm/v3/objects/" + object + "/batch/" + action, Map.of("inputs", inputs));
                match(answer, mode, keyField, byRecordId, indexByMatch, results, offset);
            } catch (ConnectorException e) {
                // A 4xx about the batch (validation, conflict) fails its records; auth and outages fail the call.
                if (e.kind() != ConnectorException.Kind.UPSTREAM || e.upstreamStatus() < 400 || e.upstreamStatus() >= 500 || e.upstreamStatus() == 429) {
                    throw e;
                }
                indexByMatch.values().forEach(i -> results[i] = RecordResult.failed(offset + i, e.getMessage()));
            }
        }
        return Arrays.asList(results);
    }

    /** Ties HubSpot's results and errors (in no promised order) back to the records sent. */
    private static void match(JsonNode answer, WriteMode mode, String keyField, boolean byRecordId, Map<String, Integer> indexByMatch,
                              RecordResult[] results, int offset) {
        if (mode == WriteMode.DELETE) {
            // Archive answers 204 without a body: every id was archived (or was already gone).
            indexByMatch.forEach((match, i) -> results[i] = RecordResult.ok(offset + i, match));
            return;
        }
        for (JsonNode result : answer.path("results")) {
            String id = result.path("id").asText(null);
            String match = switch (mode) {
                case INSERT -> result.path("objectWriteTraceId").asText(null);
                case UPSERT, UPDATE -> byRecordId ? id : result.path("properties").path(keyField).asText(null);
                case DELETE -> null;
            };
            Integer index = match == null ? null : indexByMatch.get(normalise(match));
            if (index != null && results[index] == null) {
                // A create creates, an update changes; a batch upsert's result says which ("new").
                Boolean created = switch (mode) {
                    case INSERT -> Boolean.TRUE;
                    case UPDATE -> Boolean.FALSE;
                    case UPSERT -> result.path("new").isBoolean() ? result.path("new").asBoolean() : null;
                    case DELETE -> null;
                };
                results[index] = RecordResult.ok(offset + index, id, created);
            }
        }
        String fallbackError = null;
        for (JsonNode error : answer.path("errors")) {
            String message = errorMessage(error);
            fallbackError = fallbackError == null ? message : fallbackError;
            boolean placed = false;
            for (JsonNode values : error.path("context")) {
                for (JsonNode value : values) {
                    Integer index = indexByMatch.get(normalise(value.asText()));
                    if (index != null && results[index] == null) {
                        results[index] = RecordResult.failed(offset + index, message);
                        placed = true;
                    }
                }
            }
            if (!placed && error.hasNonNull("objectWriteTraceId")) {
                Integer index = indexByMatch.get(error.path("objectWriteTraceId").asText());
                if (index != null && results[index] == null) {
                    results[index] = RecordResult.failed(offset + index, message);
                }
            }
        }
        List<Integer> unplaced = indexByMatch.values().stream().filter(i -> results[i] == null).sorted().toList();
        if (mode == WriteMode.INSERT && answer.path("errors").isEmpty() && unplaced.size() == answer.path("results").size()) {
            // No trace ids echoed back: HubSpot returned creates in request order.
            JsonNode created = answer.path("results");
            for (int n = 0; n < unplaced.size(); n++) {
                results[unplaced.get(n)] = RecordResult.ok(offset + unplaced.get(n), created.get(n).path("id").asText(null));
            }
            return;
        }
        for (int i : unplaced) {
            results[i] = RecordResult.failed(offset + i, fallbackError != null ? fallbackError : "HubSpot did not report a result for this record");
        }
    }

    private static String normalise(String match) {
        return match.toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<String, Object> properties(Map<String, Object> record) {
        Map<String, Object> properties = new LinkedHashMap<>();
        record.forEach((field, value) -> {
            if (!"id".equals(field) && !"hs_object_id".equals(field)) {
                properties.put(field, value);
            }
        });
        return properties;
    }

    @Override
    public void release(String connectionId) {
        schemas.remove(connectionId);
    }

    // ---- records ----

    /** {@code {"id": ..., then the properties}}: the requested ones when fields were named, HubSpot's defaults otherwise. */
    private static List<Map<String, Object>> records(JsonNode answer, List<String> fields, ObjectSchema schema) {
        List<Map<String, Object>> records = new ArrayList<>();
        answer.path("results").forEach(result -> records.add(record(result, fields, schema)));
        return List.copyOf(records);
    }

    private static Map<String, Object> record(JsonNode result, List<String> fields, ObjectSchema schema) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", result.path("id").asText(null));
        JsonNode properties = result.path("properties");
        if (fields.isEmpty()) {
            properties.fields().forEachRemaining(e -> record.put(e.getKey(), value(e.getValue(), schema, e.getKey())));
        } else {
            for (String field : fields) {
                if (!"id".equals(field)) {
                    record.put(field, value(properties.path(field), schema, field));
                }
            }
        }
        return record;
    }

    /** HubSpot sends every property value as a string; numbers and booleans become JSON numbers and booleans. */
    private static Object value(JsonNode node, ObjectSchema schema, String field) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            return JSON.convertValue(node, Object.class);
        }
        String text = node.asText();
        String type = schema == null ? null : schema.field(field).map(FieldSchema::type).orElse(null);
        if ("number".equals(type) && !text.isBlank()) {
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException keepText) {
                return text;
            }
        }
        if ("boolean".equals(type) && ("true".equalsIgnoreCase(text) || "false".equalsIgnoreCase(text))) {
            return Boolean.parseBoolean(text);
        }
        return text;
    }

    private static Instant parseInstant(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notIso) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(value));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** The read high-water mark: the last modification time seen and the ids already read at exactly that time. */
    record ReadCursor(Instant at, List<String> ids) {
        static final ReadCursor START = new ReadCursor(Instant.EPOCH, List.of());

        static ReadCursor parse(String cursor) {
            if (cursor == null) {
                return null;
            }
            String[] parts = cursor.split("\\|", -1);
            try {
                if (parts.length <= 2) {
                    List<String> ids = parts.length == 2 && !parts[1].isEmpty() ? List.of(parts[1].split(",")) : List.of();
                    if (ids.stream().allMatch(id -> RECORD_ID.matcher(id).matches())) {
                        return new ReadCursor(Instant.parse(parts[0]), ids);
                    }
                }
            } catch (DateTimeParseException ignored) {
                // falls through to the invalid-cursor error
            }
            throw ConnectorException.invalid("cursor", "hubspot_cursor", "cursor is not one this connector returned");
        }

        ReadCursor advance(Instant time, String id) {
            if (time.isAfter(at)) {
                return new ReadCursor(time, List.of(id));
            }
            if (time.equals(at) && !ids.contains(id) && ids.size() < MAX_TIE_IDS) {
                List<String> more = new ArrayList<>(ids);
                more.add(id);
                return new ReadCursor(at, List.copyOf(more));
            }
            return this;
        }

        String encode() {
            return at + "|" + String.join(",", ids);
        }
    }

    // ---- HTTP ----

    private static String object(String object) {
        if (object == null || !OBJECT.matcher(object).matches()) {
            throw ConnectorException.invalid("object", "hubspot_object", "not a HubSpot object type: " + object);
        }
        return object;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static JsonNode send(ConnectorContext context, String method, String pathAndQuery, Object body) {
        String base = context.setting("base-url").orElse(DEFAULT_BASE_URL);
        URI uri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndQuery);
        VendorHttp.TokenRequest request = VendorHttp.bearerJson(method, uri, body);
        boolean oauth = context.credentials().get("auth_type").map("oauth2"::equals).orElse(false);
        HttpResponse<String> response = oauth
                ? VendorHttp.send(PROVIDER, request, context.credentials(), HubspotConnector::errorMessage)
                : VendorHttp.send(PROVIDER, request.build(context.credentials().require("access_token")), HubspotConnector::errorMessage);
        try {
            String text = response.body();
            return text == null || text.isBlank() ? JSON.missingNode() : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ConnectorException.upstream("hubspot answered with a body that is not JSON", e);
        }
    }

    /** {@code {"status":"error","message":"...","correlationId":"...","category":"..."}}. */
    static String errorMessage(HttpResponse<String> response) {
        try {
            return errorMessage(JSON.readTree(response.body()));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String errorMessage(JsonNode error) {
        String message = error.path("message").asText(null);
        if (message == null) {
            return null;
        }
        String category = error.path("category").asText("");
        String correlationId = error.path("correlationId").asText("");
        List<String> extra = new ArrayList<>();
        if (!category.isBlank()) {
            extra.add("category " + category);
        }
        if (!correlationId.isBlank()) {
            extra.add("correlationId " + correlationId);
        }
        return extra.isEmpty() ? message : message + " (" + String.join(", ", extra) + ")";
    }

    private record CachedSchemas(List<ObjectSchema> schemas, Instant loadedAt) {
    }
}
