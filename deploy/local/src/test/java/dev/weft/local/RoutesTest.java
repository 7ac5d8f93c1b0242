package dev.weft.local;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutesTest {
    private final Routes routes = Routes.load();

    @Test
    void every_service_owns_at_least_one_prefix() {
        Set<WeftService> owners = routes.all().stream().map(Routes.Route::service).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(WeftService.class), owners);
    }

    @Test
    void matches_the_prefix_itself_and_paths_below_it() {
        assertEquals(Optional.of(WeftService.SYNC), routes.match("/v1/syncs"));
        assertEquals(Optional.of(WeftService.SYNC), routes.match("/v1/syncs/"));
        assertEquals(Optional.of(WeftService.SYNC), routes.match("/v1/syncs/sync_01h455vb4pex5vsknk084sn02q/runs"));
        assertEquals(Optional.of(WeftService.SYNC), routes.match("/v1/transforms/tfm_01h455vb4pex5vsknk084sn02q/test"));
        assertEquals(Optional.of(WeftService.AUTH), routes.match("/.well-known/jwks.json"));
        assertEquals(Optional.of(WeftService.CONNECTIONS), routes.match("/v1/integrations/oauth/salesforce/callback"));
        assertEquals(Optional.of(WeftService.MESSAGING), routes.match("/v1/customers/cus_1/conversations"));
        assertEquals(Optional.of(WeftService.WEBHOOK), routes.match("/v1/event-types"));
        assertEquals(Optional.of(WeftService.WORKFLOW), routes.match("/v1/triggers/x"));
    }

    @Test
    void matches_whole_segments_only() {
        assertTrue(routes.match("/v1/syncsX").isEmpty());
        assertTrue(routes.match("/v1/sync").isEmpty());
        assertTrue(routes.match("/v1/api-keysx/1").isEmpty());
    }

    @Test
    void does_not_route_unknown_or_internal_paths() {
        assertTrue(routes.match("/").isEmpty());
        assertTrue(routes.match("/v1").isEmpty());
        assertTrue(routes.match("/v1/").isEmpty());
        assertTrue(routes.match("/v1/nothing-here").isEmpty());
        assertTrue(routes.match("/q/health/ready").isEmpty());
        assertTrue(routes.match("/V1/SYNCS").isEmpty());
    }
}
