package dev.weft.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every seed 002 path sent through the real router reaches the service that owns it, unchanged (the
 * long {@code /v1/integrations/...} form is rewritten inside messaging-service, not by the router).
 * Each service is stood in for by a server that names itself and echoes the URI it received.
 */
class SeedPathsThroughRouterTest {
    private static final java.util.logging.Logger ACCESS_LOG = java.util.logging.Logger.getLogger(Router.ACCESS_LOGGER);
    private static Vertx vertx;
    private static Router router;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ACCESS_LOG.setLevel(java.util.logging.Level.WARNING);
        vertx = Vertx.vertx();
        Map<WeftService, Integer> ports = new EnumMap<>(WeftService.class);
        for (WeftService service : new WeftService[] {WeftService.CONNECTIONS, WeftService.MESSAGING}) {
            HttpServer server = vertx.createHttpServer().requestHandler(request -> request.response()
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("service", service.id()).put("method", request.method().name()).put("uri", request.uri()).encode()))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ports.put(service, server.actualPort());
        }
        router = Router.start(vertx, Routes.load(), 0, ports, service -> "/tmp/" + service.id() + ".log");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void every_seed_002_path_reaches_its_service_with_method_and_query_kept() throws Exception {
        for (Map.Entry<String, WeftService> seed : RoutesTest.SEED_002_PATHS.entrySet()) {
            for (String method : new String[] {"GET", "POST"}) {
                String uri = seed.getKey() + "?page=2&limit=10&start=2026-07-01T00%3A00%3A00Z";
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + uri))
                        .method(method, HttpRequest.BodyPublishers.ofString(method.equals("POST") ? "{\"type\":\"email\"}" : "")).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertEquals(200, response.statusCode(), uri);
                JsonObject echo = new JsonObject(response.body());
                assertEquals(seed.getValue().id(), echo.getString("service"), method + " " + uri);
                assertEquals(method, echo.getString("method"), uri);
                assertEquals(uri, echo.getString("uri"), "forwarded as sent");
            }
        }
    }
}
