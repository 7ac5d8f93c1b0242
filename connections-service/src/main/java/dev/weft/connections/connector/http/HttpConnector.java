package dev.weft.connections.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.InMemoryFilter;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any JSON REST API, described by the connection's {@code config}: where each object's records
 * live, how its pages follow one another, and which field identifies and dates a record. The API
 * is assumed to filter nothing itself: filters are applied in memory to the pages fetched.
 */
@ApplicationScoped
public class HttpConnector implements Connector {
    /** Pages one query may walk looking for matches before answering with what it has and a cursor. */
    private static final int QUERY_MAX_PAGES = 50;
    /** Pages one incremental read may walk; beyond that the API must filter by change time (since_param). */
    private static final int READ_MAX_PAGES = 500;
    private static final Pattern LINK_VALUE = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]*)*)");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, List<ObjectSchema>> schemas = new ConcurrentHashMap<>();

    @Override
    public String provider() {
        return "http";
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> {
            Api api = Api.of(context);
            fetchPage(api, api.objects().values().iterator().next(), null, Map.of());
        });
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        List<ObjectSchema> cached = schemas.get(context.connectionId());
        if (cached != null) {
            return cached;
        }
        Api api = Api.of(context);
        List<ObjectSchema> described = new ArrayList<>();
        for (HttpObjectConfig object : api.objects().values()) {
            List<FieldSchema> fields = object.fields().isEmpty() ? inferFields(fetchPage(api, object, null, Map.of()).records()) : object.fields();
            described.add(new ObjectSchema(object.name(), object.name(), withField(fields, object.idField()),
                    List.of(object.idField()), object.updatedField(), EnumSet.allOf(WriteMode.class)));
        }
        List<ObjectSchema> result = List.copyOf(described);
        schemas.put(context.connectionId(), result);
        return result;
    }

    @Override
    public void release(String connectionId) {
        schemas.remove(connectionId);
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        Api api = Api.of(context);
        HttpObjectConfig object = api.object(query.object());
        return PagedScan.scan(position -> fetchPage(api, object, position, Map.of()), PageCursor.decode(query.cursor()),
                InMemoryFilter.of(query.filter()), PagedScan.projection(query.fields()), query.limit(), QUERY_MAX_PAGES);
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        Api api = Api.of(context);
        HttpObjectConfig object = api.object(read.object());
        if (object.updatedField() == null) {
            // Nothing dates a change: every run re-reads the whole listing, and the cursor at its end starts over.
            RecordPage page = PagedScan.scan(position -> fetchPage(api, object, position, Map.of()), PageCursor.decode(read.cursor()),
                    record -> true, PagedScan.projection(read.fields()), read.batchSize(), QUERY_MAX_PAGES);
            return page.nextCursor() == null ? new RecordPage(page.records(), PageCursor.START.encode(), false) : page;
        }
        return readChanges(api, object, read);
    }

    private RecordPage readChanges(Api api, HttpObjectConfig object, ReadSpec read) {
        ChangeMark mark = ChangeMark.decode(read.cursor());
        Map<String, String> params = object.sinceParam() != null && mark != null
                ? Map.of(object.sinceParam(), String.valueOf(mark.updated())) : Map.of();
        List<Map<String, Object>> changed = new ArrayList<>();
        String position = null;
        int pages = 0;
        do {
            PagedScan.Page page = fetchPage(api, object, position, params);
            for (Map<String, Object> record : page.records()) {
                if (record.get(object.updatedField()) != null && (mark == null || mark.isBefore(record, object))) {
                    changed.add(record);
                }
            }
            position = page.nextPosition();
            if (++pages >= READ_MAX_PAGES && position != null) {
                throw ConnectorException.upstream(object.name() + " has more than " + READ_MAX_PAGES
                        + " pages of changes; set since_param so the API filters by " + object.updatedField(), 0);
            }
        } while (position != null);
        changed.sort(Comparator.<Map<String, Object>, Object>comparing(r -> r.get(object.updatedField()), HttpConnector::compareValues)
                .thenComparing(r -> r.get(object.idField()), HttpConnector::compareValues));
        List<Map<String, Object>> batch = changed.subList(0, Math.min(read.batchSize(), changed.size()));
        ChangeMark next = batch.isEmpty() ? mark : ChangeMark.of(batch.getLast(), object);
        return new RecordPage(batch.stream().map(PagedScan.projection(read.fields())).toList(),
                next == null ? ChangeMark.START : next.encode(), changed.size() > batch.size());
    }

    /**
     * Change capture: every record of {@code object}'s listing, a page at a time, filtered by the API itself when the
     * object has a {@code since_param} and {@code since} is not null (its value is sent as is). Never holds more than a page.
     */
    public void scan(ConnectorContext context, String object, Object since, Consumer<List<Map<String, Object>>> visitor) {
        Api api = Api.of(context);
        HttpObjectConfig config = api.object(object);
        Map<String, String> params = config.sinceParam() != null && since != null ? Map.of(config.sinceParam(), String.valueOf(since)) : Map.of();
        String position = null;
        int pages = 0;
        do {
            PagedScan.Page page = fetchPage(api, config, position, params);
            visitor.accept(page.records());
            position = page.nextPosition();
            if (++pages >= READ_MAX_PAGES && position != null) {
                throw ConnectorException.upstream(object + " has more than " + READ_MAX_PAGES + " pages; set since_param so the API filters by "
                        + config.updatedField(), 0);
            }
        } while (position != null);
    }

    /** How change capture orders an object's values: numbers by value, everything else (RFC 3339 timestamps included) by text. */
    public static int compare(Object a, Object b) {
        return compareValues(a, b);
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        Api api = Api.of(context);
        HttpObjectConfig object = api.object(write.object());
        List<String> key = write.key() == null || write.key().isEmpty() ? List.of(object.idField()) : write.key();
        if (key.size() != 1) {
            throw ConnectorException.invalid("key", "max_items", "the http connector identifies records by one field, not " + key);
        }
        List<WriteResult.RecordResult> results = new ArrayList<>();
        for (int index = 0; index < write.records().size(); index++) {
            Map<String, Object> record = write.records().get(index);
            Object keyValue = record.get(key.getFirst());
            if (write.mode() != WriteMode.INSERT && (keyValue == null || String.valueOf(keyValue).isBlank())) {
                results.add(WriteResult.RecordResult.failed(index, "record has no value for key field " + key.getFirst()));
                continue;
            }
            try {
                results.add(WriteResult.RecordResult.ok(index, writeOne(api, object, write.mode(), record, keyValue)));
            } catch (ConnectorException e) {
                if (e.kind() == ConnectorException.Kind.AUTH || e.kind() == ConnectorException.Kind.UNREACHABLE) {
                    throw e;
                }
                results.add(WriteResult.RecordResult.failed(index, e.getMessage()));
            }
        }
        return new WriteResult(results);
    }

    private String writeOne(Api api, HttpObjectConfig object, WriteMode mode, Map<String, Object> record, Object keyValue) {
        String json = VendorJson.write(record);
        return switch (mode) {
            case INSERT -> {
                HttpResponse<String> response = api.send(api.request(api.resolve(object.path(), Map.of()))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
                JsonNode body = VendorJson.parse(api.vendor(), response.body());
                String id = VendorJson.text(body.path(object.idField()));
                yield id != null ? id : VendorJson.text(body.path("data").path(object.idField()));
            }
            case UPDATE, UPSERT -> {
                api.send(api.request(api.resolve(itemPath(object, keyValue), Map.of())).header("Content-Type", "application/json")
                        .method(mode == WriteMode.UPDATE ? "PATCH" : "PUT", HttpRequest.BodyPublishers.ofString(json)).build());
                yield String.valueOf(keyValue);
            }
            case DELETE -> {
                api.send(api.request(api.resolve(itemPath(object, keyValue), Map.of())).DELETE().build());
                yield String.valueOf(keyValue);
            }
        };
    }

    private static String itemPath(HttpObjectConfig object, Object id) {
        String base = object.path().endsWith("/") ? object.path() : object.path() + "/";
        return base + URLEncoder.encode(String.valueOf(id), StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One page of {@code object} at {@code position} (null: the first page), and where the next one is. */
    private static PagedScan.Page fetchPage(Api api, HttpObjectConfig object, String position, Map<String, String> extraParams) {
        HttpObjectConfig.Pagination paging = object.pagination();
        URI uri;
        if (paging.style() == HttpObjectConfig.Style.LINK_HEADER && position != null) {
            uri = api.sameOrigin(URI.create(position));
        } else {
            Map<String, String> params = new LinkedHashMap<>(extraParams);
            switch (paging.style()) {
                case PAGE -> {
                    params.put(paging.pageParam(), String.valueOf(number(position, paging.start())));
                    params.put(paging.sizeParam(), String.valueOf(paging.pageSize()));
                }
                case OFFSET -> {
                    params.put(paging.offsetParam(), String.valueOf(number(position, 0)));
                    params.put(paging.limitParam(), String.valueOf(paging.pageSize()));
                }
                case CURSOR -> {
                    if (position != null) {
                        params.put(paging.cursorParam(), position);
                    }
                }
                case NONE, LINK_HEADER -> {
                }
            }
            uri = api.resolve(object.path(), params);
        }
        HttpResponse<String> response = api.send(api.request(uri).GET().build());
        JsonNode root = VendorJson.parse(api.vendor(), response.body());
        JsonNode array = VendorJson.at(root, object.recordsPath());
        if (!array.isArray()) {
            throw ConnectorException.upstream(api.vendor() + " answered " + object.path() + " without an array at records_path '"
                    + object.recordsPath() + "'", response.statusCode());
        }
        List<Map<String, Object>> records = new ArrayList<>();
        array.forEach(item -> {
            if (item.isObject()) {
                records.add(VendorJson.record(item));
            }
        });
        boolean fullPage = array.size() >= paging.pageSize();
        String next = switch (paging.style()) {
            case NONE -> null;
            // A page shorter than asked for is the last one (page_size must not exceed the API's maximum).
            case PAGE -> fullPage ? String.valueOf(number(position, paging.start()) + 1) : null;
            case OFFSET -> fullPage ? String.valueOf(number(position, 0) + array.size()) : null;
            case CURSOR -> {
                String token = VendorJson.text(VendorJson.at(root, paging.nextCursorPath()));
                yield array.isEmpty() || token == null || token.equals(position) ? null : token;
            }
            case LINK_HEADER -> nextLink(response.headers().allValues("Link")).map(link -> api.sameOrigin(uri.resolve(link)).toString()).orElse(null);
        };
        return new PagedScan.Page(records, next);
    }

    private static long number(String position, long first) {
        if (position == null) {
            return first;
        }
        try {
            return Long.parseLong(position);
        } catch (NumberFormatException e) {
            throw ConnectorException.invalid("cursor", "format", "cursor is not one this connector returned");
        }
    }

    /** The target of the RFC 8288 link whose rel (a space-separated list) includes {@code next}. */
    static Optional<String> nextLink(List<String> headerValues) {
        for (String header : headerValues) {
            Matcher link = LINK_VALUE.matcher(header);
            while (link.find()) {
                for (String param : link.group(2).split(";")) {
                    String[] nameValue = param.trim().split("=", 2);
                    if (nameValue.length == 2 && nameValue[0].trim().equalsIgnoreCase("rel")) {
                        String rels = nameValue[1].trim().replace("\"", "");
                        for (String rel : rels.split("\\s+")) {
                            if (rel.equalsIgnoreCase("next")) {
                                return Optional.of(link.group(1).trim());
                            }
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    static List<FieldSchema> inferFields(List<Map<String, Object>> records) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Map<String, Object> record : records) {
            record.forEach((name, value) -> {
                if (value != null && types.get(name) == null) {
                    types.put(name, typeOf(value));
                } else {
                    types.putIfAbsent(name, null);
                }
            });
        }
        return types.entrySet().stream().map(e -> FieldSchema.of(e.getKey(), e.getValue() == null ? "string" : e.getValue())).toList();
    }

    private static String typeOf(Object value) {
        return switch (value) {
            case Boolean ignored -> "boolean";
            case Integer ignored -> "integer";
            case Long ignored -> "integer";
            case java.math.BigInteger ignored -> "integer";
            case Number ignored -> "number";
            case Map<?, ?> ignored -> "object";
            case List<?> ignored -> "array";
            default -> "string";
        };
    }

    private static List<FieldSchema> withField(List<FieldSchema> fields, String name) {
        if (fields.stream().anyMatch(f -> f.name().equals(name))) {
            return fields;
        }
        List<FieldSchema> all = new ArrayList<>();
        all.add(FieldSchema.of(name, "string"));
        all.addAll(fields);
        return List.copyOf(all);
    }

    /** Numbers by value, everything else (RFC 3339 timestamps included) by its text; null first. */
    static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString()));
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    /** The last change an incremental read handed out: its updated value, then its id to break ties. */
    record ChangeMark(Object updated, Object id) {
        static final String START = encode(null, null);

        static ChangeMark of(Map<String, Object> record, HttpObjectConfig object) {
            return new ChangeMark(record.get(object.updatedField()), record.get(object.idField()));
        }

        boolean isBefore(Map<String, Object> record, HttpObjectConfig object) {
            int byUpdate = compareValues(record.get(object.updatedField()), updated);
            return byUpdate > 0 || byUpdate == 0 && compareValues(record.get(object.idField()), id) > 0;
        }

        String encode() {
            return encode(updated, id);
        }

        private static String encode(Object updated, Object id) {
            ObjectNode node = VendorJson.MAPPER.createObjectNode();
            node.set("u", VendorJson.MAPPER.valueToTree(updated));
            node.set("k", VendorJson.MAPPER.valueToTree(id));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
        }

        /** Null for the start of the history. */
        static ChangeMark decode(String cursor) {
            if (cursor == null || cursor.isBlank()) {
                return null;
            }
            try {
                JsonNode node = VendorJson.MAPPER.readTree(Base64.getUrlDecoder().decode(cursor));
                if (!node.isObject() || !node.has("u")) {
                    throw new IllegalArgumentException("not a change mark");
                }
                return node.path("u").isNull() ? null : new ChangeMark(VendorJson.value(node.get("u")), VendorJson.value(node.get("k")));
            } catch (Exception e) {
                throw ConnectorException.invalid("cursor", "format", "cursor is not one this connector returned");
            }
        }
    }

    /** A connection's config and credentials, read for one call. */
    private record Api(URI baseUrl, Map<String, String> headers, Map<String, HttpObjectConfig> objects, Auth auth) {

        static Api of(ConnectorContext context) {
            JsonNode config = VendorJson.MAPPER.valueToTree(context.config());
            URI base;
            try {
                base = URI.create(config.path("base_url").asText(""));
            } catch (IllegalArgumentException e) {
                base = null;
            }
            if (base == null || base.getHost() == null || !("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))) {
                throw ConnectorException.invalid("config.base_url", "pattern", "base_url must be an http or https URL");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            config.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
            Map<String, HttpObjectConfig> objects = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = config.path("objects").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                objects.put(entry.getKey(), HttpObjectConfig.parse(entry.getKey(), entry.getValue()));
            }
            if (objects.isEmpty()) {
                throw ConnectorException.invalid("config.objects", "minProperties", "config.objects must name at least one object");
            }
            return new Api(base, headers, objects, Auth.of(context.credentials()));
        }

        String vendor() {
            return baseUrl.getHost();
        }

        HttpObjectConfig object(String name) {
            HttpObjectConfig object = objects.get(name);
            if (object == null) {
                throw ConnectorException.invalid("object", "known_object", "unknown object " + name);
            }
            return object;
        }

        URI resolve(String path, Map<String, String> params) {
            String base = baseUrl.toString().replaceAll("/+$", "");
            StringBuilder uri = new StringBuilder(base).append(path);
            char separator = path.contains("?") ? '&' : '?';
            for (Map.Entry<String, String> param : params.entrySet()) {
                uri.append(separator).append(URLEncoder.encode(param.getKey(), StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
                separator = '&';
            }
            return URI.create(uri.toString());
        }

        /** Credentials go only where the connection points: a next link elsewhere is refused. */
        URI sameOrigin(URI uri) {
            if (!baseUrl.getScheme().equalsIgnoreCase(uri.getScheme()) || !baseUrl.getHost().equalsIgnoreCase(uri.getHost())
                    || port(baseUrl) != port(uri)) {
                throw ConnectorException.upstream(vendor() + " linked the next page to another origin (" + uri.getScheme() + "://"
                        + uri.getHost() + "); not followed", 0);
            }
            return uri;
        }

        private static int port(URI uri) {
            return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        }

        HttpRequest.Builder request(URI uri) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
            try {
                headers.forEach(builder::header);
                auth.apply(builder);
            } catch (IllegalArgumentException e) {
                throw ConnectorException.invalid("config.headers", "allowed_header", "a configured header cannot be sent: " + e.getMessage());
            }
            return builder;
        }

        HttpResponse<String> send(HttpRequest request) {
            return VendorHttp.send(vendor(), request, VendorJson::errorMessage);
        }
    }

    /** How requests authenticate, picked by {@code credentials.auth_type}. */
    sealed interface Auth {
        void apply(HttpRequest.Builder request);

        record Bearer(String token) implements Auth {
            public void apply(HttpRequest.Builder request) {
                request.header("Authorization", "Bearer " + token);
            }
        }

        record Header(String name, String value) implements Auth {
            public void apply(HttpRequest.Builder request) {
                request.header(name, value);
            }
        }

        record Basic(String username, String password) implements Auth {
            public void apply(HttpRequest.Builder request) {
                String pair = username + ":" + password;
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            }
        }

        record None() implements Auth {
            public void apply(HttpRequest.Builder request) {
            }
        }

        static Auth of(ConnectionCredentials credentials) {
            String type = credentials.get("auth_type").map(t -> t.toLowerCase(Locale.ROOT))
                    .orElseGet(() -> credentials.get("token").isPresent() ? "bearer"
                            : credentials.get("header_name").isPresent() ? "header"
                            : credentials.get("username").isPresent() ? "basic" : "none");
            return switch (type) {
                case "bearer" -> new Bearer(credentials.require("token"));
                case "header" -> new Header(credentials.require("header_name"), credentials.require("value"));
                case "basic" -> new Basic(credentials.require("username"), credentials.get("password").orElse(""));
                case "none" -> new None();
                default -> throw ConnectorException.invalid("credentials.auth_type", "enum", "auth_type must be bearer, header, basic or none");
            };
        }
    }
}
