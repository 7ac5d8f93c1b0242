package dev.weft.messaging;

import dev.weft.platform.http.PathAliases;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Seed 002 writes the email, calendar and documents paths under {@code /v1/integrations/...}; the
 * resources declare only {@code /v1/email|calendar|documents/...} (each operation once in OpenAPI).
 * The router and the ingress send both spellings here (routes.properties); this Vert.x filter reroutes
 * the long one to the short one before RESTEasy matches, so a direct call to the service works too.
 * A plain {@link Filters} registration, the mechanism {@code @RouteFilter} uses, without adding the
 * reactive-routes extension; the platform's own filters are registered the same way.
 */
@ApplicationScoped
public class IntegrationPaths {
    private static final PathAliases ALIASES = new PathAliases(Map.of(
            "/v1/integrations/email", "/v1/email",
            "/v1/integrations/calendar", "/v1/calendar",
            "/v1/integrations/documents", "/v1/documents"));

    void register(@Observes Filters filters) {
        filters.register(ALIASES::filter, PathAliases.PRIORITY);
    }
}
