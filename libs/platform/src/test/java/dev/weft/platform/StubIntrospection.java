package dev.weft.platform;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for auth-service's POST /v1/auth/introspect in platform tests. It runs beside the test
 * app rather than inside it because the app's HTTP port is random (quarkus.http.test-port=0), so
 * its URL cannot be configured before the app starts; this server's port is known first.
 */
public class StubIntrospection implements QuarkusTestResourceLifecycleManager {
    public static final String TOKEN = "stub-introspection-token";
    /** Presented credential (API key or signing key id) → the JSON answer; anything else is inactive. */
    public static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();
    public static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    public static final AtomicBoolean FAILING = new AtomicBoolean();
    private static HttpServer server;

    @Override
    public synchronized Map<String, String> start() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/v1/auth/introspect", exchange -> {
                String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String token = null;
                for (String pair : form.split("&")) {
                    if (pair.startsWith("token=")) {
                        token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
                    }
                }
                int status = 200;
                String answer;
                if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    status = 401;
                    answer = "{}";
                } else if (FAILING.get()) {
                    status = 500;
                    answer = "{}";
                } else {
                    CALLS.computeIfAbsent(String.valueOf(token), t -> new AtomicInteger()).incrementAndGet();
                    answer = ANSWERS.getOrDefault(String.valueOf(token), "{\"active\":false}");
                }
                byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }
        return Map.of(
                "weft.platform.auth.introspection-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/auth/introspect",
                "weft.platform.auth.introspection-token", TOKEN);
    }

    @Override
    public void stop() {
        // Lives as long as the test JVM, like the other test infrastructure.
    }

    public static int calls(String token) {
        AtomicInteger count = CALLS.get(token);
        return count == null ? 0 : count.get();
    }
}
