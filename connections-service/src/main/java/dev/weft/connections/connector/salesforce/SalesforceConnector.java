package dev.weft.connections.connector.salesforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectionCredentials;
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

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Salesforce through its REST API: SOQL for queries and incremental reads (by
 * {@code SystemModstamp}), sObject Collections for batch writes. Authenticates with the OAuth
 * authorization-code grant (tokens kept by the service) or the JWT bearer flow (tokens fetched and
 * cached here). Operator settings: {@code base-url} (API base, e.g. a stub), {@code login-url},
 * {@code jwt-username} and {@code private-key.<id>} (PEM keys named by connections).
 */
@ApplicationScoped
public class SalesforceConnector implements Connector {
    static final String PROVIDER = "salesforce";
    static final String DEFAULT_API_VERSION = "v58.0";
    static final String PRODUCTION_LOGIN = "https://login.salesforce.com";
    static final String SANDBOX_LOGIN = "https://test.salesforce.com";
    /** sObject Collections take at most 200 records per call. */
    static final int COLLECTION_LIMIT = 200;
    /** SOQL's largest batch per query answer. */
    static final int MAX_PAGE = 2000;
    private static final Duration SCHEMA_TTL = Duration.ofMinutes(5);
    private static final Pattern API_VERSION = Pattern.compile("v[0-9]+\\.[0-9]");
    private static final Pattern RECORD_ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-9]{3})?");
    private static final Pattern NEXT_RECORDS_URL = Pattern.compile("/services/data/v[0-9]+\\.[0-9]/query(All)?/[A-Za-z0-9]+-[0-9]+");
    private static final Pattern SALESFORCE_DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?\\+0000");
    private static final DateTimeFormatter SALESFORCE_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");
    private static final String AFTER_ID = "after:";

    private final SalesforceJwtBearer jwtBearer;
    private final Clock clock;
    private final Map<String, Cached<List<JsonNode>>> sobjectLists = new ConcurrentHashMap<>();
    private final Map<String, Cached<List<FieldSchema>>> fieldLists = new ConcurrentHashMap<>();

    public SalesforceConnector() {
        this(Clock.systemUTC());
    }

    SalesforceConnector(Clock clock) {
        this.clock = clock;
        this.jwtBearer = new SalesforceJwtBearer(clock);
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> {
            Api api = api(context);
            api.get("/services/data/" + api.version() + "/limits");
        });
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        Api api = api(context);
        List<JsonNode> sobjects = cached(sobjectLists, context.connectionId(),
                () -> {
                    List<JsonNode> list = new ArrayList<>();
                    api.get("/services/data/" + api.version() + "/sobjects").path("sobjects").forEach(list::add);
                    return List.copyOf(list);
                });
        List<ObjectSchema> schemas = new ArrayList<>();
        for (JsonNode sobject : sobjects) {
            String name = sobject.path("name").asText();
            if (!sobject.path("queryable").asBoolean(false) || !SoqlRenderer.isName(name)) {
                continue;
            }
            Set<WriteMode> modes = EnumSet.noneOf(WriteMode.class);
            boolean createable = sobject.path("createable").asBoolean(false);
            boolean updateable = sobject.path("updateable").asBoolean(false);
            if (createable) {
                modes.add(WriteMode.INSERT);
            }
            if (updateable) {
                modes.add(WriteMode.UPDATE);
            }
            if (createable && updateable) {
                modes.add(WriteMode.UPSERT);
            }
            if (sobject.path("deletable").asBoolean(false)) {
                modes.add(WriteMode.DELETE);
            }
            // Field lists cost one describe call per object, so they load only when someone looks at them.
            List<FieldSchema> fields = new LazyList<>(() -> cached(fieldLists, context.connectionId() + "/" + name, () -> fields(api, name)));
            schemas.add(new ObjectSchema(name, sobject.path("label").asText(name), fields, List.of("Id"), "SystemModstamp", Set.copyOf(modes)));
        }
        return List.copyOf(schemas);
    }

    private List<FieldSchema> fields(Api api, String object) {
        JsonNode describe = api.get("/services/data/" + api.version() + "/sobjects/" + SoqlRenderer.name(object) + "/describe");
        List<FieldSchema> fields = new ArrayList<>();
        for (JsonNode field : describe.path("fields")) {
            String nativeType = field.path("type").asText("string");
            boolean readOnly = !field.path("createable").asBoolean(false) && !field.path("updateable").asBoolean(false);
            fields.add(new FieldSchema(field.path("name").asText(), weftType(nativeType), nativeType, field.path("nillable").asBoolean(true), readOnly));
        }
        return List.copyOf(fields);
    }

    static String weftType(String salesforceType) {
        return switch (salesforceType) {
            case "int", "long" -> "integer";
            case "double", "currency", "percent" -> "number";
            case "boolean" -> "boolean";
            case "date" -> "date";
            case "datetime" -> "datetime";
            case "address", "location" -> "object";
            default -> "string"; // id, string, picklist, textarea, email, phone, url, reference, time, base64, ...
        };
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        Api api = api(context);
        String object = SoqlRenderer.name(query.object());
        int limit = Math.clamp(query.limit(), 1, MAX_PAGE);
        List<String> requested = query.fields() == null || query.fields().isEmpty() ? query.schema().fieldNames() : query.fields();
        String cursor = query.cursor();
        JsonNode page;
        if (cursor != null && cursor.startsWith("/")) {
            if (!NEXT_RECORDS_URL.matcher(cursor).matches()) {
                throw ConnectorException.invalid("cursor", "salesforce_cursor", "cursor is not a Salesforce query locator");
            }
            page = api.get(cursor);
        } else {
            String afterId = null;
            if (cursor != null) {
                afterId = cursor.startsWith(AFTER_ID) ? cursor.substring(AFTER_ID.length()) : "";
                if (!RECORD_ID.matcher(afterId).matches()) {
                    throw ConnectorException.invalid("cursor", "salesforce_cursor", "cursor is not one this connector returned");
                }
            }
            SoqlRenderer soql = new SoqlRenderer(query.schema());
            String where = SoqlRenderer.and(soql.where(query.filter()), afterId == null ? null : "Id > " + SoqlRenderer.string(afterId));
            page = api.get(queryPath(api, soql.select(object, withId(requested), where, "Id", limit)));
        }
        List<Map<String, Object>> records = records(page, requested);
        String next = page.path("nextRecordsUrl").asText(null);
        if (next == null && page.path("totalSize").asInt(0) >= limit && !records.isEmpty()) {
            // LIMIT cut the answer short: the next page starts after the last Id (the query is ordered by Id).
            JsonNode last = page.path("records").get(page.path("records").size() - 1);
            next = AFTER_ID + last.path("Id").asText();
        }
        return new RecordPage(records, next, next != null);
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        Api api = api(context);
        String object = SoqlRenderer.name(read.object());
        int batch = Math.clamp(read.batchSize(), 1, MAX_PAGE);
        ReadCursor cursor = ReadCursor.parse(read.cursor());
        // SystemModstamp unless the read asked for another non-null datetime field (LastModifiedDate, CreatedDate, ...).
        String by = read.schema().cursorField() == null ? "SystemModstamp" : SoqlRenderer.name(read.schema().cursorField());
        List<String> requested = read.fields() == null || read.fields().isEmpty() ? read.schema().fieldNames() : read.fields();
        LinkedHashSet<String> select = new LinkedHashSet<>(requested);
        select.add("Id");
        select.add(by);
        String where = null;
        if (cursor != null) {
            String at = cursor.soqlTimestamp();
            where = cursor.id() == null
                    ? by + " > " + at
                    : by + " > " + at + " OR (" + by + " = " + at + " AND Id > " + SoqlRenderer.string(cursor.id()) + ")";
        }
        String soql = new SoqlRenderer(read.schema()).select(object, List.copyOf(select), where, by + ", Id", batch);
        List<JsonNode> raw = new ArrayList<>();
        JsonNode page = api.get(queryPath(api, soql));
        page.path("records").forEach(raw::add);
        // Wide rows make Salesforce split even a LIMITed answer into batches: collect them all.
        while (!page.path("done").asBoolean(true) && page.hasNonNull("nextRecordsUrl") && raw.size() < batch) {
            String next = page.path("nextRecordsUrl").asText();
            if (!NEXT_RECORDS_URL.matcher(next).matches()) {
                throw ConnectorException.upstream("salesforce answered with an unexpected nextRecordsUrl", 0);
            }
            page = api.get(next);
            page.path("records").forEach(raw::add);
        }
        List<Map<String, Object>> records = new ArrayList<>();
        for (JsonNode node : raw) {
            records.add(record(node, read.fields() == null || read.fields().isEmpty() ? null : requested));
        }
        ReadCursor next = cursor == null ? ReadCursor.START : cursor;
        if (!raw.isEmpty()) {
            JsonNode last = raw.getLast();
            next = new ReadCursor(parseTimestamp(last.path(by).asText()), last.path("Id").asText());
        }
        return new RecordPage(List.copyOf(records), next.encode(), raw.size() >= batch);
    }

    /** A datetime field every record has (nillable false in describe): SOQL orders and compares it as SystemModstamp. */
    @Override
    public boolean readsBy(ObjectSchema object, FieldSchema field) {
        return "datetime".equals(field.type()) && !field.nullable();
    }

    /**
     * Change capture: the records of {@code schema}'s object changed at or after {@code at} (strictly after
     * {@code (at, afterId)} when an Id is given), in {@code SystemModstamp, Id} order, deleted ones included: through
     * {@code queryAll}, rows in the recycle bin answer with {@code IsDeleted = true}. Asks for at most {@code limit}
     * records and hands each batch of Salesforce's answer to {@code sink} as it arrives, so a large answer is never held
     * whole. Records carry {@code Id}, {@code SystemModstamp}, {@code CreatedDate} and {@code IsDeleted} (where the object
     * has them) beside {@code fields} (empty: every field).
     *
     * @return how many records were handed over; {@code limit} means there may be more after the last of them
     */
    public int changes(ConnectorContext context, ObjectSchema schema, List<String> fields, Instant at, String afterId, int limit,
                       Consumer<List<Map<String, Object>>> sink) {
        Api api = api(context);
        String object = SoqlRenderer.name(schema.name());
        LinkedHashSet<String> select = new LinkedHashSet<>(fields == null || fields.isEmpty() ? schema.fieldNames() : fields);
        select.add("Id");
        select.add("SystemModstamp");
        for (String optional : List.of("CreatedDate", "IsDeleted")) {
            if (schema.field(optional).isPresent()) {
                select.add(optional);
            }
        }
        String where = null;
        if (at != null) {
            String time = DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
            if (afterId == null || afterId.isEmpty()) {
                where = "SystemModstamp >= " + time;
            } else if (RECORD_ID.matcher(afterId).matches()) {
                where = "SystemModstamp > " + time + " OR (SystemModstamp = " + time + " AND Id > " + SoqlRenderer.string(afterId) + ")";
            } else {
                throw ConnectorException.invalid("cursor", "salesforce_cursor", "not a Salesforce record Id: " + afterId);
            }
        }
        String soql = new SoqlRenderer(schema).select(object, List.copyOf(select), where, "SystemModstamp, Id", Math.clamp(limit, 1, 50_000));
        JsonNode page = api.get("/services/data/" + api.version() + "/queryAll?q="
                + URLEncoder.encode(soql, StandardCharsets.UTF_8).replace("+", "%20"));
        int count = 0;
        while (true) {
            List<Map<String, Object>> records = new ArrayList<>();
            page.path("records").forEach(node -> records.add(record(node, null)));
            count += records.size();
            if (!records.isEmpty()) {
                sink.accept(records);
            }
            if (page.path("done").asBoolean(true) || !page.hasNonNull("nextRecordsUrl")) {
                return count;
            }
            String next = page.path("nextRecordsUrl").asText();
            if (!NEXT_RECORDS_URL.matcher(next).matches()) {
                throw ConnectorException.upstream("salesforce answered with an unexpected nextRecordsUrl", 0);
            }
            page = api.get(next);
        }
    }

    /** A {@code SystemModstamp} or {@code CreatedDate} as Salesforce or this connector writes it. */
    public static Instant timestamp(String value) {
        return parseTimestamp(value);
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        Api api = api(context);
        String object = SoqlRenderer.name(write.object());
        List<String> key = write.key() == null || write.key().isEmpty() ? List.of("Id") : write.key();
        String base = "/services/data/" + api.version() + "/composite/sobjects";
        List<RecordResult> results = new ArrayList<>();
        List<Map<String, Object>> records = write.records();
        for (int start = 0; start < records.size(); start += COLLECTION_LIMIT) {
            List<Map<String, Object>> chunk = records.subList(start, Math.min(records.size(), start + COLLECTION_LIMIT));
            results.addAll(switch (write.mode()) {
                case INSERT -> collection(api, "POST", base, object, chunk, start, null);
                case UPDATE -> {
                    if (!key.equals(List.of("Id"))) {
                        throw ConnectorException.invalid("key", "salesforce_update_key", "Salesforce updates records by Id; use upsert to match on an external id field");
                    }
                    yield collection(api, "PATCH", base, object, chunk, start, "Id");
                }
                case UPSERT -> {
                    if (key.size() != 1) {
                        throw ConnectorException.invalid("key", "salesforce_upsert_key", "Salesforce upserts match on exactly one external id field");
                    }
                    String externalId = SoqlRenderer.name(key.getFirst());
                    yield collection(api, "PATCH", base + "/" + object + "/" + externalId, object, chunk, start, externalId);
                }
                case DELETE -> delete(api, base, chunk, start, key);
            });
        }
        return new WriteResult(List.copyOf(results));
    }

    private List<RecordResult> collection(Api api, String method, String path, String object, List<Map<String, Object>> chunk,
                                          int offset, String requiredField) {
        List<RecordResult> results = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        List<Map<String, Object>> body = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            Map<String, Object> record = chunk.get(i);
            if (requiredField != null && (record.get(requiredField) == null || String.valueOf(record.get(requiredField)).isBlank())) {
                results.add(RecordResult.failed(offset + i, "record has no " + requiredField));
                continue;
            }
            Map<String, Object> sobject = new LinkedHashMap<>();
            sobject.put("attributes", Map.of("type", object));
            record.forEach((field, value) -> {
                if (!"attributes".equals(field)) {
                    sobject.put(field, value);
                }
            });
            body.add(sobject);
            sent.add(offset + i);
        }
        if (!body.isEmpty()) {
            JsonNode answer = api.send(method, path, Map.of("allOrNone", false, "records", body));
            // A create creates, an update by Id changes; an upsert's answer says which per record.
            results.addAll(perRecord(answer, sent, method.equals("POST") ? Boolean.TRUE : "Id".equals(requiredField) ? Boolean.FALSE : null, Set.of()));
        }
        results.sort(java.util.Comparator.comparingInt(RecordResult::index));
        return results;
    }

    private List<RecordResult> delete(Api api, String base, List<Map<String, Object>> chunk, int offset, List<String> key) {
        if (!key.equals(List.of("Id"))) {
            throw ConnectorException.invalid("key", "salesforce_delete_key", "Salesforce deletes records by Id");
        }
        List<RecordResult> results = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            Object id = chunk.get(i).get("Id");
            if (id == null || !RECORD_ID.matcher(String.valueOf(id)).matches()) {
                results.add(RecordResult.failed(offset + i, "record has no valid Id"));
                continue;
            }
            ids.add(String.valueOf(id));
            sent.add(offset + i);
        }
        if (!ids.isEmpty()) {
            JsonNode answer = api.send("DELETE", base + "?ids=" + String.join(",", ids) + "&allOrNone=false", null);
            results.addAll(perRecord(answer, sent, null, GONE));
        }
        results.sort(java.util.Comparator.comparingInt(RecordResult::index));
        return results;
    }

    /**
     * A delete's refusals saying that its record is already gone: in the recycle bin, or not there at all (a delete's only
     * cross reference is the record's own Id). An update's are not taken as such: there they may name a lookup field's
     * record instead.
     */
    private static final Set<String> GONE = Set.of("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY");

    /**
     * sObject Collections answer one {@code {"id","success","errors"}} per record, in request order; a refusal whose
     * every error has a status code in {@code notFound} is one with code {@code not_found}.
     */
    private static List<RecordResult> perRecord(JsonNode answer, List<Integer> sent, Boolean assumed, Set<String> notFound) {
        List<RecordResult> results = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            JsonNode outcome = answer.isArray() ? answer.get(i) : null;
            if (outcome == null) {
                results.add(RecordResult.failed(sent.get(i), "salesforce returned no result for this record"));
            } else if (outcome.path("success").asBoolean(false)) {
                JsonNode created = outcome.get("created");
                results.add(RecordResult.ok(sent.get(i), outcome.path("id").asText(null), created != null && created.isBoolean() ? Boolean.valueOf(created.asBoolean()) : assumed));
            } else {
                List<String> errors = new ArrayList<>();
                boolean gone = !notFound.isEmpty() && !outcome.path("errors").isEmpty();
                for (JsonNode error : outcome.path("errors")) {
                    String fields = error.path("fields").isArray() && !error.path("fields").isEmpty() ? " " + error.path("fields") : "";
                    errors.add(SalesforceErrors.describe(error) + fields);
                    gone &= notFound.contains(error.path("statusCode").asText());
                }
                String reason = errors.isEmpty() ? "salesforce refused the record" : String.join("; ", errors);
                results.add(gone ? RecordResult.notFound(sent.get(i), reason) : RecordResult.failed(sent.get(i), reason));
            }
        }
        return results;
    }

    @Override
    public void release(String connectionId) {
        jwtBearer.release(connectionId);
        sobjectLists.remove(connectionId);
        fieldLists.keySet().removeIf(key -> key.startsWith(connectionId + "/"));
    }

    // ---- records ----

    private static String queryPath(Api api, String soql) {
        return "/services/data/" + api.version() + "/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<String> withId(List<String> fields) {
        if (fields.contains("Id")) {
            return fields;
        }
        List<String> withId = new ArrayList<>(fields);
        withId.add("Id");
        return withId;
    }

    private static List<Map<String, Object>> records(JsonNode page, List<String> requested) {
        List<Map<String, Object>> records = new ArrayList<>();
        page.path("records").forEach(node -> records.add(record(node, requested)));
        return List.copyOf(records);
    }

    /** A query answer's record without Salesforce's {@code attributes}, datetimes as RFC 3339, only the requested fields. */
    private static Map<String, Object> record(JsonNode node, List<String> requested) {
        Map<String, Object> all = SalesforceErrors.JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {
        });
        Map<String, Object> cleaned = clean(all);
        if (requested == null) {
            return cleaned;
        }
        Map<String, Object> record = new LinkedHashMap<>();
        for (String field : requested) {
            if (cleaned.containsKey(field)) {
                record.put(field, cleaned.get(field));
            } else if (!field.contains(".")) {
                record.put(field, null);
            } else {
                record.put(field, path(cleaned, field));
            }
        }
        return record;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> clean(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if ("attributes".equals(key)) {
                return;
            }
            Object cleaned = value;
            if (value instanceof Map<?, ?> nested) {
                cleaned = clean((Map<String, Object>) nested);
            } else if (value instanceof String text && SALESFORCE_DATETIME.matcher(text).matches()) {
                cleaned = text.substring(0, text.length() - 5) + "Z";
            }
            out.put(key, cleaned);
        });
        return out;
    }

    /** {@code Owner.Name} from the nested relationship object Salesforce returns. */
    private static Object path(Map<String, Object> record, String dotted) {
        Object current = record;
        for (String part : dotted.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    static Instant parseTimestamp(String value) {
        try {
            return OffsetDateTime.parse(value, SALESFORCE_OFFSET).toInstant();
        } catch (DateTimeParseException notSalesforceShape) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw ConnectorException.upstream("salesforce returned an unreadable SystemModstamp", e);
            }
        }
    }

    /** The high-water mark of an incremental read: the last record's SystemModstamp (to the second, as SOQL compares) and Id. */
    record ReadCursor(Instant at, String id) {
        static final ReadCursor START = new ReadCursor(Instant.EPOCH, null);

        static ReadCursor parse(String cursor) {
            if (cursor == null) {
                return null;
            }
            String[] parts = cursor.split("\\|", -1);
            try {
                Instant at = Instant.parse(parts[0]);
                if (parts.length == 1) {
                    return new ReadCursor(at, null);
                }
                if (parts.length == 2 && RECORD_ID.matcher(parts[1]).matches()) {
                    return new ReadCursor(at, parts[1]);
                }
            } catch (DateTimeParseException ignored) {
                // falls through to the invalid-cursor error
            }
            throw ConnectorException.invalid("cursor", "salesforce_cursor", "cursor is not one this connector returned");
        }

        String soqlTimestamp() {
            return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
        }

        String encode() {
            return soqlTimestamp() + (id == null ? "" : "|" + id);
        }
    }

    // ---- HTTP ----

    private Api api(ConnectorContext context) {
        String version = context.configString("api_version").orElse(DEFAULT_API_VERSION);
        if (!API_VERSION.matcher(version).matches()) {
            throw ConnectorException.invalid("config.api_version", "pattern", "api_version must look like v58.0");
        }
        boolean jwt = context.credentials().get("oauth_flow").map("jwt_bearer"::equals)
                .orElseGet(() -> context.credentials().get("consumer_key").isPresent());
        Supplier<String> instanceUrl;
        ConnectionCredentials credentials;
        if (jwt) {
            String loginUrl = trimSlash(context.setting("login-url")
                    .orElse(context.configFlag("sandbox", false) ? SANDBOX_LOGIN : PRODUCTION_LOGIN));
            credentials = jwtBearer.credentials(context, loginUrl);
            instanceUrl = () -> jwtBearer.session(context, loginUrl).instanceUrl();
        } else {
            credentials = context.credentials();
            instanceUrl = () -> context.credentials().get("instance_url").orElse(null);
        }
        String base = context.setting("base-url")
                .or(() -> java.util.Optional.ofNullable(instanceUrl.get()).filter(s -> !s.isBlank()))
                .or(() -> context.configString("instance_url"))
                .orElseThrow(() -> ConnectorException.auth("the connection has no Salesforce instance_url"));
        return new Api(trimSlash(base), version, credentials);
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** One connection's API: base URL, version and a bearer token source. */
    record Api(String base, String version, ConnectionCredentials credentials) {

        JsonNode get(String pathAndQuery) {
            return send("GET", pathAndQuery, null);
        }

        JsonNode send(String method, String pathAndQuery, Object body) {
            URI uri = URI.create(base + pathAndQuery);
            HttpResponse<String> response = VendorHttp.send(PROVIDER, VendorHttp.bearerJson(method, uri, body), credentials, SalesforceErrors::message);
            return SalesforceErrors.json(response.body());
        }
    }

    // ---- caches ----

    private record Cached<T>(T value, Instant loadedAt) {
    }

    private <T> T cached(Map<String, Cached<T>> cache, String key, Supplier<T> load) {
        Cached<T> hit = cache.get(key);
        if (hit != null && hit.loadedAt().plus(SCHEMA_TTL).isAfter(clock.instant())) {
            return hit.value();
        }
        T value = load.get();
        cache.put(key, new Cached<>(value, clock.instant()));
        return value;
    }

    /** A list loaded on first use (then kept), so that describing an org does not describe every sObject. */
    private static final class LazyList<T> extends AbstractList<T> {
        private final Supplier<List<T>> load;
        private volatile List<T> loaded;

        LazyList(Supplier<List<T>> load) {
            this.load = load;
        }

        private List<T> items() {
            List<T> items = loaded;
            if (items == null) {
                synchronized (this) {
                    if (loaded == null) {
                        loaded = load.get();
                    }
                    items = loaded;
                }
            }
            return items;
        }

        @Override
        public T get(int index) {
            return items().get(index);
        }

        @Override
        public int size() {
            return items().size();
        }
    }
}
