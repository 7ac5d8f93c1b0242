package dev.weft.platform.http.outbound;

import dev.weft.platform.http.AddressPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.platform.http.outbound.OutboundOutcome.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundClientTest {

    private static final AddressPolicy LOCAL = AddressPolicy.of(List.of("127.0.0.1/32"), true);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String BIG_BODY = "a" + "é".repeat(5000); // 10001 bytes, byte 4096 is inside an 'é'

    private static Vertx vertx;
    private static HttpServer server;
    private static int port;
    private static final AtomicInteger connectionsOpened = new AtomicInteger();
    /** Connections that served /tracked, to tell one test's connections from another's. */
    private static final Set<HttpConnection> trackedConnections = ConcurrentHashMap.newKeySet();

    private OutboundClient sender;

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .connectionHandler(connection -> connectionsOpened.incrementAndGet())
                .requestHandler(request -> request.body().onSuccess(body -> respond(request, body.toString())));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    private static void respond(HttpServerRequest request, String body) {
        var response = request.response();
        switch (request.path()) {
            case "/ok" -> response.setStatusCode(204).end();
            case "/error" -> response.setStatusCode(500).end("{\"error\":\"boom\"}");
            case "/gone" -> response.setStatusCode(410).end("endpoint removed");
            case "/slow-down" -> response.setStatusCode(429).putHeader("Retry-After", "30").end();
            case "/big" -> response.setStatusCode(200).end(BIG_BODY);
            case "/hang" -> { } // never answers
            case "/delayed" -> vertx.setTimer(150, id -> response.setStatusCode(200).end("late"));
            case "/redirect" -> response.setStatusCode(Integer.parseInt(request.getParam("status")))
                    .putHeader("Location", "http://127.0.0.1:" + port + "/ok").end();
            case "/tracked" -> {
                trackedConnections.add(request.connection());
                response.setStatusCode(204).end();
            }
            case "/echo" -> response.setStatusCode(200).end(new JsonObject()
                    .put("host", request.getHeader("Host"))
                    .put("contentType", request.getHeader("Content-Type"))
                    .put("signature", request.getHeader("webhook-signature"))
                    .put("method", request.method().name())
                    .put("uri", request.uri())
                    .put("body", body)
                    .encode());
            default -> response.setStatusCode(404).end();
        }
    }

    @AfterAll
    static void stopServer() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void newSender() {
        sender = new OutboundClient(vertx, LOCAL, OutboundOptions.defaults());
    }

    @AfterEach
    void closeSender() {
        sender.close();
    }

    private static OutboundOutcome await(CompletionStage<OutboundOutcome> outcome) throws Exception {
        return outcome.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private OutboundOutcome post(String path) throws Exception {
        return await(sender.send(local(path), Map.of(), "{}", TIMEOUT));
    }

    /** An IP literal as an address (no DNS involved). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static URI local(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Test
    void reports_2xx_response_with_latency() throws Exception {
        OutboundOutcome outcome = post("/ok");
        assertEquals(204, outcome.statusCode());
        assertEquals(Failure.NONE, outcome.failure());
        assertTrue(outcome.succeeded());
        assertEquals("", outcome.responseExcerpt());
        assertEquals(Optional.empty(), outcome.retryAfter());

        OutboundOutcome delayed = post("/delayed");
        assertEquals(200, delayed.statusCode());
        assertEquals("late", delayed.responseExcerpt());
        assertTrue(delayed.latencyMillis() >= 150, "latency " + delayed.latencyMillis());
        assertTrue(delayed.latencyMillis() < TIMEOUT.toMillis(), "latency " + delayed.latencyMillis()); // answered, not timed out
    }

    @Test
    void posts_json_body_with_caller_headers_to_the_url_path() throws Exception {
        OutboundOutcome outcome = await(sender.send(local("/echo?tenant=t1"), Map.of("webhook-signature", "v1,abc"),
                "{\"type\":\"order.created\"}", TIMEOUT));
        JsonObject echoed = new JsonObject(outcome.responseExcerpt());
        assertEquals("POST", echoed.getString("method"));
        assertEquals("/echo?tenant=t1", echoed.getString("uri"));
        assertEquals("application/json", echoed.getString("contentType"));
        assertEquals("v1,abc", echoed.getString("signature"));
        assertEquals("{\"type\":\"order.created\"}", echoed.getString("body"));
    }

    @Test
    void reports_5xx_and_410_with_their_bodies() throws Exception {
        OutboundOutcome error = post("/error");
        assertEquals(500, error.statusCode());
        assertEquals("{\"error\":\"boom\"}", error.responseExcerpt());
        assertTrue(error.responded());
        assertFalse(error.succeeded());

        OutboundOutcome gone = post("/gone");
        assertEquals(410, gone.statusCode());
        assertEquals("endpoint removed", gone.responseExcerpt());
    }

    @Test
    void reports_429_with_retry_after() throws Exception {
        OutboundOutcome outcome = post("/slow-down");
        assertEquals(429, outcome.statusCode());
        assertEquals(Optional.of("30"), outcome.retryAfter());
    }

    @Test
    void truncates_response_excerpt_at_4096_bytes_without_splitting_a_character() throws Exception {
        OutboundOutcome outcome = post("/big");
        assertEquals(200, outcome.statusCode());
        byte[] excerpt = outcome.responseExcerpt().getBytes(StandardCharsets.UTF_8);
        assertEquals(4095, excerpt.length); // 'a' + 2047 'é'; the 'é' cut at byte 4096 is dropped
        assertTrue(BIG_BODY.startsWith(outcome.responseExcerpt()));
    }

    @Test
    void times_out_within_the_timeout_when_the_server_never_answers() throws Exception {
        long started = System.nanoTime();
        OutboundOutcome outcome = await(sender.send(local("/hang"), Map.of(), "{}", Duration.ofMillis(300)));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(Failure.TIMEOUT, outcome.failure());
        assertEquals(0, outcome.statusCode());
        assertTrue(outcome.latencyMillis() >= 300, "latency " + outcome.latencyMillis());
        // Far below await's 15 s, far above a loaded machine's scheduling delays: a missing timeout fails, load does not.
        assertTrue(elapsed < 5_000, "took " + elapsed + " ms");
    }

    @Test
    void reports_connection_refused_on_a_closed_port() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        OutboundOutcome outcome = await(
                sender.send(URI.create("http://127.0.0.1:" + closedPort + "/"), Map.of(), "{}", TIMEOUT));
        assertEquals(Failure.CONNECTION_REFUSED, outcome.failure());
        assertEquals(0, outcome.statusCode());
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void does_not_follow_redirects(int status) throws Exception {
        OutboundOutcome outcome = post("/redirect?status=" + status);
        assertEquals(status, outcome.statusCode());
        assertEquals(Failure.NONE, outcome.failure());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://127.0.0.1:PORT/", "https://[::ffff:127.0.0.1]:PORT/", "https://[::1]:PORT/",
        "https://localhost:PORT/", "https://127.0.0.2:PORT/", "https://0.0.0.0:PORT/", "https://10.0.0.1/",
        "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/", "https://192.168.1.1/",
        "https://[fd00::1]/", "https://[fe80::1]/", "https://2130706433:PORT/", "https://[64:ff9b::7f00:1]/"})
    void refuses_non_public_destinations_without_connecting(String url) throws Exception {
        // A connection attempt would wait up to 30 s (unroutable addresses) and fail await's 15 s; a refusal is immediate.
        Duration patient = Duration.ofSeconds(30);
        try (OutboundClient strict = new OutboundClient(vertx, AddressPolicy.strict(), OutboundOptions.defaults().withConnectTimeout(patient))) {
            int before = connectionsOpened.get();
            OutboundOutcome outcome = await(strict.send(URI.create(url.replace("PORT", String.valueOf(port))),
                    Map.of(), "{}", patient));
            assertEquals(Failure.BLOCKED_ADDRESS, outcome.failure(), outcome.toString());
            assertEquals(0, outcome.statusCode());
            assertEquals(before, connectionsOpened.get());
            // refused before any connection attempt, which would have waited for the connect timeout
            assertTrue(outcome.latencyMillis() < 10_000, "latency " + outcome.latencyMillis());
        }
    }

    @Test
    void refuses_plain_http_unless_allowed_without_resolving() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        AddressLookup counting = host -> {
            lookups.incrementAndGet();
            return CompletableFuture.completedFuture(List.of(ip("93.184.216.34")));
        };
        try (OutboundClient strict = new OutboundClient(vertx, AddressPolicy.strict(), OutboundOptions.defaults(), counting)) {
            OutboundOutcome outcome = await(strict.send(URI.create("http://example.com/"), Map.of(), "{}", TIMEOUT));
            assertEquals(Failure.BLOCKED_ADDRESS, outcome.failure());
            assertEquals(0, lookups.get());
        }
    }

    @Test
    void refuses_a_host_if_any_of_its_addresses_is_not_public() throws Exception {
        AddressLookup rebinding = host -> CompletableFuture.completedFuture(List.of(
                ip("93.184.216.34"),
                ip("10.0.0.1")));
        try (OutboundClient strict = new OutboundClient(vertx, AddressPolicy.strict(), OutboundOptions.defaults(), rebinding)) {
            OutboundOutcome outcome = await(strict.send(URI.create("https://hooks.example.com/"), Map.of(), "{}", TIMEOUT));
            assertEquals(Failure.BLOCKED_ADDRESS, outcome.failure());
        }
    }

    @Test
    void connects_to_the_checked_address_and_keeps_the_url_host_in_the_host_header() throws Exception {
        // the .invalid name cannot resolve anywhere else: the request can only arrive through the checked address
        AddressLookup stub = host -> CompletableFuture.completedFuture(
                List.of(ip("127.0.0.1")));
        try (OutboundClient local = new OutboundClient(vertx, LOCAL, OutboundOptions.defaults(), stub)) {
            OutboundOutcome outcome = await(local.send(URI.create("http://hooks.weft-test.invalid:" + port + "/echo"),
                    Map.of("Host", "evil.example"), "{}", TIMEOUT));
            assertEquals(200, outcome.statusCode(), outcome.toString());
            assertEquals("hooks.weft-test.invalid:" + port, new JsonObject(outcome.responseExcerpt()).getString("host"));
        }
    }

    @Test
    void reports_dns_failure() throws Exception {
        AddressLookup unknown = host -> CompletableFuture.failedFuture(new UnknownHostException(host));
        try (OutboundClient failing = new OutboundClient(vertx, LOCAL, OutboundOptions.defaults(), unknown)) {
            OutboundOutcome outcome = await(failing.send(URI.create("https://nowhere.invalid/"), Map.of(), "{}", TIMEOUT));
            assertEquals(Failure.DNS, outcome.failure());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/", "/relative", "https:///no-host", "https://user:pw@example.com/"})
    void refuses_invalid_urls(String url) throws Exception {
        OutboundOutcome outcome = await(sender.send(URI.create(url), Map.of(), "{}", TIMEOUT));
        assertEquals(Failure.INVALID_URL, outcome.failure(), outcome.toString());
        assertFalse(outcome.error().contains("pw"));
    }

    @Test
    void reuses_keep_alive_connections_and_closes_idle_ones() throws Exception {
        trackedConnections.clear();
        try (OutboundClient pooled = new OutboundClient(vertx, LOCAL,
                // one connection: the second send waits for the first's connection to return to the pool
                OutboundOptions.defaults().withMaxPoolSize(1).withIdleTimeout(Duration.ofSeconds(1)))) {
            assertEquals(204, await(pooled.send(local("/tracked"), Map.of(), "{}", TIMEOUT)).statusCode());
            assertEquals(204, await(pooled.send(local("/tracked"), Map.of(), "{}", TIMEOUT)).statusCode());
            assertEquals(1, trackedConnections.size());
            CompletableFuture<Void> closed = new CompletableFuture<>();
            HttpConnection connection = trackedConnections.iterator().next();
            vertx.runOnContext(ignored -> connection.closeHandler(done -> closed.complete(null)));
            // idle timeout 1 s plus the pool cleaner's 1 s period
            closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void completes_many_concurrent_sends_over_a_bounded_pool() throws Exception {
        trackedConnections.clear();
        int sends = 2_000;
        int poolSize = 20;
        try (OutboundClient pooled = new OutboundClient(vertx, LOCAL, OutboundOptions.defaults().withMaxPoolSize(poolSize))) {
            List<CompletableFuture<OutboundOutcome>> outcomes = new ArrayList<>(sends);
            for (int i = 0; i < sends; i++) {
                outcomes.add(pooled.send(local("/tracked"), Map.of(), "{\"n\":" + i + "}", Duration.ofSeconds(20))
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (CompletableFuture<OutboundOutcome> outcome : outcomes) {
                assertEquals(204, outcome.join().statusCode(), outcome.join().toString());
            }
            int connections = trackedConnections.size();
            assertTrue(connections >= 1 && connections <= poolSize, "connections: " + connections);
        }
    }

    @Test
    void refuses_header_values_that_would_split_the_request() throws Exception {
        int before = connectionsOpened.get();
        OutboundOutcome outcome = await(sender.send(local("/echo"),
                Map.of("webhook-signature", "v1,abc\r\nX-Injected: 1"), "{}", TIMEOUT));
        assertEquals(Failure.IO, outcome.failure(), outcome.toString());
        assertEquals(before, connectionsOpened.get());
    }

    @Test
    void writes_ipv6_literal_hosts_in_brackets_in_the_host_header() throws Exception {
        HttpServer ipv6;
        try {
            ipv6 = vertx.createHttpServer(new HttpServerOptions().setHost("::1").setPort(0))
                    .requestHandler(request -> request.response().end(String.valueOf(request.getHeader("Host"))));
            ipv6.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception noIpv6) {
            Assumptions.abort("no IPv6 loopback here");
            return;
        }
        AddressPolicy loopbackV6 = AddressPolicy.of(List.of("::1/128"), true);
        try (OutboundClient v6 = new OutboundClient(vertx, loopbackV6, OutboundOptions.defaults())) {
            OutboundOutcome outcome = await(v6.send(URI.create("http://[::1]:" + ipv6.actualPort() + "/"), Map.of(), "{}",
                    TIMEOUT));
            assertEquals("[::1]:" + ipv6.actualPort(), outcome.responseExcerpt(), outcome.toString());
        } finally {
            ipv6.close();
        }
    }
}
