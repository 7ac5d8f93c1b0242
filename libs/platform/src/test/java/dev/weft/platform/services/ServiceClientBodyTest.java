package dev.weft.platform.services;

import com.sun.net.httpserver.HttpServer;
import dev.weft.platform.PlatformTestBase;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bodies of many pieces (PiecedBuffer.PIECE): a request written in pieces arrives whole and in order, and an answer that
 * arrives in many chunks is read whole.
 */
@QuarkusTest
class ServiceClientBodyTest extends PlatformTestBase {
    @Inject
    ServiceClient client;
    @Inject
    SystemPrincipal system;

    @Test
    void a_body_of_many_pieces_goes_and_comes_back_whole() throws Exception {
        HttpServer echo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        echo.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                byte[] body = in.readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                // Chunked (length 0), in writes of 1,000 bytes: the client receives many chunks.
                exchange.sendResponseHeaders(200, 0);
                for (int at = 0; at < body.length; at += 1_000) {
                    out.write(body, at, Math.min(1_000, body.length - at));
                    out.flush();
                }
            }
        });
        echo.start();
        try {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 30_000; i++) {
                values.add("value " + i + " é");
            }
            Map<String, Object> sent = Map.of("values", values);
            String url = "http://127.0.0.1:" + echo.getAddress().getPort();
            @SuppressWarnings("unchecked")
            Map<String, Object> back = system.callAs(newOrg(), () -> client.post("echo", url, Duration.ofSeconds(10), "/echo", sent, Map.class));
            assertEquals(sent, back);
        } finally {
            echo.stop(0);
        }
    }
}
