package dev.weft.connections.extension;

import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.connections.support.ExampleExtension;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.CountSpec;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.FilterParser;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives ExtensionConnector against the example extension, run as the documented single-file program. */
class ExtensionConnectorTest {
    private static final String SECRET = StandardWebhooks.generateSecret();
    private static ExampleExtension extension;
    private static URI baseUrl;

    @BeforeAll
    static void startExample() throws Exception {
        extension = ExampleExtension.start(SECRET);
        baseUrl = extension.baseUrl();
    }

    @AfterAll
    static void stopExample() {
        if (extension != null) {
            extension.close();
        }
    }

    private static ConnectorContext context() {
        return MapCredentials.context("inventory", Map.of("warehouse", "north"), MapCredentials.of(Map.of("api_key", "k1")), Map.of());
    }

    private final ExtensionConnector connector = new ExtensionConnector("inventory", baseUrl, SECRET);

    @Test
    void drives_check_describe_write_query_and_read_through_the_example() {
        assertEquals("inventory", connector.provider());
        CheckResult check = connector.check(context());
        assertEquals(CheckResult.Outcome.OK, check.outcome(), check.message());

        ObjectSchema items = connector.describe(context()).getFirst();
        assertEquals("items", items.name());
        assertEquals(List.of("sku"), items.primaryKey());
        assertEquals("updated_at", items.cursorField());
        assertEquals(Set.of(WriteMode.INSERT, WriteMode.UPDATE, WriteMode.UPSERT, WriteMode.DELETE), items.writeModes());
        assertEquals("integer", items.field("quantity").orElseThrow().type());
        assertTrue(items.field("updated_at").orElseThrow().readOnly());

        String start = connector.read(context(), new ReadSpec("items", List.of(), null, 100, items)).nextCursor();

        WriteResult inserted = connector.write(context(), new WriteSpec("items", WriteMode.INSERT, List.of("sku"), List.of(
                Map.of("sku", "flow-1", "name", "Bolt M5 \"zinc\" ø", "quantity", 120),
                Map.of("sku", "flow-2", "name", "Nut M5", "quantity", 3),
                Map.of("sku", "flow-3", "name", "Washer", "quantity", 40),
                Map.of("sku", "flow-1", "name", "duplicate", "quantity", 1),
                Map.of("sku", "flow-4", "name", "Bad", "quantity", 1.5)), items));
        assertEquals(List.of(true, true, true, false, false), inserted.results().stream().map(WriteResult.RecordResult::success).toList());
        assertEquals("flow-1", inserted.results().getFirst().id());
        assertTrue(inserted.results().get(3).error().contains("already exists"), inserted.results().get(3).error());
        assertTrue(inserted.results().get(4).error().contains("integer"), inserted.results().get(4).error());

        WriteResult updated = connector.write(context(), new WriteSpec("items", WriteMode.UPDATE, List.of(), List.of(
                Map.of("sku", "flow-2", "quantity", 30), Map.of("sku", "flow-missing", "quantity", 1)), items));
        assertEquals(List.of(true, false), updated.results().stream().map(WriteResult.RecordResult::success).toList());

        RecordPage first = connector.query(context(), new QuerySpec("items", List.of("sku", "quantity"),
                FilterParser.parse("sku LIKE 'flow-%' AND quantity >= 30 AND NOT (name IS NULL)"), 2, null, items));
        assertEquals(List.of(Map.of("sku", "flow-1", "quantity", 120), Map.of("sku", "flow-2", "quantity", 30)), first.records());
        assertTrue(first.hasMore());
        RecordPage second = connector.query(context(), new QuerySpec("items", List.of("sku", "name"),
                FilterParser.parse("sku LIKE 'flow-%' AND quantity >= 30 AND NOT (name IS NULL)"), 2, first.nextCursor(), items));
        assertEquals(List.of(Map.of("sku", "flow-3", "name", "Washer")), second.records());
        assertFalse(second.hasMore());
        RecordPage byName = connector.query(context(), new QuerySpec("items", List.of("name"),
                FilterParser.parse("name = 'Bolt M5 \"zinc\" ø' OR sku = 'nothing'"), 10, null, items));
        assertEquals(List.of(Map.of("name", "Bolt M5 \"zinc\" ø")), byName.records());

        // Changes since the start, oldest first: the three inserts, then flow-2's update moves it last.
        RecordPage changes = connector.read(context(), new ReadSpec("items", List.of("sku"), start, 2, items));
        assertEquals(List.of(Map.of("sku", "flow-1"), Map.of("sku", "flow-3")), changes.records());
        assertTrue(changes.hasMore());
        RecordPage rest = connector.read(context(), new ReadSpec("items", List.of("sku"), changes.nextCursor(), 2, items));
        assertEquals(List.of(Map.of("sku", "flow-2")), rest.records());
        assertFalse(rest.hasMore());
        RecordPage none = connector.read(context(), new ReadSpec("items", List.of(), rest.nextCursor(), 2, items));
        assertTrue(none.records().isEmpty());
        assertEquals(rest.nextCursor(), none.nextCursor());

        WriteResult deleted = connector.write(context(), new WriteSpec("items", WriteMode.DELETE, List.of(), List.of(Map.of("sku", "flow-3")), items));
        assertTrue(deleted.results().getFirst().success());
        assertEquals(List.of(Map.of("sku", "flow-1"), Map.of("sku", "flow-2")), connector.query(context(),
                new QuerySpec("items", List.of("sku"), FilterParser.parse("sku IN ('flow-1', 'flow-2', 'flow-3')"), 10, null, items)).records());
    }

