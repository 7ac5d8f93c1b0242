package dev.weft.local;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local stand-in for the Kubernetes ingress: one port, {@code /v1/...} forwarded by path
 * prefix ({@link Routes}) to the owning service, streaming in both directions (vertx-http-proxy).
 * What the ingress would not route gets the API's own error shape instead of an HTML page: 404
 * {@code NOT_FOUND} for an unknown path, 502 {@code UPSTREAM_ERROR} for a service that is down.
 */
public final class Router implements AutoCloseable {
    static final String ACCESS_LOGGER = "dev.weft.local.router";
    private static final Logger ACCESS = Logger.getLogger(ACCESS_LOGGER);
    /** Bytes of a request line, and of a header block, the router's HTTP decoder reads before refusing the request. */
    static final int DECODER_LIMIT = 65_536;

    private final Vertx vertx;
    private final Routes routes;
    private final Map<WeftService, HttpProxy> proxies = new EnumMap<>(WeftService.class);
    private final HttpClient client;
    private final HttpServer server;

    /**
     * @param upstreamPorts    where each service listens on 127.0.0.1
     * @param logHintForService what to tell a caller to read when that service is unreachable
     */
    private Router(Vertx vertx, Routes routes, Map<WeftService, Integer> upstreamPorts,
                   Function<WeftService, String> logHintForService) {
        this.vertx = vertx;
        this.routes = routes;
        // The default pool (5 connections per service) would queue requests under any load test.
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setConnectTimeout(5_000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(200));
        for (Map.Entry<WeftService, Integer> upstream : upstreamPorts.entrySet()) {
            WeftService service = upstream.getKey();
            proxies.put(service, HttpProxy.reverseProxy(client)
                    .origin(upstream.getValue(), "127.0.0.1")
                    .addInterceptor(new ForwardingInterceptor(service, upstream.getValue(), logHintForService.apply(service))));
        }
        // HTTP/1.1 only, like the ingress's backends: vertx-http-proxy cannot forward a bodied h2c request
        // without a content-length to an HTTP/1.1 service, and Java's HttpClient offers h2c by default.
        // The decoder's limits match the services' (libs/platform): the documented, lower URI and header
        // limits are the services' to enforce, so what they would accept passes through.
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setHttp2ClearTextEnabled(false)
                .setMaxInitialLineLength(DECODER_LIMIT).setMaxHeaderSize(DECODER_LIMIT));
        server.requestHandler(this::handle);
        server.invalidRequestHandler(this::refuseInvalid);
    }

    /**
     * What Vert.x's decoder could not parse never reaches {@link #handle}; its default answer is a
     * bare status with no body. Here it gets the API's error shape and a request id, like any refusal.
     */
    private void refuseInvalid(HttpServerRequest request) {
        long started = System.nanoTime();
        Throwable cause = request.decoderResult().cause();
        String requestId = RequestIds.generate();
        int status;
        String code;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            code = "URI_TOO_LONG";
            message = "Request line is longer than " + DECODER_LIMIT + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            code = "HEADERS_TOO_LARGE";
            message = "Request header fields are larger than " + DECODER_LIMIT + " bytes";
        } else {
            status = 400;
            code = "INVALID_REQUEST";
            message = "Not a valid HTTP request";
        }
        request.response().putHeader("Connection", "close");
        refuse(request, null, started, requestId, status, code, message)
                // The rest of the connection cannot be parsed reliably after a decoding failure.
                .onComplete(ignored -> request.connection().close());
    }

    /** Answers in the API's error shape, with the request id, and logs the refusal like any request. */
    private Future<Void> refuse(HttpServerRequest request, WeftService service, long started, String requestId,
                                int status, String code, String message) {
        request.response().endHandler(ignored -> logAccess(request, service, requestId, started));
        return request.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader(RequestIds.HEADER, requestId)
                .end(errorBody(code, message, requestId));
    }

    /** Starts listening; blocks until the port is bound so a caller can print the URL right after. */
    public static Router start(Vertx vertx, Routes routes, int port, Map<WeftService, Integer> upstreamPorts,
                               Function<WeftService, String> logHintForService) {
        Router router = new Router(vertx, routes, upstreamPorts, logHintForService);
        try {
            router.server.listen(port).toCompletionStage().toCompletableFuture().get();
            return router;
        } catch (Exception e) {
            router.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new LaunchException("The API router could not listen on 127.0.0.1:" + port + " (" + cause.getMessage()
                    + "); free the port or set WEFT_API_PORT to another one.", cause);
        }
    }

    public int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        long started = System.nanoTime();
        String requestId = RequestIds.fromHeaderOrNew(request.getHeader(RequestIds.HEADER));
        request.headers().set(RequestIds.HEADER, requestId);
        String invalid = invalidTarget(request.uri());
        if (invalid != null) {
            refuse(request, null, started, requestId, 400, "INVALID_REQUEST", "The request target is not a valid URI ("
                    + invalid + "). Percent-encode characters such as spaces, '{' or '|', and write a % itself as %25.");
            return;
        }
        String path = request.path();
        WeftService service = hasDotSegment(path) ? null : routes.match(path).orElse(null);
        if (service == null || !proxies.containsKey(service)) {
            refuse(request, service, started, requestId, 404, "NOT_FOUND", "No Weft API endpoint matches " + request.method()
                    + " " + path + ". Every endpoint lives under a /v1 prefix such as /v1/connections or /v1/syncs;"
                    + " see docs/ for the API reference.");
            return;
        }
        request.response().endHandler(ignored -> logAccess(request, service, requestId, started));
        proxies.get(service).handle(request);
    }

    /**
     * Why the request target is not a URI, or null when it is: the check each service makes (the platform's HttpGuards),
     * made here too so that a target no service would match gets the same 400, not a 404. The router does not depend on
     * the platform library, hence its own copy of these few lines.
     */
    static String invalidTarget(String uri) {
        try {
            new java.net.URI(uri);
            return null;
        } catch (java.net.URISyntaxException e) {
            return e.getReason() + " at index " + e.getIndex();
        }
    }

    /**
     * The ingress normalises {@code .} and {@code ..} before matching; rather than reimplement
     * that (and risk routing /v1/syncs/../q to a service), such paths are simply not found.
     */
    private static boolean hasDotSegment(String path) {
        for (String segment : path.split("/", -1)) {
            String decoded = segment.replace("%2e", ".").replace("%2E", ".");
            if (decoded.equals(".") || decoded.equals("..")) {
                return true;
            }
        }
        return false;
    }

    static Buffer errorBody(String code, String message, String requestId) {
        return new JsonObject().put("error", new JsonObject()
                .put("code", code)
                .put("message", message)
                .put("request_id", requestId)).toBuffer();
    }

    private void logAccess(HttpServerRequest request, WeftService service, String requestId, long started) {
        if (ACCESS.isLoggable(Level.INFO)) {
            ACCESS.info(new JsonObject()
                    .put("method", request.method().name())
                    .put("path", request.path())
                    .put("status", request.response().getStatusCode())
                    .put("service", service == null ? null : service.module())
                    .put("duration_ms", (System.nanoTime() - started) / 1_000_000)
                    .put("request_id", requestId)
                    .encode());
        }
    }

    @Override
    public void close() {
        try {
            server.close().compose(ignored -> client.close()).toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            ACCESS.log(Level.WARNING, "router did not close cleanly", e);
        }
    }

    /**
     * Adds what the ingress adds (X-Forwarded-*, the original Host), makes sure the response carries the request id
     * even when a service does not echo it, and turns "cannot reach the service" into a JSON 502.
     */
    private static final class ForwardingInterceptor implements ProxyInterceptor {
        private final WeftService service;
        private final int port;
        private final String logHint;

        ForwardingInterceptor(WeftService service, int port, String logHint) {
            this.service = service;
            this.port = port;
            this.logHint = logHint;
        }

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
            HttpServerRequest incoming = context.request().proxiedRequest();
            // Keep the caller's Host, as the ingress does, so services build public URLs (OAuth
            // callbacks, the issuer in .well-known) with the address the caller used.
            if (incoming.authority() != null) {
                context.request().setAuthority(incoming.authority());
            }
            context.request().headers()
                    .set("X-Forwarded-For", incoming.remoteAddress() == null ? "127.0.0.1" : incoming.remoteAddress().hostAddress())
                    .set("X-Forwarded-Proto", incoming.scheme() == null ? "http" : incoming.scheme())
                    .set("X-Forwarded-Host", String.valueOf(incoming.authority()));
            return context.sendRequest().recover(failure -> {
                String requestId = incoming.getHeader(RequestIds.HEADER);
                ProxyResponse response = context.request().release().response()
                        .setStatusCode(502)
                        .setStatusMessage("Bad Gateway");
                response.headers().clear();
                response.putHeader("Content-Type", "application/json")
                        .setBody(Body.body(errorBody("UPSTREAM_ERROR", service.module() + " is not answering on 127.0.0.1:" + port
                                + " (" + failure.getMessage() + "). Check " + logHint + " or run `bin/weft status`.", requestId)));
                return Future.succeededFuture(response);
            });
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
            ProxyResponse response = context.response();
            if (response.headers().get(RequestIds.HEADER) == null) {
                response.putHeader(RequestIds.HEADER, context.request().proxiedRequest().getHeader(RequestIds.HEADER));
            }
            return context.sendResponse();
        }
    }
}
