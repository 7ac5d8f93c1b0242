package dev.weft.local;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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

    /**
     * Every path of seed 002 (its {@code /api/v1/integrations/...} written as ours, {@code :id} filled in), with the
     * service that answers it. OAuth and connections stay with connections-service; email, calendar and documents
     * belong to messaging-service under both the long and the short spelling.
     */
    static final Map<String, WeftService> SEED_002_PATHS = seed002Paths();

    private static Map<String, WeftService> seed002Paths() {
        Map<String, WeftService> paths = new LinkedHashMap<>();
        for (String path : List.of("/oauth/providers", "/oauth/google/authorize", "/oauth/google/callback", "/oauth/google",
                "/connections", "/connections/conn_1/status", "/connections/conn_1/sync", "/connections/conn_1/refresh")) {
            paths.put("/v1/integrations" + path, WeftService.CONNECTIONS);
        }
        for (String path : List.of("/email/inbox", "/email/folders/counts", "/email/eml_1/read", "/email/eml_1/star",
                "/email/eml_1/archive", "/email/send", "/email/threads/contact/42", "/email/thread/thr_1", "/email/match",
                "/email/sync", "/calendar/events", "/calendar/events/cev_1", "/calendar/events/entity/deal/42",
                "/calendar/sync", "/documents/config", "/documents/upload", "/documents/doc_1/confirm", "/documents",
                "/documents/entity/account/1", "/documents/doc_1", "/documents/doc_1/download", "/documents/doc_1/archive")) {
            paths.put("/v1/integrations" + path, WeftService.MESSAGING);
            paths.put("/v1" + path, WeftService.MESSAGING);
        }
        return paths;
    }

    @Test
    void every_seed_002_path_goes_to_the_service_that_answers_it() {
        assertEquals(52, SEED_002_PATHS.size(), "the seed's 30 paths, 22 of them also in the short form");
        SEED_002_PATHS.forEach((path, service) -> assertEquals(Optional.of(service), routes.match(path), path));
    }

    @Test
    void the_longest_prefix_wins_whatever_the_order_of_the_table() {
        assertEquals(Optional.of(WeftService.MESSAGING), routes.match("/v1/integrations/calendar"));
        assertEquals(Optional.of(WeftService.CONNECTIONS), routes.match("/v1/integrations"));
        assertEquals(Optional.of(WeftService.CONNECTIONS), routes.match("/v1/integrations/calendars"), "whole segments only");
        assertEquals(Optional.of(WeftService.CONNECTIONS), routes.match("/v1/integrations/emailx/inbox"));
        Properties reversed = new Properties();
        reversed.setProperty("messaging", "/v1/integrations/email");
        reversed.setProperty("connections", "/v1/integrations");
        assertEquals(Optional.of(WeftService.MESSAGING), Routes.parse(reversed).match("/v1/integrations/email/inbox"));
        assertEquals(Optional.of(WeftService.CONNECTIONS), Routes.parse(reversed).match("/v1/integrations/connections"));
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