    @Test
    void a_read_follows_the_cursor_field_it_is_given_among_those_the_extension_lists() {
        ObjectSchema items = connector.describe(context()).getFirst();
        assertEquals(List.of("updated_at", "created_at"), items.cursorFields());
        assertTrue(connector.readsBy(items, items.field("created_at").orElseThrow()));
        assertFalse(connector.readsBy(items, items.field("quantity").orElseThrow()));
        ObjectSchema byCreation = items.readBy("created_at");
        String start = connector.read(context(), new ReadSpec("items", List.of(), null, 10_000, byCreation)).nextCursor();

        connector.write(context(), new WriteSpec("items", WriteMode.INSERT, List.of(), List.of(
                Map.of("sku", "made-1", "quantity", 1), Map.of("sku", "made-2", "quantity", 2)), items));
        connector.write(context(), new WriteSpec("items", WriteMode.UPDATE, List.of(), List.of(Map.of("sku", "made-1", "quantity", 10)), items));

        // By created_at: the two new items in the order they were made; the update of made-1 does not move it.
        RecordPage made = connector.read(context(), new ReadSpec("items", List.of("sku", "quantity"), start, 10, byCreation));
        assertEquals(List.of(Map.of("sku", "made-1", "quantity", 10), Map.of("sku", "made-2", "quantity", 2)), made.records());
        connector.write(context(), new WriteSpec("items", WriteMode.UPDATE, List.of(), List.of(Map.of("sku", "made-2", "quantity", 20)), items));
        assertTrue(connector.read(context(), new ReadSpec("items", List.of(), made.nextCursor(), 10, byCreation)).records().isEmpty());
        // The field followed can be asked for too (a sync maps it): its value is the cursor the read hands back.
        RecordPage stamped = connector.read(context(), new ReadSpec("items", List.of("sku", "created_at"), start, 1, byCreation));
        assertEquals("made-1", stamped.records().getFirst().get("sku"));
        assertEquals(stamped.records().getFirst().get("created_at"), stamped.nextCursor());
        // By updated_at (the default) both updates are changes after that point, in the order they were made.
        RecordPage changed = connector.read(context(), new ReadSpec("items", List.of("sku"), made.nextCursor(), 10, items));
        assertEquals(List.of(Map.of("sku", "made-1"), Map.of("sku", "made-2")), changed.records());
    }

    @Test
    void counts_what_the_reads_from_a_cursor_would_still_return() {
        ObjectSchema items = connector.describe(context()).getFirst();
        ObjectSchema byCreation = items.readBy("created_at");
        String changedMark = connector.read(context(), new ReadSpec("items", List.of(), null, 10_000, items)).nextCursor();
        String madeMark = connector.read(context(), new ReadSpec("items", List.of(), null, 10_000, byCreation)).nextCursor();
        long before = connector.count(context(), new CountSpec("items", null, null, null, items)).orElseThrow();

        connector.write(context(), new WriteSpec("items", WriteMode.INSERT, List.of(), List.of(
                Map.of("sku", "count-1", "quantity", 1), Map.of("sku", "count-2", "quantity", 2), Map.of("sku", "count-3", "quantity", 3)), items));

        assertEquals(before + 3, connector.count(context(), new CountSpec("items", null, null, null, items)).orElseThrow());
        assertEquals(2, connector.count(context(), new CountSpec("items",
                FilterParser.parse("sku LIKE 'count-%' AND quantity >= 2"), null, null, items)).orElseThrow());
        // After a read's cursor: what the reads from there would return, one batch read or not.
        assertEquals(3, connector.count(context(), new CountSpec("items", null, null, null, items, changedMark)).orElseThrow());
        RecordPage first = connector.read(context(), new ReadSpec("items", List.of("sku"), changedMark, 1, items));
        assertEquals(List.of(Map.of("sku", "count-1")), first.records());
        assertEquals(2, connector.count(context(), new CountSpec("items", null, null, null, items, first.nextCursor())).orElseThrow());
        // An update moves count-1 after that cursor by updated_at, not by created_at.
        connector.write(context(), new WriteSpec("items", WriteMode.UPDATE, List.of(), List.of(Map.of("sku", "count-1", "quantity", 10)), items));
        assertEquals(3, connector.count(context(), new CountSpec("items", null, null, null, items, first.nextCursor())).orElseThrow());
        RecordPage made = connector.read(context(), new ReadSpec("items", List.of("sku"), madeMark, 1, byCreation));
        assertEquals(2, connector.count(context(), new CountSpec("items", null, null, null, byCreation, made.nextCursor())).orElseThrow());
        // After a value of a cursor field.
        assertEquals(3, connector.count(context(), new CountSpec("items", null, "created_at", madeMark, items)).orElseThrow());
    }

