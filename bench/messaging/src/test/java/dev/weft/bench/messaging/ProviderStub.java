package dev.weft.bench.messaging;

import dev.weft.platform.id.TypeId;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in, on its own Vert.x event loop, for what messaging-service calls: the WhatsApp Cloud API
 * ({@code POST /graph/{version}/{phone_number_id}/messages}, answered as the Cloud API does, with a new wamid) and
 * connections-service's internal channel-connections endpoint (one WhatsApp connection, whichever org asks).
 */
public class ProviderStub implements QuarkusTestResourceLifecycleManager {
    static final String CONNECTION_ID = TypeId.generate("conn");
    static final String PHONE_NUMBER_ID = "106540352242922";
    static final String ACCESS_TOKEN = "EAAG-bench-token";
    static final String APP_SECRET = "bench-app-secret";
    static final String TOKEN = "bench-internal-token";
    private static final AtomicLong WAMIDS = new AtomicLong();
    private static Vertx vertx;
    private static HttpServer server;

    static synchronized String baseUrl() {
        if (server == null) {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
            try {
                server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true))
                        .requestHandler(ProviderStub::handle).listen(0).toCompletionStage().toCompletableFuture().get();
            } catch (Exception e) {
                throw new IllegalStateException("the provider stub did not start", e);
            }
        }
        return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public Map<String, String> start() {
        String url = baseUrl();
        return Map.of("weft.services.connections.url", url,
                "weft.platform.internal-token", TOKEN,
                "weft.messaging.whatsapp.base-url", url + "/graph");
    }

    @Override
    public void stop() {
        // One stub for the JVM.
    }

    private static void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.startsWith("/graph/") && path.endsWith("/messages")) {
            request.body().onSuccess(body -> {
                if (!("Bearer " + ACCESS_TOKEN).equals(request.getHeader("Authorization")) || body.length() == 0
                        || !path.contains("/" + PHONE_NUMBER_ID + "/")) {
                    request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                            .end("{\"error\":{\"message\":\"Invalid OAuth access token.\",\"type\":\"OAuthException\",\"code\":190}}");
                    return;
                }
                request.response().putHeader("Content-Type", "application/json").end("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"x\","
                        + "\"wa_id\":\"x\"}],\"messages\":[{\"id\":\"wamid.HBgM" + WAMIDS.incrementAndGet() + "\"}]}");
            });
            return;
        }
        if (path.startsWith("/internal/v1/channel-connections")) {
            if (!("Weft-Internal " + TOKEN).equals(request.getHeader("Authorization"))) {
                request.response().setStatusCode(401).end();
                return;
            }
            String view = "{\"connection_id\":\"" + CONNECTION_ID + "\",\"provider\":\"whatsapp\",\"name\":\"bench\",\"config\":{\"phone_number_id\":\""
                    + PHONE_NUMBER_ID + "\"},\"credentials\":{\"access_token\":\"" + ACCESS_TOKEN + "\",\"app_secret\":\"" + APP_SECRET
                    + "\",\"verify_token\":\"bench-verify\"}}";
            request.response().putHeader("Content-Type", "application/json")
                    .end(path.endsWith("/channel-connections") ? "{\"data\":[" + view + "]}" : view);
            return;
        }
        request.response().setStatusCode(404).end();
    }
}
