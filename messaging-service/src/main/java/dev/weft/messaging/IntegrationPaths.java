package dev.weft.messaging;

import dev.weft.platform.http.PathAliases;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seed 002 writes the email, calendar and documents paths under {@code /v1/integrations/...}; the
 * resources declare only the short {@code /v1/email|calendar|documents/...} form (each operation once
 * in OpenAPI). This Vert.x filter reroutes the long form to the short one before RESTEasy matches, so
 * a call straight to messaging-service works as well as one through the router or ingress, which send
 * both forms here (routes.properties). Method, headers, body and query string are kept.
 *
 * <p>A Vert.x filter ({@link Filters}, the mechanism {@code @RouteFilter} registers with) rather than the
 * reactive-routes extension: the platform's own filters ({@code HttpGuards}) are registered this way.
 * Its priority is above theirs, so the request id and size checks run once, on the rerouted request.
 */
@ApplicationScoped
public class IntegrationPaths {
    static final int PRIORITY = 20_000;
    /** Matched on the normalized path, so dot segments cannot carry the alias anywhere but the three prefixes. */
    private static final Pattern ALIAS = Pattern.compile("/v1/integrations/(email|calendar|documents)(/.*)?");

    void register(@Observes Filters filters) {
        filters.register(IntegrationPaths::rerouteAlias, PRIORITY);
    }

    static void rerouteAlias(RoutingContext ctx) {
        Matcher alias = ALIAS.matcher(ctx.normalizedPath());
        if (!alias.matches()) {
            ctx.next();
            return;
        }
        String rest = alias.group(2) == null ? "" : alias.group(2);
        PathAliases.reroute(ctx, "/v1/" + alias.group(1) + rest);
    }
}
