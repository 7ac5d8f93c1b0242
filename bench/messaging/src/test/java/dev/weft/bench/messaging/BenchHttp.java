package dev.weft.bench.messaging;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.TimeUnit;

/**
 * The benchmark's load client: blocking calls (from the closed loop's virtual threads) on a Vert.x HTTP client with its
 * own event loop and pooled keep-alive connections. Its CPU counts in the JVM's CPU per request the run reports, and
 * the JDK's client, used before, cost several times as much per call.
 */
final class BenchHttp implements AutoCloseable {
    /** A status and, when asked for, the body (decoded only when read). */
    record Answer(int status, Buffer raw) {
        String body() {
            return raw == null ? null : raw.toString();
        }
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final HttpClient client;

    BenchHttp(int connections) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setMaxPoolSize(connections)
                .setConnectTimeout(5_000));
    }

    /** {@code headers}: name, value, name, value, ... */
    Answer call(HttpMethod method, String url, byte[] body, boolean readBody, String... headers) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url);
        for (int h = 0; h < headers.length; h += 2) {
            options.putHeader(headers[h], headers[h + 1]);
        }
        return client.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), readBody ? b : null)))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
