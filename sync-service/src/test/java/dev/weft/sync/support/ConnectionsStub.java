package dev.weft.sync.support;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.services.SmileWire;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * connections-service's internal endpoints as sync-service calls them, on a WireMock server: {@code GET .../objects},
 * {@code POST .../read} (the next batch after a cursor, oldest first) and {@code POST .../write} (upsert by key, one
 * result per record). Every request is checked as connections-service checks it: the internal credential, the calling
 * service, and the org, which must own the connection (another org's connection is a 404, as there). Each test sets
 * up connections of its own: objects, source rows, and which records the destination refuses.
 */
public class ConnectionsStub implements QuarkusTestResourceLifecycleManager {
    public static final String TOKEN = "sync-test-internal-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Smile as connections-service reads and writes it (dev.weft.platform.services.SmileWire). */
    private static final ObjectMapper SMILE = SmileWire.mapper(JSON);
    /** Whether the request being answered asked for Smile (its Accept header), as connections-service negotiates. */
    private static final ThreadLocal<Boolean> ANSWER_SMILE = ThreadLocal.withInitial(() -> false);
    private static final Map<String, Connection> CONNECTIONS = new ConcurrentHashMap<>();
    private static WireMockServer server;

    /** A connection of one org: its described objects, the rows it serves, what was written to it. */
    public static final class Connection {
        public final String id = TypeId.generate("conn");
        public final String orgId;
        final List<Map<String, Object>> objects = new ArrayList<>();
        final Map<String, List<Map<String, Object>>> rows = new ConcurrentHashMap<>();
        /** Written records per object, by key (or by position for inserts). */
        public final Map<String, Map<String, Map<String, Object>>> written = new ConcurrentHashMap<>();
        public final List<Map<String, Object>> reads = new CopyOnWriteArrayList<>();
        /** The body of each count request, in order. */
        public final List<Map<String, Object>> counts = new CopyOnWriteArrayList<>();
        public final List<Map<String, Object>> writes = new CopyOnWriteArrayList<>();
        /** The Content-Type of each read and write request, in order. */
        public final List<String> batchContentTypes = new CopyOnWriteArrayList<>();
        /** Whether the provider captures changes (false: stream requests are refused, as for a provider without change capture). */
        public volatile boolean streamable = true;
        /** While set, every write is refused whole with this message (a 400, as for a batch the system rejects). */
        public volatile String rejectWrites;
        /** Whether an upsert's answer says how many records it created and updated (PostgreSQL, Salesforce, HubSpot do). */
        public volatile boolean tellsCreated;
        /** Whether objects can be created (a database, Snowflake); false: ensure is refused as for a SaaS API. */
        public volatile boolean creatable = true;
        /** Change streams asked for: object -> stream id. */
        public final Map<String, String> streams = new ConcurrentHashMap<>();
        /** What GET of any of its streams answers as the status (and status_reason, for failed). */
        public volatile String streamStatus = "streaming";
        public volatile String streamStatusReason;
        volatile Predicate<Map<String, Object>> refuses = record -> false;
        /** While set, reads wait for it (a run held mid-flight). */
        public volatile java.util.concurrent.CountDownLatch gate;
        /** While set, every write after the first waits for it (a run held after its first checkpoint). */
        public volatile java.util.concurrent.CountDownLatch writeGate;
        /**
         * When set, only the write whose first record this matches waits for {@link #writeGate}. By its records, not by its
         * place among the writes received: two writes sent at once may arrive in either order.
         */
        public volatile Predicate<Map<String, Object>> heldWrite;
        /** When above 0, this read (1 for the first) is answered 503, as connections-service overloaded. */
        public volatile int failedRead;
        /**
         * When set, the first write whose first record this matches is done, then answered 503: the destination committed it
         * but the answer never arrived.
         */
        public volatile Predicate<Map<String, Object>> answerLost;
        /** Rows inserted so far: each one's id. */
        public final java.util.concurrent.atomic.AtomicLong inserted = new java.util.concurrent.atomic.AtomicLong();
        /** Write ids done, with their answers, as connections-service's write ledger keeps them. */
        public final Map<String, Map<String, Object>> ledger = new ConcurrentHashMap<>();
        /** When set, the first write whose first record this matches is answered 503 (after any wait), as connections-service overloaded. */
        public volatile Predicate<Map<String, Object>> failedWrite;

        Connection(String orgId) {
            this.orgId = orgId;
        }

        /** Describes an object: fields as {@code name:type}, the primary key, the incremental cursor field. */
        public Connection object(String name, List<String> primaryKey, String cursorField, String... fields) {
            List<Map<String, Object>> described = new ArrayList<>();
            for (String field : fields) {
                String[] parts = field.split(":");
                described.add(Map.of("name", parts[0], "type", parts.length > 1 ? parts[1] : "string", "native_type", "text",
                        "nullable", true, "read_only", false));
            }
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("name", name);
            object.put("label", name);
            object.put("fields", described);
            object.put("primary_key", primaryKey);
            object.put("cursor_field", cursorField);
            object.put("write_modes", List.of("insert", "update", "upsert", "delete"));
            objects.add(object);
            return this;
        }

        /** The fields describe offers as {@code object}'s cursor fields (its default first); without this, describe names none. */
        public Connection cursorFields(String object, String... names) {
            objects.stream().filter(o -> o.get("name").equals(object)).forEach(o -> o.put("cursor_fields", List.of(names)));
            return this;
        }

        /** The object is gone from the system (a table dropped): describe no longer lists it. */
        public Connection drop(String name) {
            objects.removeIf(o -> o.get("name").equals(name));
            return this;
        }

        public Connection rows(String object, List<Map<String, Object>> rows) {
            this.rows.put(object, new ArrayList<>(rows));
            return this;
        }

        /** The destination refuses records matching this (a per-record failure). */
        public Connection refusing(Predicate<Map<String, Object>> refuses) {
            this.refuses = refuses;
            return this;
        }

        public List<Map<String, Object>> objects() {
            return objects;
        }

        public Map<String, Map<String, Object>> written(String object) {
            return written.getOrDefault(object, Map.of());
        }

        /** The {@code field} values of every record sent in a delete write, sorted (a key sent twice shows once). */
        @SuppressWarnings("unchecked")
        public java.util.SortedSet<String> deletedKeys(String field) {
            java.util.SortedSet<String> keys = new java.util.TreeSet<>();
            for (Map<String, Object> write : writes) {
                if ("delete".equals(write.get("mode"))) {
                    ((List<Map<String, Object>>) write.get("records")).forEach(r -> keys.add(String.valueOf(r.get(field))));
                }
            }
            return keys;
        }
    }

    public static Connection connection(String orgId) {
        Connection connection = new Connection(orgId);
        CONNECTIONS.put(connection.id, connection);
        return connection;
    }

    /** The connection is gone (deleted in connections-service): every call about it is a 404 from now on. */
    public static void remove(String id) {
        CONNECTIONS.remove(id);
    }

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                    .extensions(new InternalApi()));
            server.start();
            server.stubFor(WireMock.any(WireMock.urlPathMatching("/internal/v1/connections/.*"))
                    .willReturn(WireMock.aResponse().withTransformers(InternalApi.NAME)));
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("weft.services.connections.url", server().baseUrl());
        config.put("weft.platform.internal-token", TOKEN);
        return config;
    }

    @Override
    public void stop() {
        // One server for the JVM.
    }

    static final class InternalApi implements ResponseDefinitionTransformerV2 {
        static final String NAME = "weft-connections-internal";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            try {
                return handle(event.getRequest());
            } catch (Exception e) {
                return error(500, "INTERNAL_ERROR", "stub failed: " + e);
            } finally {
                ANSWER_SMILE.remove();
            }
        }

        private ResponseDefinition handle(Request request) throws Exception {
            if (!("Weft-Internal " + TOKEN).equals(request.getHeader("Authorization"))) {
                return error(401, "UNAUTHORIZED", "Invalid internal credential");
            }
            if (!"sync-service".equals(request.getHeader("X-Weft-Caller"))) {
                return error(401, "UNAUTHORIZED", "An internal call names its service in X-Weft-Caller");
            }
            String[] path = request.getUrl().split("\\?")[0].split("/");
            // /internal/v1/connections/{id}/{operation}
            Connection connection = path.length == 6 || path.length == 7 ? CONNECTIONS.get(path[4]) : null;
            if (connection == null || !connection.orgId.equals(request.getHeader("X-Weft-Org"))) {
                return error(404, "NOT_FOUND", "connection not found");
            }
            if (path.length == 7 && path[5].equals("streams") && request.getMethod().getName().equals("GET")) {
                if (!connection.streams.containsValue(path[6])) {
                    return error(404, "NOT_FOUND", "stream not found");
                }
                Map<String, Object> stream = new HashMap<>(Map.of("id", path[6], "status", connection.streamStatus));
                if (connection.streamStatusReason != null) {
                    stream.put("status_reason", connection.streamStatusReason);
                }
                return ok(stream);
            }
            if (path.length == 7) {
                if (!path[5].equals("objects") || !path[6].equals("ensure")) {
                    return error(404, "NOT_FOUND", "no such operation");
                }
                return ensure(connection, JSON.readValue(request.getBodyAsString(), new TypeReference<Map<String, Object>>() { }));
            }
            return switch (path[5]) {
                case "objects" -> ok(Map.of("data", connection.objects));
                case "streams" -> {
                    Map<String, Object> body = JSON.readValue(request.getBodyAsString(), new TypeReference<Map<String, Object>>() { });
                    String object = (String) body.get("object");
                    if (!connection.streamable) {
                        yield error(400, "INVALID_REQUEST", "this provider has no change capture");
                    }
                    if (connection.objects.stream().noneMatch(o -> o.get("name").equals(object))) {
                        yield error(400, "INVALID_REQUEST", "connection has no object " + object);
                    }
                    if (connection.streams.putIfAbsent(object, "cs_" + connection.streams.size()) != null) {
                        yield new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(409)
                                .withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(Map.of("error", Map.of("code", "DUPLICATE",
                                        "message", "connection already has a stream of " + object, "details", Map.of("stream_id", connection.streams.get(object))))))
                                .build();
                    }
                    yield new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(201).withHeader("Content-Type", "application/json")
                            .withBody(JSON.writeValueAsString(Map.of("id", connection.streams.get(object), "object", object, "status", "starting"))).build();
                }
                case "count" -> {
                    Map<String, Object> body = JSON.readValue(request.getBodyAsString(), new TypeReference<Map<String, Object>>() { });
                    connection.counts.add(body);
                    List<Map<String, Object>> rows = connection.rows.get((String) body.get("object"));
                    Map<String, Object> answer = new HashMap<>();
                    // After a read's cursor (pos:N): what the reads from there still return.
                    Object after = body.get("after");
                    int from = after instanceof String position && position.startsWith("pos:") ? Integer.parseInt(position.substring(4)) : 0;
                    answer.put("count", rows == null || body.get("cursor") != null ? null : Math.max(0, rows.size() - from));
                    yield ok(answer);
                }
                case "read" -> read(connection, batchBody(connection, request));
                case "write" -> write(connection, batchBody(connection, request));
                default -> error(404, "NOT_FOUND", "no such operation");
            };
        }

        @SuppressWarnings("unchecked")
        private ResponseDefinition ensure(Connection connection, Map<String, Object> body) throws Exception {
            String object = (String) body.get("object");
            var existing = connection.objects.stream().filter(o -> o.get("name").equals(object)).findFirst();
            if (existing.isPresent()) {
                return ok(existing.get());
            }
            if (!connection.creatable) {
                return error(400, "INVALID_REQUEST", "this connector cannot create objects");
            }
            List<Map<String, Object>> fields = (List<Map<String, Object>>) body.get("fields");
            List<String> key = (List<String>) body.get("key");
            connection.object(object, key == null || key.isEmpty() ? null : key, null,
                    fields.stream().map(f -> f.get("name") + ":" + f.get("type")).toArray(String[]::new));
            Map<String, Object> created = connection.objects.getLast();
            return new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(201).withHeader("Content-Type", "application/json")
                    .withBody(JSON.writeValueAsString(created)).build();
        }

        @SuppressWarnings("unchecked")
        private ResponseDefinition read(Connection connection, Map<String, Object> body) throws Exception {
            int number;
            synchronized (connection.reads) {
                connection.reads.add(body);
                number = connection.reads.size();
            }
            if (number == connection.failedRead) {
                return error(503, "SERVICE_UNAVAILABLE", "overloaded");
            }
            java.util.concurrent.CountDownLatch gate = connection.gate;
            if (gate != null) {
                gate.await(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            String object = (String) body.get("object");
            List<Map<String, Object>> rows = connection.rows.get(object);
            if (rows == null && connection.objects.stream().anyMatch(o -> o.get("name").equals(object))) {
                return readWritten(connection, object, body);
            }
            if (rows == null) {
                return error(400, "INVALID_REQUEST", "connection has no object " + object);
            }
            int from = body.get("cursor") == null ? 0 : Integer.parseInt(((String) body.get("cursor")).substring("pos:".length()));
            int size = body.get("batch_size") == null ? 1000 : (Integer) body.get("batch_size");
            List<String> fields = (List<String>) body.get("fields");
            List<Map<String, Object>> page = new ArrayList<>();
            for (int i = from; i < Math.min(rows.size(), from + size); i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                rows.get(i).forEach((k, v) -> {
                    if (fields == null || fields.isEmpty() || fields.contains(k)) {
                        row.put(k, v);
                    }
                });
                page.add(row);
            }
            int to = from + page.size();
            Map<String, Object> pagination = new HashMap<>();
            pagination.put("next_cursor", "pos:" + to);
            pagination.put("has_more", to < rows.size());
            return ok(page(body, page, pagination));
        }

        /**
         * A read of a destination table (one the test gave no source rows): what was written to it, in key order, after a
         * keyset cursor {@code key:<last key>}, as connections-service reads a keyed table (rows deleted behind the
         * cursor do not shift the next page). Only the asked fields are answered, and they must exist.
         */
        @SuppressWarnings("unchecked")
        private ResponseDefinition readWritten(Connection connection, String object, Map<String, Object> body) throws Exception {
            List<String> fields = (List<String>) body.get("fields");
            Map<String, Object> described = connection.objects.stream().filter(o -> o.get("name").equals(object)).findFirst().orElseThrow();
            List<Map<String, Object>> known = (List<Map<String, Object>>) described.get("fields");
            for (String field : fields == null ? List.<String>of() : fields) {
                if (known.stream().noneMatch(f -> f.get("name").equals(field))) {
                    return error(400, "INVALID_REQUEST", object + " has no field " + field);
                }
            }
            String after = body.get("cursor") == null ? null : ((String) body.get("cursor")).substring("key:".length());
            int size = body.get("batch_size") == null ? 1000 : (Integer) body.get("batch_size");
            java.util.TreeMap<String, Map<String, Object>> table = new java.util.TreeMap<>(connection.written(object));
            var tail = after == null ? table : table.tailMap(after, false);
            List<Map<String, Object>> page = new ArrayList<>();
            String last = after;
            for (var entry : tail.entrySet()) {
                if (page.size() == size) {
                    break;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                entry.getValue().forEach((k, v) -> {
                    if (fields == null || fields.isEmpty() || fields.contains(k)) {
                        row.put(k, v);
                    }
                });
                page.add(row);
                last = entry.getKey();
            }
            Map<String, Object> pagination = new HashMap<>();
            pagination.put("next_cursor", last == null ? null : "key:" + last);
            pagination.put("has_more", last != null && !table.tailMap(last, false).isEmpty());
            return ok(page(body, page, pagination));
        }

        /**
         * A read's answer as connections-service gives it: the row form when asked for and the records share their fields
         * (in the first one's order), else the records as objects.
         */
        private static Map<String, Object> page(Map<String, Object> body, List<Map<String, Object>> page, Map<String, Object> pagination) {
            Map<String, Object> answer = new HashMap<>();
            answer.put("pagination", pagination);
            List<String> fields = page.isEmpty() ? List.of() : List.copyOf(page.getFirst().keySet());
            boolean shared = page.stream().allMatch(r -> r.keySet().equals(page.getFirst().keySet()));
            if ("rows".equals(body.get("format")) && shared) {
                answer.put("fields", fields);
                answer.put("rows", page.stream().map(r -> fields.stream().map(r::get).toList()).toList());
            } else {
                answer.put("data", page);
            }
            return answer;
        }

        @SuppressWarnings("unchecked")
        private ResponseDefinition write(Connection connection, Map<String, Object> received) throws Exception {
            // The row form is kept as records, so tests read every write alike.
            Map<String, Object> body = new LinkedHashMap<>(received);
            if (body.containsKey("rows")) {
                List<String> fields = (List<String>) body.remove("fields");
                List<Map<String, Object>> records = new ArrayList<>();
                for (List<Object> row : (List<List<Object>>) body.remove("rows")) {
                    if (row.size() != fields.size()) {
                        return error(400, "INVALID_REQUEST", "a row has " + row.size() + " values for " + fields.size() + " fields");
                    }
                    Map<String, Object> record = new LinkedHashMap<>();
                    for (int i = 0; i < fields.size(); i++) {
                        record.put(fields.get(i), row.get(i));
                    }
                    records.add(record);
                }
                body.put("records", records);
            }
            int number;
            synchronized (connection.writes) {
                connection.writes.add(body);
                number = connection.writes.size();
            }
            java.util.concurrent.CountDownLatch writeGate = connection.writeGate;
            List<Map<String, Object>> sent = (List<Map<String, Object>>) body.get("records");
            Map<String, Object> first = sent == null || sent.isEmpty() ? Map.of() : sent.get(0);
            Predicate<Map<String, Object>> held = connection.heldWrite;
            if (writeGate != null && (held != null ? held.test(first) : number > 1)) {
                writeGate.await(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            Predicate<Map<String, Object>> failing = connection.failedWrite;
            if (failing != null && failing.test(first)) {
                connection.failedWrite = null;
                return error(503, "SERVICE_UNAVAILABLE", "overloaded");
            }
            if (connection.rejectWrites != null) {
                return error(400, "INVALID_REQUEST", connection.rejectWrites);
            }
            // As connections-service's write ledger: a write id written before is answered as the first time, writing nothing.
            String writeId = (String) body.get("write_id");
            if (writeId != null && connection.ledger.containsKey(writeId)) {
                Map<String, Object> replay = new LinkedHashMap<>(connection.ledger.get(writeId));
                replay.put("replayed", true);
                return ok(replay);
            }
            String object = (String) body.get("object");
            List<Map<String, Object>> records = (List<Map<String, Object>>) body.get("records");
            List<String> key = (List<String>) body.get("key");
            String mode = (String) body.getOrDefault("mode", "insert");
            Map<String, Map<String, Object>> table = connection.written.computeIfAbsent(object, o -> new ConcurrentHashMap<>());
            List<Map<String, Object>> results = new ArrayList<>();
            long failed = 0;
            long created = 0;
            for (int i = 0; i < records.size(); i++) {
                Map<String, Object> record = records.get(i);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("index", i);
                if (connection.refuses.test(record)) {
                    result.put("success", false);
                    result.put("error", "value rejected by the destination");
                    failed++;
                } else if (mode.equals("delete")) {
                    String id = String.join("|", key.stream().map(k -> String.valueOf(record.get(k))).toList());
                    if (table.remove(id) == null) {
                        // As connections-service answers a key no record has.
                        result.put("success", false);
                        result.put("error", "no record with key " + id);
                        result.put("code", "not_found");
                        failed++;
                    } else {
                        result.put("success", true);
                        result.put("id", id);
                    }
                } else {
                    // An inserted row's id from a counter: writes run at once, and the table's size then names two rows alike.
                    String id = key == null || key.isEmpty() || mode.equals("insert") ? "row-" + connection.inserted.incrementAndGet()
                            : String.join("|", key.stream().map(k -> String.valueOf(record.get(k))).toList());
                    if (table.put(id, record) == null) {
                        created++;
                    }
                    result.put("success", true);
                    result.put("id", id);
                }
                results.add(result);
            }
            Map<String, Object> summary = new LinkedHashMap<>(Map.of("total", records.size(), "succeeded", records.size() - failed, "failed", failed));
            if (connection.tellsCreated && mode.equals("upsert")) {
                summary.put("created", created);
                summary.put("updated", records.size() - failed - created);
            }
            if ("failures".equals(body.get("answer"))) {
                List<Map<String, Object>> failures = new ArrayList<>();
                for (Map<String, Object> result : results) {
                    if (Boolean.FALSE.equals(result.get("success"))) {
                        Map<String, Object> failure = new LinkedHashMap<>();
                        failure.put("index", result.get("index"));
                        failure.put("key", null);
                        failure.put("error", result.get("error"));
                        if (result.containsKey("code")) {
                            failure.put("code", result.get("code"));
                        }
                        failures.add(failure);
                    }
                }
                return answered(connection, writeId, first, Map.of("object", object, "mode", mode, "summary", summary, "failures", failures));
            }
            return answered(connection, writeId, first, Map.of("object", object, "mode", mode, "summary", summary, "results", results));
        }

        /** A write done: its id recorded with its answer; the answer lost (a 503 after the write) when the test says so. */
        private ResponseDefinition answered(Connection connection, String writeId, Map<String, Object> first, Map<String, Object> answer) throws Exception {
            if (writeId != null) {
                connection.ledger.put(writeId, answer);
            }
            Predicate<Map<String, Object>> lost = connection.answerLost;
            if (lost != null && lost.test(first)) {
                connection.answerLost = null;
                return error(503, "SERVICE_UNAVAILABLE", "the write committed but its answer was lost");
            }
            return ok(answer);
        }

        /** A read's or write's body, in Smile or JSON by its Content-Type; the answer in Smile when the request accepts it. */
        private static Map<String, Object> batchBody(Connection connection, Request request) throws Exception {
            String type = request.getHeader("Content-Type");
            connection.batchContentTypes.add(type);
            String accept = request.containsHeader("Accept") ? request.getHeader("Accept") : "";
            ANSWER_SMILE.set(accept.contains(SmileWire.MEDIA_TYPE));
            ObjectMapper mapper = SmileWire.isSmile(type) ? SMILE : JSON;
            return mapper.readValue(request.getBody(), new TypeReference<Map<String, Object>>() { });
        }

        private static ResponseDefinition ok(Object body) throws Exception {
            var answer = new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(200);
            if (ANSWER_SMILE.get()) {
                return answer.withHeader("Content-Type", SmileWire.MEDIA_TYPE).withBody(SMILE.writeValueAsBytes(body)).build();
            }
            return answer.withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(body)).build();
        }

        private static ResponseDefinition error(int status, String code, String message) {
            try {
                return new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(JSON.writeValueAsString(Map.of("error", Map.of("code", code, "message", message, "request_id", "req_stub"))))
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
