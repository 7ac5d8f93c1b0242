package dev.weft.platform.testapp;

import dev.weft.platform.http.PathAliases;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/** {@code /v1/aliased/widgets/...} is a second spelling of {@code /v1/widgets/...}, as seed 002's {@code /v1/integrations/...} paths are. */
@ApplicationScoped
public class WidgetAliases {
    private static final PathAliases ALIASES = new PathAliases(Map.of("/v1/aliased/widgets", "/v1/widgets"));

    void register(@Observes Filters filters) {
        filters.register(ALIASES::filter, PathAliases.PRIORITY);
    }
}
