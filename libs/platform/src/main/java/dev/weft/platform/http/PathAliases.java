package dev.weft.platform.http;

import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A second spelling of a service's own paths: seed 002 writes {@code /v1/integrations/calendar/...}
 * for what messaging-service declares once as {@code /v1/calendar/...}. A service registers its
 * aliases as a Vert.x filter ({@code @Observes Filters}, {@link #PRIORITY}), which reroutes an alias to
 * the declared path before JAX-RS matches; every operation is then declared, documented (one
 * operationId) and authorized once, and a call straight to the service works like one through the
 * router. Method, headers, body and query string are kept.
 *
 * <p>Prefixes match whole segments of the normalized path ({@code ..} resolved), so no spelling
 * reaches anything but the declared prefix. The URI the client sent is kept on the routing context:
 * a signed request (WEFT-HMAC) covers the path and query as sent, and the signature check must see
 * that, not the rerouted path; the context, unlike a header, is out of the client's reach.
 */
public final class PathAliases {
    /** Above {@link HttpGuards}' filter, so the request id and size checks run once, on the rerouted request. */
    public static final int PRIORITY = 20_000;
    /** Routing-context key holding the URI (path and query) as the client sent it, set on the first reroute only. */
    public static final String SENT_URI = "weft.sent-uri";

    private final Map<String, String> aliases;

    /** {@code aliases}: alias prefix to declared prefix, e.g. {@code /v1/integrations/calendar} to {@code /v1/calendar}. */
    public PathAliases(Map<String, String> aliases) {
        this.aliases = new LinkedHashMap<>(aliases);
    }

    /** The Vert.x filter: reroutes a path under an alias prefix, passes anything else on. */
    public void filter(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            String prefix = alias.getKey();
            if (path.equals(prefix) || path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                reroute(ctx, alias.getValue() + path.substring(prefix.length()));
                return;
            }
        }
        ctx.next();
    }

    /**
     * Restarts routing at {@code path}, keeping the query string ({@link RoutingContext#reroute(String)}
     * alone would drop it).
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
