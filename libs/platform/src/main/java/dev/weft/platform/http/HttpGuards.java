package dev.weft.platform.http;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ErrorBody;
import dev.weft.platform.error.ErrorCode;
import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * What must hold for every HTTP exchange, before and after JAX-RS: a request id on every
 * response, the body-size limit, and the error shape for routes no resource matched and for
 * failures that escape JAX-RS. No Vert.x or Quarkus default error page reaches a client.
 */
@ApplicationScoped
public class HttpGuards {
    private final PlatformConfig config;

    public HttpGuards(PlatformConfig config) {
        this.config = config;
    }

    void registerFilters(@Observes Filters filters) {
        filters.register(this::assignRequestIdAndCheckSize, 10_000);
    }

    void registerRoutes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::renderFailure);
        router.route().last().handler(ctx -> write(ctx, ErrorCode.NOT_FOUND,
                "No route for " + ctx.request().method() + " " + ctx.request().path()));
    }

    private void assignRequestIdAndCheckSize(RoutingContext ctx) {
        String requestId = RequestIds.fromHeaderOrNew(ctx.request().getHeader(RequestIds.HEADER));
        ctx.request().headers().set(RequestIds.HEADER, requestId);
        ctx.response().headers().set(RequestIds.HEADER, requestId);
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceedsLimit(length)) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            write(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "Request body is larger than " + config.http().maxBodySize() + " bytes");
            return;
        }
        ctx.next();
    }

    private boolean exceedsLimit(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > config.http().maxBodySize();
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
            message = "Request body is larger than " + config.http().maxBodySize() + " bytes";
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
