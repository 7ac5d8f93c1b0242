package dev.weft.platform.http.outbound;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vendor client against a local JDK server: plain and gzip bodies, redirects not followed, refused connections, the answer helpers. */
class VendorClientTest {
    private HttpServer server;
    private URI base;
    private final VendorClient client = new VendorClient(HttpClient.Version.HTTP_1_1, Duration.ofSeconds(2));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/plain", exchange -> {
            byte[] body = "{\"ok\":true,\"text\":\"h\u00e9\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/gzip", exchange -> {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write("{\"rows\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
            }
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(200, zipped.size());
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(zipped.toByteArray());
            }
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/plain");
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void bodies_are_text_gzip_is_unpacked_and_redirects_are_answers() throws IOException {
        HttpResponse<String> plain = client.exchange(HttpRequest.newBuilder(base.resolve("/plain")).build());
        assertEquals(200, plain.statusCode());
        assertEquals("{\"ok\":true,\"text\":\"h\u00e9\"}", plain.body());
        assertEquals("{\"rows\":[1,2,3]}", client.exchange(HttpRequest.newBuilder(base.resolve("/gzip")).build()).body());
        HttpResponse<String> moved = client.exchange(HttpRequest.newBuilder(base.resolve("/moved")).build());
        assertEquals(302, moved.statusCode());
        assertEquals(Optional.of(Duration.ofSeconds(7)), VendorClient.retryAfter(moved));
        assertEquals(Optional.empty(), VendorClient.retryAfter(plain));
    }

    @Test
    void a_refused_connection_is_an_io_exception() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port + "/x");
        assertThrows(IOException.class, () -> client.exchange(HttpRequest.newBuilder(closed).build()));
    }

    @Test
    void answer_helpers() {
        assertTrue(VendorClient.transientStatus(429));
        assertTrue(VendorClient.transientStatus(500));
        assertTrue(VendorClient.transientStatus(503));
        assertFalse(VendorClient.transientStatus(400));
        assertFalse(VendorClient.transientStatus(404));
        assertNull(VendorClient.shorten(null));
        assertEquals("short", VendorClient.shorten("short"));
        String cut = VendorClient.shorten("x".repeat(600));
        assertEquals(VendorClient.MAX_ERROR_CHARS + 3, cut.length());
        assertTrue(cut.endsWith("..."));
        assertEquals("https://graph.facebook.com", VendorClient.trimSlash("https://graph.facebook.com//"));
        assertEquals("https://api.telegram.org", VendorClient.trimSlash("https://api.telegram.org"));
    }
}
