package dev.weft.connections.connection;

import dev.weft.platform.http.PathAliases;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Seed 002's {@code /v1/integrations/connections[/{id}/status|sync|refresh]} are the operations declared
 * once under {@code /v1/connections} (list, status, sync, refresh); this Vert.x filter reroutes the long
 * spelling before RESTEasy matches, so each operation has one operationId in OpenAPI.
 * {@code /v1/integrations/oauth/...} is declared as such and is not an alias.
 */
@ApplicationScoped
public class IntegrationPaths {
    private static final PathAliases ALIASES = new PathAliases(Map.of("/v1/integrations/connections", "/v1/connections"));

    void register(@Observes Filters filters) {
        filters.register(ALIASES::filter, PathAliases.PRIORITY);
    }
}