    @Test
    void an_extension_without_count_counts_nothing_and_a_bad_count_is_its_mistake() throws IOException {
        HttpServer old = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        old.createContext("/", exchange -> {
            byte[] body = "{\"error\":{\"message\":\"unknown operation count\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        old.start();
        try {
            ExtensionConnector before = new ExtensionConnector("inventory", URI.create("http://127.0.0.1:" + old.getAddress().getPort()), SECRET);
            assertTrue(before.count(context(), new CountSpec("items", null, null, null, null)).isEmpty());
        } finally {
            old.stop(0);
        }
        assertTrue(ExtensionProtocol.count(ExtensionProtocol.JSON.createObjectNode().putNull("count")).isEmpty());
        assertEquals(7, ExtensionProtocol.count(ExtensionProtocol.JSON.createObjectNode().put("count", 7)).orElseThrow());
        for (var bad : List.of(ExtensionProtocol.JSON.createObjectNode(), ExtensionProtocol.JSON.createObjectNode().put("count", "many"),
                ExtensionProtocol.JSON.createObjectNode().put("count", -1), ExtensionProtocol.JSON.createObjectNode().put("count", 2.5))) {
            ConnectorException refused = assertThrows(ConnectorException.class, () -> ExtensionProtocol.count(bad), bad.toString());
            assertEquals(ConnectorException.Kind.UPSTREAM, refused.kind());
        }
    }

    @Test
    void a_described_cursor_field_that_is_not_a_field_is_the_extensions_mistake() {
        var answer = ExtensionProtocol.JSON.createObjectNode();
        var object = answer.putArray("objects").addObject().put("name", "items").put("cursor_field", "updated_at");
        object.putArray("fields").addObject().put("name", "updated_at").put("type", "datetime");
        object.putArray("cursor_fields").add("updated_at").add("placed_at");
        ConnectorException refused = assertThrows(ConnectorException.class, () -> ExtensionProtocol.objects(answer));
        assertTrue(refused.getMessage().contains("placed_at"), refused.getMessage());
        object.putArray("cursor_fields").add("updated_at");
        assertEquals(List.of("updated_at"), ExtensionProtocol.objects(answer).getFirst().cursorFields());
        object.remove("cursor_fields");
        assertEquals(List.of("updated_at"), ExtensionProtocol.objects(answer).getFirst().cursorFields());
    }

    @Test
    void a_wrong_secret_fails_the_check_and_every_call() {
        ExtensionConnector impostor = new ExtensionConnector("inventory", baseUrl, StandardWebhooks.generateSecret());

        CheckResult check = impostor.check(context());
        ConnectorException describe = assertThrows(ConnectorException.class, () -> impostor.describe(context()));

        assertEquals(CheckResult.Outcome.FAILED, check.outcome());
        assertTrue(check.message().contains("invalid or missing signature"), check.message());
        assertEquals(ConnectorException.Kind.AUTH, describe.kind());
        assertEquals(401, describe.upstreamStatus());
    }

    @Test
    void unsigned_and_stale_requests_are_refused_by_the_example() throws Exception {
        String body = "{\"connection\":{\"id\":\"c\",\"config\":{}},\"credentials\":{}}";
        StandardWebhooks.Signature stale = new StandardWebhooks(SECRET).sign("msg_old", Instant.now().minusSeconds(600).getEpochSecond(), body);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(baseUrl.resolve("/check"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> old = http.send(HttpRequest.newBuilder(baseUrl.resolve("/check"))
                .header("webhook-id", stale.id()).header("webhook-timestamp", String.valueOf(stale.timestamp()))
                .header("webhook-signature", stale.signature())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(401, unsigned.statusCode());
        assertEquals(401, old.statusCode());
    }

    @Test
    void a_400_from_the_extension_is_invalid_with_its_message() {
        ConnectorException unknownObject = assertThrows(ConnectorException.class,
                () -> connector.query(context(), new QuerySpec("orders", List.of(), null, 10, null, null)));
        ConnectorException wrongKey = assertThrows(ConnectorException.class, () -> connector.write(context(),
                new WriteSpec("items", WriteMode.UPDATE, List.of("name"), List.of(Map.of("name", "x")), null)));

        assertEquals(ConnectorException.Kind.INVALID, unknownObject.kind());
        assertTrue(unknownObject.getMessage().contains("unknown object orders"), unknownObject.getMessage());
        assertEquals(ConnectorException.Kind.INVALID, wrongKey.kind());
        assertTrue(wrongKey.getMessage().contains("identified by sku"), wrongKey.getMessage());
    }

    @Test
    void an_unreachable_extension_fails_the_check() throws IOException {
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        ExtensionConnector gone = new ExtensionConnector("inventory", URI.create("http://127.0.0.1:" + closed), SECRET);

        assertEquals(CheckResult.Outcome.FAILED, gone.check(context()).outcome());
        assertEquals(ConnectorException.Kind.UNREACHABLE,
                assertThrows(ConnectorException.class, () -> gone.describe(context())).kind());
    }
}
