// A Weft extension: an in-memory inventory served over the extension protocol
// (docs/extensions-protocol.md). JDK only, one file:
//
//   WEFT_EXTENSION_SECRET=whsec_... PORT=9400 java e2e/extension-example/InventoryExtension.java
//
// Every request must carry a valid Standard Webhooks signature made with WEFT_EXTENSION_SECRET;
// anything else is answered 401. State lives in memory and is lost on exit.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

public class InventoryExtension {
    static final long TOLERANCE_SECONDS = 300;
    static final int MAX_BODY_BYTES = 5 * 1024 * 1024;

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "9400"));
        String secret = System.getenv("WEFT_EXTENSION_SECRET");
        if (secret == null || secret.isBlank()) {
            System.err.println("WEFT_EXTENSION_SECRET is not set (expected whsec_<base64>)");
            System.exit(2);
        }
        Verifier verifier = new Verifier(secret);
        Inventory inventory = new Inventory();
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> handle(exchange, verifier, inventory));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("inventory extension listening on port " + port);
    }

    static void handle(HttpExchange exchange, Verifier verifier, Inventory inventory) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, error("use POST"));
                return;
            }
            String body = readBody(exchange);
            if (body == null) {
                respond(exchange, 413, error("request body too large"));
                return;
            }
            var headers = exchange.getRequestHeaders();
            if (!verifier.verify(headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
                    headers.getFirst("webhook-signature"), body, Instant.now())) {
                respond(exchange, 401, error("invalid or missing signature"));
                return;
            }
            // The operation is the last path segment, so the extension may sit under any base path.
            String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
            String operation = path.substring(path.lastIndexOf('/') + 1);
            Map<String, Object> request;
            try {
                request = Json.object(Json.parse(body), "request body");
            } catch (BadRequest e) {
                respond(exchange, 400, error(e.getMessage()));
                return;
            }
            try {
                Object answer = switch (operation) {
                    case "check" -> inventory.check();
                    case "describe" -> inventory.describe();
                    case "query" -> inventory.query(request);
                    case "read" -> inventory.read(request);
                    case "write" -> inventory.write(request);
                    case "count" -> inventory.count(request);
                    default -> null;
                };
                if (answer == null) {
                    respond(exchange, 404, error("unknown operation " + operation));
                } else {
                    respond(exchange, 200, answer);
                }
            } catch (BadRequest e) {
                respond(exchange, 400, error(e.getMessage()));
            } catch (RuntimeException e) {
                System.err.println("operation=" + operation + " failed: " + e);
                respond(exchange, 500, error("internal error"));
            }
        }
    }

    static String readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            return bytes.length > MAX_BODY_BYTES ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static Map<String, Object> error(String message) {
        return Map.of("error", Map.of("message", message));
    }

    /** The client's fault: answered 400 with the message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    /** Standard Webhooks verification: HMAC-SHA256 over id.timestamp.body, timestamps within five minutes. */
    static final class Verifier {
        private final SecretKeySpec key;

        Verifier(String secret) {
            String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
            this.key = new SecretKeySpec(Base64.getDecoder().decode(encoded.strip()), "HmacSHA256");
        }

        boolean verify(String id, String timestamp, String signatures, String body, Instant now) {
            if (id == null || timestamp == null || signatures == null) {
                return false;
            }
            long seconds;
            try {
                seconds = Long.parseLong(timestamp.strip());
            } catch (NumberFormatException e) {
                return false;
            }
            if (Math.abs(now.getEpochSecond() - seconds) > TOLERANCE_SECONDS) {
                return false;
            }
            byte[] expected;
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                expected = mac.doFinal((id + "." + seconds + "." + body).getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (String candidate : signatures.strip().split("\\s+")) {
                if (candidate.startsWith("v1,")) {
                    try {
                        if (MessageDigest.isEqual(expected, Base64.getDecoder().decode(candidate.substring(3)))) {
                            return true;
                        }
                    } catch (IllegalArgumentException notBase64) {
                        // try the next signature
                    }
                }
            }
            return false;
        }
    }

    /** The items object: sku (primary key), name, quantity, updated_at (set on every change, strictly increasing). */
    static final class Inventory {
        private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
        private static final String START = "1970-01-01T00:00:00.000000Z";
        private static final List<String> CURSOR_FIELDS = List.of("updated_at", "created_at");
        private final TreeMap<String, Map<String, Object>> items = new TreeMap<>();
        private Instant lastStamp = Instant.EPOCH;

        synchronized Map<String, Object> check() {
            return Map.of("status", "ok", "message", items.size() + " items");
        }

        Map<String, Object> describe() {
            List<Object> fields = List.of(
                    field("sku", "string", false, false),
                    field("name", "string", true, false),
                    field("quantity", "integer", true, false),
                    field("updated_at", "datetime", false, true),
                    field("created_at", "datetime", false, true));
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("name", "items");
            object.put("label", "Items");
            object.put("fields", fields);
            object.put("primary_key", List.of("sku"));
            object.put("cursor_field", "updated_at");
            // A read may also follow created_at (a sync that only wants new items); updated_at is the default.
            object.put("cursor_fields", CURSOR_FIELDS);
            object.put("write_modes", List.of("insert", "update", "upsert", "delete"));
            return Map.of("objects", List.of(object));
        }

        private static Map<String, Object> field(String name, String type, boolean nullable, boolean readOnly) {
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("name", name);
            field.put("type", type);
            field.put("nullable", nullable);
            field.put("read_only", readOnly);
            return field;
        }

        /** Items matching filter_tree in sku order; the cursor is the last sku handed out. */
        synchronized Map<String, Object> query(Map<String, Object> request) {
            requireItems(request);
            Object tree = request.get("filter_tree");
            int limit = positive(request.get("limit"), "limit");
            String after = optionalString(request.get("cursor"), "cursor");
            List<String> fields = fields(request);
            List<Map<String, Object>> page = new ArrayList<>();
            boolean hasMore = false;
            String lastSku = null;
            for (Map<String, Object> item : (after == null ? items : items.tailMap(after, false)).values()) {
                if (tree != null && !Filters.matches(Json.object(tree, "filter_tree"), item)) {
                    continue;
                }
                if (page.size() == limit) {
                    hasMore = true;
                    break;
                }
                page.add(project(item, fields));
                lastSku = (String) item.get("sku");
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("records", page);
            answer.put("next_cursor", hasMore ? lastSku : null);
            answer.put("has_more", hasMore);
            return answer;
        }

        /**
         * Items whose cursor_field (updated_at unless the request names created_at) is after the cursor, oldest first;
         * the new cursor is the last one's value. Stamps are unique, so no tiebreaker is needed.
         */
        synchronized Map<String, Object> read(Map<String, Object> request) {
            requireItems(request);
            String after = optionalString(request.get("cursor"), "cursor");
            int batchSize = positive(request.get("batch_size"), "batch_size");
            String by = cursorField(request);
            List<String> fields = fields(request);
            List<Map<String, Object>> changed = items.values().stream()
                    .filter(item -> after == null || ((String) item.get(by)).compareTo(after) > 0)
                    .sorted((a, b) -> ((String) a.get(by)).compareTo((String) b.get(by)))
                    .toList();
            List<Map<String, Object>> batch = changed.subList(0, Math.min(batchSize, changed.size()));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("records", batch.stream().map(item -> project(item, fields)).toList());
            answer.put("next_cursor", batch.isEmpty() ? (after == null ? START : after) : batch.getLast().get(by));
            answer.put("has_more", changed.size() > batch.size());
            return answer;
        }

        /**
         * How many items match filter_tree and are after the cursor (a next_cursor read answered, so a value of
         * cursor_field here) or after after_value: what the reads from there would still return. A system that cannot
         * count cheaply answers "count": null, or leaves the operation out (404).
         */
        synchronized Map<String, Object> count(Map<String, Object> request) {
            requireItems(request);
            Object tree = request.get("filter_tree");
            String by = cursorField(request);
            String after = optionalString(request.get("cursor"), "cursor");
            String afterValue = optionalString(request.get("after_value"), "after_value");
            long count = items.values().stream()
                    .filter(item -> tree == null || Filters.matches(Json.object(tree, "filter_tree"), item))
                    .filter(item -> after == null || ((String) item.get(by)).compareTo(after) > 0)
                    .filter(item -> afterValue == null || ((String) item.get(by)).compareTo(afterValue) > 0)
                    .count();
            return Map.of("count", count);
        }

        synchronized Map<String, Object> write(Map<String, Object> request) {
            requireItems(request);
            String mode = optionalString(request.get("mode"), "mode");
            if (mode == null || !List.of("insert", "update", "upsert", "delete").contains(mode)) {
                throw new BadRequest("mode must be insert, update, upsert or delete");
            }
            Object key = request.get("key");
            if (key != null && !(key instanceof List<?> list && (list.isEmpty() || list.equals(List.of("sku"))))) {
                throw new BadRequest("items are identified by sku only");
            }
            if (!(request.get("records") instanceof List<?> records)) {
                throw new BadRequest("records must be an array");
            }
            List<Object> results = new ArrayList<>();
            for (int index = 0; index < records.size(); index++) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("index", index);
                try {
                    String sku = writeOne(mode, Json.object(records.get(index), "record " + index));
                    result.put("success", true);
                    result.put("id", sku);
                    result.put("error", null);
                } catch (BadRequest e) {
                    result.put("success", false);
                    result.put("id", null);
                    result.put("error", e.getMessage());
                }
                results.add(result);
            }
            return Map.of("results", results);
        }

        private String writeOne(String mode, Map<String, Object> record) {
            if (!(record.get("sku") instanceof String sku) || sku.isBlank()) {
                throw new BadRequest("sku is required");
            }
            for (String field : record.keySet()) {
                if (!List.of("sku", "name", "quantity").contains(field)) {
                    throw new BadRequest(CURSOR_FIELDS.contains(field) ? field + " is read-only" : "unknown field " + field);
                }
            }
            if (record.get("name") != null && !(record.get("name") instanceof String)) {
                throw new BadRequest("name must be a string");
            }
            Object quantity = record.get("quantity");
            if (quantity != null) {
                record.put("quantity", integer(quantity));
            }
            Map<String, Object> existing = items.get(sku);
            switch (mode) {
                case "insert" -> {
                    if (existing != null) {
                        throw new BadRequest("an item with sku " + sku + " already exists");
                    }
                    store(sku, new LinkedHashMap<>(), record);
                }
                case "update" -> {
                    if (existing == null) {
                        throw new BadRequest("no item with sku " + sku);
                    }
                    store(sku, existing, record);
                }
                case "upsert" -> store(sku, existing == null ? new LinkedHashMap<>() : existing, record);
                case "delete" -> {
                    if (items.remove(sku) == null) {
                        throw new BadRequest("no item with sku " + sku);
                    }
                }
                default -> throw new BadRequest("unknown mode " + mode);
            }
            return sku;
        }

        private void store(String sku, Map<String, Object> item, Map<String, Object> changes) {
            item.put("sku", sku);
            item.putIfAbsent("name", null);
            item.putIfAbsent("quantity", null);
            changes.forEach(item::put);
            String stamp = nextStamp();
            item.put("updated_at", stamp);
            item.putIfAbsent("created_at", stamp);
            items.put(sku, item);
        }

        /** Strictly increasing, so a read cursor never splits two changes made in the same microsecond. */
        private String nextStamp() {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            lastStamp = now.isAfter(lastStamp) ? now : lastStamp.plus(1, ChronoUnit.MICROS);
            return STAMP.format(lastStamp);
        }

        private static long integer(Object value) {
            if (value instanceof Long number) {
                return number;
            }
            if (value instanceof BigDecimal decimal) {
                try {
                    return decimal.longValueExact();
                } catch (ArithmeticException e) {
                    throw new BadRequest("quantity must be an integer");
                }
            }
            throw new BadRequest("quantity must be an integer");
        }

        private static void requireItems(Map<String, Object> request) {
            if (!"items".equals(request.get("object"))) {
                throw new BadRequest("unknown object " + request.get("object") + "; this extension has items");
            }
        }

        private static List<String> fields(Map<String, Object> request) {
            Object fields = request.get("fields");
            if (fields == null) {
                return List.of();
            }
            if (!(fields instanceof List<?> list) || !list.stream().allMatch(f -> f instanceof String)) {
                throw new BadRequest("fields must be an array of names");
            }
            List<String> names = list.stream().map(String.class::cast).toList();
            for (String name : names) {
                if (!List.of("sku", "name", "quantity", "updated_at", "created_at").contains(name)) {
                    throw new BadRequest("unknown field " + name);
                }
            }
            return names;
        }

        private static Map<String, Object> project(Map<String, Object> item, List<String> fields) {
            if (fields.isEmpty()) {
                return new LinkedHashMap<>(item);
            }
            Map<String, Object> projected = new LinkedHashMap<>();
            fields.forEach(f -> projected.put(f, item.get(f)));
            return projected;
        }

        private static int positive(Object value, String name) {
            if (value instanceof Long number && number > 0 && number <= 10_000) {
                return number.intValue();
            }
            throw new BadRequest(name + " must be an integer from 1 to 10000");
        }

        /** The field a read or count follows: updated_at unless the request names another of CURSOR_FIELDS. */
        private static String cursorField(Map<String, Object> request) {
            String by = Objects.requireNonNullElse(optionalString(request.get("cursor_field"), "cursor_field"), "updated_at");
            if (!CURSOR_FIELDS.contains(by)) {
                throw new BadRequest("cursor_field must be one of " + CURSOR_FIELDS);
            }
            return by;
        }

        private static String optionalString(Object value, String name) {
            if (value == null || value instanceof String) {
                return (String) value;
            }
            throw new BadRequest(name + " must be a string");
        }
    }

    /** Evaluates the protocol's filter tree with SQL semantics: a comparison with a missing or null field is false. */
    static final class Filters {
        static boolean matches(Map<String, Object> node, Map<String, Object> item) {
            Object type = node.get("type");
            return switch (String.valueOf(type)) {
                case "and" -> operands(node).stream().allMatch(f -> matches(f, item));
                case "or" -> operands(node).stream().anyMatch(f -> matches(f, item));
                case "not" -> !matches(Json.object(node.get("filter"), "not.filter"), item);
                case "is_null" -> (item.get(field(node)) == null) != Boolean.TRUE.equals(node.get("negated"));
                case "in" -> {
                    Object actual = item.get(field(node));
                    if (actual == null || !(node.get("values") instanceof List<?> values)) {
                        yield false;
                    }
                    boolean found = values.stream().anyMatch(v -> compare(actual, v) == 0);
                    yield found != Boolean.TRUE.equals(node.get("negated"));
                }
                case "compare" -> {
                    Object actual = item.get(field(node));
                    Object expected = node.get("value");
                    if (actual == null || expected == null) {
                        yield false;
                    }
                    yield switch (String.valueOf(node.get("op"))) {
                        case "eq" -> compare(actual, expected) == 0;
                        case "ne" -> compare(actual, expected) != 0;
                        case "lt" -> compare(actual, expected) < 0;
                        case "le" -> compare(actual, expected) <= 0;
                        case "gt" -> compare(actual, expected) > 0;
                        case "ge" -> compare(actual, expected) >= 0;
                        case "like" -> like(String.valueOf(expected)).matcher(String.valueOf(actual)).matches();
                        case "not_like" -> !like(String.valueOf(expected)).matcher(String.valueOf(actual)).matches();
                        default -> throw new BadRequest("unknown comparison " + node.get("op"));
                    };
                }
                default -> throw new BadRequest("unknown filter type " + type);
            };
        }

        private static List<Map<String, Object>> operands(Map<String, Object> node) {
            if (!(node.get("filters") instanceof List<?> list)) {
                throw new BadRequest(node.get("type") + " needs filters");
            }
            return list.stream().map(f -> Json.object(f, "filter")).toList();
        }

        private static String field(Map<String, Object> node) {
            if (!(node.get("field") instanceof String field)) {
                throw new BadRequest("filter without a field");
            }
            return field;
        }

        private static int compare(Object actual, Object expected) {
            if (actual instanceof Number a && expected instanceof Number b) {
                return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
            }
            if (actual instanceof Boolean || expected instanceof Boolean) {
                return Objects.equals(actual, expected) ? 0 : 1;
            }
            return String.valueOf(actual).compareTo(String.valueOf(expected));
        }

        private static Pattern like(String pattern) {
            StringBuilder regex = new StringBuilder();
            for (char ch : pattern.toCharArray()) {
                switch (ch) {
                    case '%' -> regex.append(".*");
                    case '_' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(ch)));
                }
            }
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        }
    }

    /** Just enough JSON: objects as LinkedHashMap, arrays as List, integers as Long, other numbers as BigDecimal. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Object parse(String text) {
            Json json = new Json(text);
            Object value = json.value(0);
            json.skipSpace();
            if (json.at != text.length()) {
                throw json.fail("unexpected text after the JSON value");
            }
            return value;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(Object value, String what) {
            if (value instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
            throw new BadRequest(what + " must be a JSON object");
        }

        private Object value(int depth) {
            if (depth > 64) {
                throw fail("JSON nested too deeply");
            }
            skipSpace();
            if (at >= text.length()) {
                throw fail("unexpected end of JSON");
            }
            char ch = text.charAt(at);
            return switch (ch) {
                case '{' -> objectValue(depth);
                case '[' -> arrayValue(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (ch == '-' || Character.isDigit(ch)) {
                        yield number();
                    }
                    throw fail("unexpected character '" + ch + "'");
                }
            };
        }

        private Map<String, Object> objectValue(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek('}')) {
                at++;
                return map;
            }
            while (true) {
                skipSpace();
                if (!peek('"')) {
                    throw fail("expected a quoted name");
                }
                String name = string();
                skipSpace();
                expect(':');
                map.put(name, value(depth + 1));
                skipSpace();
                if (peek(',')) {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> arrayValue(int depth) {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek(']')) {
                at++;
                return list;
            }
            while (true) {
                list.add(value(depth + 1));
                skipSpace();
                if (peek(',')) {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            at++;
            while (at < text.length()) {
                char ch = text.charAt(at++);
                if (ch == '"') {
                    return out.toString();
                }
                if (ch < 0x20) {
                    throw fail("control character in string");
                }
                if (ch != '\\') {
                    out.append(ch);
                    continue;
                }
                if (at >= text.length()) {
                    break;
                }
                char escape = text.charAt(at++);
                switch (escape) {
                    case '"', '\\', '/' -> out.append(escape);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw fail("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException e) {
                            throw fail("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw fail("bad escape \\" + escape);
                }
            }
            throw fail("unterminated string");
        }

        private Object number() {
            int start = at;
            if (peek('-')) {
                at++;
            }
            while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String token = text.substring(start, at);
            try {
                BigDecimal number = new BigDecimal(token);
                if (token.indexOf('.') < 0 && token.indexOf('e') < 0 && token.indexOf('E') < 0) {
                    try {
                        return number.longValueExact();
                    } catch (ArithmeticException tooBig) {
                        return number;
                    }
                }
                return number;
            } catch (NumberFormatException e) {
                throw fail("bad number " + token);
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw fail("unexpected token");
            }
            at += word.length();
            return value;
        }

        private void skipSpace() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private boolean peek(char ch) {
            return at < text.length() && text.charAt(at) == ch;
        }

        private void expect(char ch) {
            if (!peek(ch)) {
                throw fail("expected '" + ch + "'");
            }
            at++;
        }

        private BadRequest fail(String message) {
            return new BadRequest("invalid JSON at " + at + ": " + message);
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out);
            return out.toString();
        }

        private static void write(Object value, StringBuilder out) {
            switch (value) {
                case null -> out.append("null");
                case String s -> quote(s, out);
                case Boolean b -> out.append(b);
                case BigDecimal d -> out.append(d.toPlainString());
                case Number n -> out.append(n);
                case Map<?, ?> map -> {
                    out.append('{');
                    Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
                    while (entries.hasNext()) {
                        Map.Entry<?, ?> entry = entries.next();
                        quote(String.valueOf(entry.getKey()), out);
                        out.append(':');
                        write(entry.getValue(), out);
                        if (entries.hasNext()) {
                            out.append(',');
                        }
                    }
                    out.append('}');
                }
                case List<?> list -> {
                    out.append('[');
                    for (int i = 0; i < list.size(); i++) {
                        if (i > 0) {
                            out.append(',');
                        }
                        write(list.get(i), out);
                    }
                    out.append(']');
                }
                default -> quote(String.valueOf(value), out);
            }
        }

        private static void quote(String s, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (ch < 0x20) {
                            out.append(String.format("\\u%04x", (int) ch));
                        } else {
                            out.append(ch);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
