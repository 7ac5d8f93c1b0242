package dev.weft.platform.http;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ErrorBody;
import dev.weft.platform.error.ErrorCode;
import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.resteasy.reactive.server.vertx.VertxInputStream;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * What must hold for every HTTP exchange, before and after JAX-RS: a request id on every
 * response, the URI, header and body-size limits, and the error shape for routes no resource
 * matched and for failures that escape JAX-RS. No Vert.x or Quarkus default error page reaches a
 * client.
 *
 * <p>The URI and header limits are checked here rather than left to Vert.x: its HTTP decoder
 * refuses an over-long request line or header block before any route runs, and answers a bare 414
 * or 431 with an empty body. The hook Vert.x has for that ({@code HttpServer#invalidRequestHandler})
 * is out of reach, because Quarkus creates and starts the server privately and copies the handlers
 * into each connection at listen time (quarkusio/quarkus#55082). So the platform raises the
 * decoder's limits to a ceiling ({@code quarkus.http.limits.*}, 64 KiB) and enforces the
 * documented, lower limits here, where the request id and the error shape are at hand. Only a
 * request beyond that ceiling or one that is not HTTP at all still gets a bare status; the router in
 * front (deploy/local) answers those.
 *
 * <p>Likewise a request target that {@code java.net.URI} refuses ({@code ?cursor=%%%}, an unencoded
 * {@code {}): Quarkus answers it with a bare 400 before any route, unless the system property
 * {@code vertx.disableURIValidation} is set when its HTTP recorder loads. {@link ServiceMain} sets it
 * (and the build's test JVMs do), and the same check is made here, in the error shape.
 *
 * <p>The body limit is checked here from Content-Length; a body without one (chunked) is counted as it is read, by
 * {@link BodyLimit}.
 */
@ApplicationScoped
public class HttpGuards {
    private final PlatformConfig config;

    public HttpGuards(PlatformConfig config) {
        this.config = config;
    }

    void registerFilters(@Observes Filters filters) {
        filters.register(this::assignRequestIdAndCheckSize, 10_000);
        // First of all filters: anything that reads the path (PathAliases, routing itself) fails on a bad escape.
        filters.register(HttpGuards::refuseTargetThatIsNotAUri, TARGET_CHECK_PRIORITY);
    }

    void registerRoutes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::renderFailure);
        // Right after Quarkus' upload limit, which arms Quarkus REST's count of a body without Content-Length: that
        // count answers a bare 413, so BodyLimit counts instead, and Quarkus' count stays only as a backstop further out.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(ctx -> {
            if (ctx.get(VertxInputStream.MAX_REQUEST_SIZE_KEY) != null) {
                ctx.put(VertxInputStream.MAX_REQUEST_SIZE_KEY, config.http().bodyLimit(ctx.normalizedPath()) + BodyLimit.BACKSTOP);
            }
            ctx.next();
        });
        // Small JSON bodies are read whole here, on the event loop, and a resource on a virtual thread then reads them from
        // memory: read from the virtual thread, each chunk was handed over through a monitor and an unpark (a quarter of
        // the event loop's samples in bench/messaging). Larger, chunked and non-JSON bodies (uploads, streamed batches)
        // are still streamed, counted by BodyLimit.
        BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 2).handler(ctx -> {
            if (smallJson(ctx)) {
                small.handle(ctx);
            } else {
                ctx.next();
            }
        });
        router.route().last().handler(ctx -> write(ctx, ErrorCode.NOT_FOUND,
                "No route for " + ctx.request().method() + " " + ctx.request().path()));
    }

    private void assignRequestIdAndCheckSize(RoutingContext ctx) {
        // Measured before the request id header is set, so the limit applies to what the client sent.
        int headerSize = headerSize(ctx.request().headers());
        String requestId = RequestIds.fromHeaderOrNew(ctx.request().getHeader(RequestIds.HEADER));
        ctx.request().headers().set(RequestIds.HEADER, requestId);
        ctx.response().headers().set(RequestIds.HEADER, requestId);
        PlatformConfig.Http limits = config.http();
        if (ctx.request().uri().length() > limits.maxUriLength()) {
            refuse(ctx, ErrorCode.URI_TOO_LONG, "Request URI is longer than " + limits.maxUriLength() + " bytes");
            return;
        }
        if (headerSize > limits.maxHeaderSize()) {
            refuse(ctx, ErrorCode.HEADERS_TOO_LARGE, "Request header fields are larger than " + limits.maxHeaderSize() + " bytes in total");
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long bodyLimit = limits.bodyLimit(ctx.normalizedPath());
        if (length != null && exceeds(length, bodyLimit)) {
            refuse(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "Request body is larger than " + bodyLimit + " bytes");
            return;
        }
        ctx.next();
    }

    /** Above every other filter (PathAliases' included). */
    static final int TARGET_CHECK_PRIORITY = 1_000_000;

    private static void refuseTargetThatIsNotAUri(RoutingContext ctx) {
        String invalid = invalidTarget(ctx.request().uri());
        if (invalid == null) {
            ctx.next();
            return;
        }
        String requestId = RequestIds.fromHeaderOrNew(ctx.request().getHeader(RequestIds.HEADER));
        ctx.request().headers().set(RequestIds.HEADER, requestId);
        refuse(ctx, ErrorCode.INVALID_REQUEST, "The request target is not a valid URI (" + invalid + "). Percent-encode"
                + " characters such as spaces, '{' or '|', and write a % itself as %25.");
    }

    /** Why the request target is not a URI, or null when it is: the check Quarkus makes when its own is not disabled. */
    static String invalidTarget(String uri) {
        try {
            new URI(uri);
            return null;
        } catch (URISyntaxException e) {
            return e.getReason() + " at index " + e.getIndex();
        }
    }

    /** Bodies up to this size with a Content-Length and a JSON media type are read before the resource runs. */
    static final int SMALL_BODY = 64 * 1024;

    private static boolean smallJson(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (length == null || type == null || length.isEmpty() || length.length() > 6) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip();
        if (!(media.equalsIgnoreCase("application/json") || media.regionMatches(true, media.length() - 5, "+json", 0, 5))) {
            return false;
        }
        try {
            long bytes = Long.parseLong(length.strip());
            return bytes > 0 && bytes <= SMALL_BODY;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The body, if any, is left unread: closing the connection keeps it from being parsed as the next request. */
    private static void refuse(RoutingContext ctx, ErrorCode code, String message) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        write(ctx, code, message);
    }

    /** As the HTTP decoder counts it: each field's name, value and the ": " between them. */
    private static int headerSize(MultiMap headers) {
        int size = 0;
        for (Map.Entry<String, String> header : headers) {
            size += header.getKey().length() + header.getValue().length() + 2;
        }
        return size;
    }

    private static boolean exceeds(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void renderFailure(RoutingContext ctx) {
        int status = ctx.statusCode();
        ErrorCode code;
        String message;
        if (status == 413) {
            code = ErrorCode.PAYLOAD_TOO_LARGE;
            message = "Request body is larger than " + config.http().bodyLimit(ctx.normalizedPath()) + " bytes";
        } else if (status >= 400 && status < 500) {
            code = ErrorCode.forStatus(status);
            message = "Request could not be processed";
        } else {
            code = ErrorCode.INTERNAL_ERROR;
            message = "Internal error; quote the request id when reporting it";
            Log.errorf(ctx.failure(), "event=unhandled_failure request_id=%s path=%s",
                    ctx.request().getHeader(RequestIds.HEADER), ctx.request().path());
        }
        write(ctx, code, message);
    }

    private static void write(RoutingContext ctx, ErrorCode code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        String requestId = ctx.request().getHeader(RequestIds.HEADER);
        ctx.response()
                .setStatusCode(code.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(RequestIds.HEADER, requestId == null ? "" : requestId)
                .end(Json.encode(ErrorBody.of(code, message, Map.of(), requestId)));
    }
}
