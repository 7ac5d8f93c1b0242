package dev.weft.local;

import dev.weft.testing.infra.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterTest {
    private static Vertx vertx;
    private static HttpServer upstream;
    private static Router router;
    private static final HttpClient http = HttpClient.newHttpClient();
    /** Held here because java.util.logging forgets the level of a logger nobody references. */
    private static final java.util.logging.Logger ACCESS_LOG = java.util.logging.Logger.getLogger(Router.ACCESS_LOGGER);

    @BeforeAll
    static void start() throws Exception {
        // The access log goes to .weft/logs/router.log in real runs; here it would only clutter the build output.
        ACCESS_LOG.setLevel(java.util.logging.Level.WARNING);
        vertx = Vertx.vertx();
        // Stands in for sync-service: echoes what it received, so the test sees what the router forwarded.
        // Its decoder limits are the services' (libs/platform), so what the router forwards it can read.
        upstream = vertx.createHttpServer(new HttpServerOptions().setMaxInitialLineLength(65_536).setMaxHeaderSize(65_536)).requestHandler(request -> request.body().onSuccess(body -> {
            JsonObject echo = new JsonObject()
                    .put("method", request.method().name())
                    .put("uri", request.uri())
                    .put("x_custom", request.getHeader("X-Custom"))
                    .put("request_id", request.getHeader("X-Request-Id"))
                    .put("forwarded_for", request.getHeader("X-Forwarded-For"))
                    .put("host", request.getHeader("Host"))
                    .put("body_length", body.length())
                    .put("body_sha", Integer.toHexString(body.toString().hashCode()));
            request.response().setStatusCode(request.method().name().equals("POST") ? 201 : 200)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("X-Upstream", "sync")
                    .end(echo.encode());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int nobodyListens = FreePorts.next();
        router = Router.start(vertx, Routes.load(), 0,
                Map.of(WeftService.SYNC, upstream.actualPort(), WeftService.AUTH, nobodyListens),
                service -> "/tmp/" + service.id() + ".log");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder to(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + pathAndQuery));
    }

    @Test
    void forwards_method_query_headers_body_and_status() throws Exception {
        String body = "x".repeat(300_000);
        HttpResponse<String> response = send(to("/v1/syncs/sync_1/run?dry_run=true&x=a%20b")
                .header("X-Custom", "kept").header("X-Request-Id", "req_mine")
                .POST(HttpRequest.BodyPublishers.ofString(body)));

        assertEquals(201, response.statusCode());
        assertEquals("sync", response.headers().firstValue("X-Upstream").orElseThrow());
        assertEquals("req_mine", response.headers().firstValue("X-Request-Id").orElseThrow());
        JsonObject echo = new JsonObject(response.body());
        assertEquals("POST", echo.getString("method"));
        assertEquals("/v1/syncs/sync_1/run?dry_run=true&x=a%20b", echo.getString("uri"));
        assertEquals("kept", echo.getString("x_custom"));
        assertEquals("req_mine", echo.getString("request_id"));
        assertEquals("127.0.0.1", echo.getString("forwarded_for"));
        assertEquals("127.0.0.1:" + router.port(), echo.getString("host"), "the caller's Host reaches the service");
        assertEquals(body.length(), echo.getInteger("body_length"));
        assertEquals(Integer.toHexString(body.hashCode()), echo.getString("body_sha"));
    }

    @Test
    void generates_a_request_id_when_the_caller_sends_none() throws Exception {
        HttpResponse<String> response = send(to("/v1/runs/run_1").GET());

        assertEquals(200, response.statusCode());
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(id.matches("req_[0-9a-z]{26}"), id);
        assertEquals(id, new JsonObject(response.body()).getString("request_id"), "the service saw the same id");
    }

    @Test
    void unknown_paths_get_a_json_404_in_the_error_shape() throws Exception {
        for (String path : new String[] {"/v1/nothing", "/v1/syncsX", "/q/health/ready", "/", "/v1/syncs/../../q/health"}) {
            HttpResponse<String> response = send(to(path).GET());

            assertEquals(404, response.statusCode(), path);
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"), path);
            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            JsonObject error = new JsonObject(response.body()).getJsonObject("error");
            assertEquals("NOT_FOUND", error.getString("code"), path);
            assertEquals(id, error.getString("request_id"), path);
            assertTrue(error.getString("message").contains("/v1/"), error.getString("message"));
        }
    }

    @Test
    void a_service_that_is_down_gets_a_json_502() throws Exception {
        HttpResponse<String> response = send(to("/v1/orgs").header("X-Request-Id", "req_down")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"acme\"}")));

        assertEquals(502, response.statusCode());
        assertEquals("req_down", response.headers().firstValue("X-Request-Id").orElseThrow());
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertEquals("UPSTREAM_ERROR", error.getString("code"));
        assertEquals("req_down", error.getString("request_id"));
        assertTrue(error.getString("message").contains("auth-service"), error.getString("message"));
        assertTrue(error.getString("message").contains("/tmp/auth.log"), error.getString("message"));
    }

    @Test
    void a_request_id_that_is_unsafe_to_echo_is_replaced() throws Exception {
        HttpResponse<String> response = send(to("/v1/runs").header("X-Request-Id", "a b<script>").GET());

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(id.startsWith("req_"), id);
    }

    @Test
    void streams_a_large_response() throws Exception {
        Buffer big = Buffer.buffer("y".repeat(2_000_000));
        HttpResponse<String> response = send(to("/v1/syncs").PUT(HttpRequest.BodyPublishers.ofByteArray(big.getBytes())));

        assertEquals(200, response.statusCode());
        assertEquals(2_000_000, new JsonObject(response.body()).getInteger("body_length"));
    }

    @Test
    void forwards_a_long_uri_and_large_headers_for_the_service_to_judge() throws Exception {
        HttpResponse<String> response = send(to("/v1/syncs?pad=" + "x".repeat(10_000)).header("X-Custom", "y".repeat(30_000)).GET());

        assertEquals(200, response.statusCode());
        assertEquals(10_000 + "/v1/syncs?pad=".length(), new JsonObject(response.body()).getString("uri").length());
    }

    @Test
    void what_its_decoder_refuses_gets_the_error_shape_not_an_empty_body() throws Exception {
        assertRefused(send(to("/v1/syncs?pad=" + "x".repeat(70_000)).GET()), 414, "URI_TOO_LONG");
        assertRefused(send(to("/v1/syncs").header("X-Custom", "y".repeat(70_000)).GET()), 431, "HEADERS_TOO_LARGE");

        try (Socket socket = new Socket("127.0.0.1", router.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            // Netty reads an unparseable request as HTTP/1.0, so the answer is in that version.
            assertTrue(raw.matches("(?s)HTTP/1\\.[01] 400 .*"), raw);
            assertTrue(raw.toLowerCase(java.util.Locale.ROOT).contains("x-request-id: req_"), raw);
            assertTrue(raw.contains("\"code\":\"INVALID_REQUEST\""), raw);
        }
    }

    @Test
    void a_request_target_that_is_not_a_uri_gets_the_error_shape_not_the_services_empty_400() throws Exception {
        // A service's HTTP layer (Quarkus) answers these with a bare 400 before any of its own code runs.
        for (String target : new String[] {"/v1/syncs?cursor=%%%", "/v1/syncs?limit=%G1", "/v1/syncs?cursor=abc%", "/v1/sy%ZZncs",
                "/v1/syncs/{id}", "/v1/syncs?q=a|b"}) {
            String raw = sendAsWritten("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: req_target\r\nConnection: close\r\n\r\n");
            assertTrue(raw.startsWith("HTTP/1.1 400 "), target + ": " + raw);
            assertTrue(raw.toLowerCase(java.util.Locale.ROOT).contains("x-request-id: req_target"), raw);
            assertTrue(raw.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), raw);
            assertTrue(raw.contains("\"code\":\"INVALID_REQUEST\"") && raw.contains("\"request_id\":\"req_target\"")
                    && raw.contains("not a valid URI"), raw);
        }
        // Well-formed escapes still go through to the service, as sent.
        String raw = sendAsWritten("GET /v1/syncs?cursor=%32%25 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 200 "), raw);
        assertTrue(raw.contains("/v1/syncs?cursor=%32%25"), raw);
    }

    /** The request goes out byte for byte: HttpClient and java.net.URI refuse a malformed target before sending it. */
    private static String sendAsWritten(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", router.port())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(id.startsWith("req_"), id);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertEquals(code, error.getString("code"));
        assertEquals(id, error.getString("request_id"));
    }
}
