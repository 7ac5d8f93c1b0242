package dev.weft.platform.http;

import io.vertx.ext.web.RoutingContext;

/**
 * A second spelling of a service's own paths (seed 002 writes {@code /v1/integrations/calendar/...}
 * for what the service declares once as {@code /v1/calendar/...}). A Vert.x filter reroutes the alias
 * to the declared path before JAX-RS matches, so every operation is declared, documented and
 * authorized once.
 *
 * <p>The path the client sent is kept on the routing context: a signed request (WEFT-HMAC) covers
 * the path and query as sent, so the signature check must see that, not the rerouted path. It is
 * kept in the context rather than in a header because a client could send a header.
 */
public final class PathAliases {
    /** Routing-context key holding the URI (path and query) as the client sent it, set on the first reroute only. */
    public static final String SENT_URI = "weft.sent-uri";

    private PathAliases() {
    }

    /**
     * Restarts routing at {@code path}, keeping the method, headers, body and the query string
     * ({@link RoutingContext#reroute(String)} alone would drop the query).
     */
    public static void reroute(RoutingContext ctx, String path) {
        if (ctx.get(SENT_URI) == null) {
            ctx.put(SENT_URI, ctx.request().uri());
        }
        String query = ctx.request().query();
        ctx.reroute(query == null ? path : path + "?" + query);
    }

    /** The URI as the client sent it, or null when the request was not rerouted. */
    public static String sentUri(RoutingContext ctx) {
        return ctx == null ? null : ctx.get(SENT_URI);
    }
}
