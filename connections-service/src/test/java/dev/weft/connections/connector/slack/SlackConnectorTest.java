package dev.weft.connections.connector.slack;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.http.CatalogEntries;
import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlackConnectorTest {
    private static WireMockServer slack;
    private final SlackConnector connector = new SlackConnector();

    @BeforeAll
    static void start() {
        slack = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        slack.start();
    }

    @AfterAll
    static void stop() {
        slack.stop();
    }

    @BeforeEach
    void reset() {
        slack.resetAll();
    }

    private ConnectorContext bot() {
        return MapCredentials.context("slack", Map.of(), MapCredentials.of(Map.of("auth_type", "bot_token", "bot_token", "xoxb-1-2-abc")),
                Map.of("base-url", slack.baseUrl() + "/api"));
    }

    private static String channel(String id, String name, boolean isPrivate, int members) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"is_channel\":true,\"is_private\":" + isPrivate
                + ",\"created\":1700000000,\"is_archived\":false,\"num_members\":" + members + ",\"topic\":{\"value\":\"\"}}";
    }

    @Test
    void check_calls_auth_test_with_the_bot_token() {
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).withHeader("Authorization", equalTo("Bearer xoxb-1-2-abc"))
                .willReturn(okJson("{\"ok\":true,\"url\":\"https://acme.slack.com/\",\"team\":\"Acme\",\"user\":\"weft\",\"team_id\":\"T1\"}")));

        assertEquals(CheckResult.Outcome.OK, connector.check(bot()).outcome());
    }

    @Test
    void ok_false_invalid_auth_is_an_auth_failure_though_slack_answers_200() {
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).willReturn(okJson("{\"ok\":false,\"error\":\"invalid_auth\"}")));
        slack.stubFor(get(urlPathEqualTo("/api/conversations.list")).willReturn(okJson("{\"ok\":false,\"error\":\"not_authed\"}")));

        CheckResult check = connector.check(bot());
        ConnectorException e = assertThrows(ConnectorException.class,
                () -> connector.query(bot(), new QuerySpec("channels", List.of(), null, 10, null, null)));

        assertEquals(CheckResult.Outcome.FAILED, check.outcome());
        assertTrue(check.message().contains("invalid_auth"), check.message());
        assertFalse(check.message().contains("xoxb"), check.message());
        assertEquals(ConnectorException.Kind.AUTH, e.kind());
    }

    @Test
    void other_ok_false_errors_are_upstream_with_the_error_code() {
        slack.stubFor(get(urlPathEqualTo("/api/conversations.list")).willReturn(okJson(
                "{\"ok\":false,\"error\":\"missing_scope\",\"needed\":\"channels:read\",\"provided\":\"chat:write\"}")));

        ConnectorException e = assertThrows(ConnectorException.class,
                () -> connector.query(bot(), new QuerySpec("channels", List.of(), null, 10, null, null)));

        assertEquals(ConnectorException.Kind.UPSTREAM, e.kind());
        assertTrue(e.getMessage().contains("missing_scope"), e.getMessage());
    }

    @Test
    void lists_channels_across_cursor_pages_and_filters_them() {
        slack.stubFor(get(urlPathEqualTo("/api/conversations.list")).withQueryParam("cursor", absent())
                .withQueryParam("types", equalTo("public_channel,private_channel"))
                .willReturn(okJson("{\"ok\":true,\"channels\":[" + channel("C1", "general", false, 40) + "," + channel("C2", "random", false, 3)
                        + "],\"response_metadata\":{\"next_cursor\":\"dGVhbTpDMDYxRkE1UEI=\"}}")));
        slack.stubFor(get(urlPathEqualTo("/api/conversations.list")).withQueryParam("cursor", equalTo("dGVhbTpDMDYxRkE1UEI="))
                .willReturn(okJson("{\"ok\":true,\"channels\":[" + channel("C3", "alerts", true, 12)
                        + "],\"response_metadata\":{\"next_cursor\":\"\"}}")));

        RecordPage busy = connector.query(bot(), new QuerySpec("channels", List.of("id", "name", "num_members"),
                FilterParser.parse("num_members > 10"), 10, null, null));
        RecordPage all = connector.query(bot(), new QuerySpec("channels", List.of(), null, 10, null, null));

        assertEquals(List.of(Map.of("id", "C1", "name", "general", "num_members", 40L), Map.of("id", "C3", "name", "alerts", "num_members", 12L)),
                busy.records());
        assertFalse(busy.hasMore());
        assertEquals(Map.of("id", "C3", "name", "alerts", "is_private", true, "created", "2023-11-14T22:13:20Z", "num_members", 12L),
                all.records().get(2));
    }

    @Test
    void read_lists_every_channel_and_starts_over_next_run() {
        slack.stubFor(get(urlPathEqualTo("/api/conversations.list"))
                .willReturn(okJson("{\"ok\":true,\"channels\":[" + channel("C1", "general", false, 4) + "],\"response_metadata\":{\"next_cursor\":\"\"}}")));

        RecordPage first = connector.read(bot(), new ReadSpec("channels", List.of(), null, 100, null));
        RecordPage again = connector.read(bot(), new ReadSpec("channels", List.of(), first.nextCursor(), 100, null));

        assertEquals(1, first.records().size());
        assertFalse(first.hasMore());
        assertEquals(first.records(), again.records());
    }

    @Test
    void posts_messages_with_ts_as_id_and_reports_each_failure() {
        slack.stubFor(post(urlPathEqualTo("/api/chat.postMessage")).withRequestBody(matchingJsonPath("$.channel", equalTo("C1")))
                .willReturn(okJson("{\"ok\":true,\"channel\":\"C1\",\"ts\":\"1503435956.000247\",\"message\":{\"text\":\"hi\"}}")));
        slack.stubFor(post(urlPathEqualTo("/api/chat.postMessage")).withRequestBody(matchingJsonPath("$.channel", equalTo("C404")))
                .willReturn(okJson("{\"ok\":false,\"error\":\"channel_not_found\"}")));

        WriteResult result = connector.write(bot(), new WriteSpec("messages", WriteMode.INSERT, List.of(), List.of(
                Map.of("channel", "C1", "text", "hi", "blocks", List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", "*hi*")))),
                Map.of("channel", "C404", "text", "lost"),
                Map.of("text", "nowhere")), null));

        assertEquals(WriteResult.RecordResult.ok(0, "1503435956.000247"), result.results().get(0));
        assertFalse(result.results().get(1).success());
        assertTrue(result.results().get(1).error().contains("channel_not_found"));
        assertFalse(result.results().get(2).success());
        slack.verify(postRequestedFor(urlPathEqualTo("/api/chat.postMessage"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(matchingJsonPath("$.blocks[0].type", equalTo("section"))));
    }

    @Test
    void only_inserts_into_messages_are_writes() {
        ConnectorException mode = assertThrows(ConnectorException.class, () -> connector.write(bot(),
                new WriteSpec("messages", WriteMode.UPDATE, List.of(), List.of(Map.of("channel", "C1")), null)));
        ConnectorException object = assertThrows(ConnectorException.class, () -> connector.write(bot(),
                new WriteSpec("channels", WriteMode.INSERT, List.of(), List.of(Map.of("name", "x")), null)));

        assertEquals(ConnectorException.Kind.INVALID, mode.kind());
        assertEquals(ConnectorException.Kind.INVALID, object.kind());
    }

    @Test
    void retries_after_retry_after_on_429() {
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).inScenario("rate").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("{\"ok\":false,\"error\":\"ratelimited\"}"))
                .willSetStateTo("ok"));
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).inScenario("rate").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"ok\":true}")));

        long started = System.nanoTime();
        CheckResult check = connector.check(bot());

        assertEquals(CheckResult.Outcome.OK, check.outcome());
        assertTrue((System.nanoTime() - started) / 1_000_000 >= 900);
        slack.verify(2, postRequestedFor(urlPathEqualTo("/api/auth.test")));
    }

    @Test
    void oauth_connections_use_the_access_token_and_a_revoked_token_needs_reauthorization() {
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).withHeader("Authorization", equalTo("Bearer xoxe-access"))
                .willReturn(okJson("{\"ok\":false,\"error\":\"token_revoked\"}")));
        ConnectorContext oauth = MapCredentials.context("slack", Map.of(),
                MapCredentials.of(Map.of("auth_type", "oauth2", "access_token", "xoxe-access")), Map.of("base-url", slack.baseUrl() + "/api"));

        assertEquals(CheckResult.Outcome.AUTH_EXPIRED, connector.check(oauth).outcome());
    }

    @Test
    void an_expired_rotating_token_is_refreshed_once() {
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).withHeader("Authorization", equalTo("Bearer old"))
                .willReturn(okJson("{\"ok\":false,\"error\":\"token_expired\"}")));
        slack.stubFor(post(urlPathEqualTo("/api/auth.test")).withHeader("Authorization", equalTo("Bearer new"))
                .willReturn(okJson("{\"ok\":true}")));
        MapCredentials credentials = new MapCredentials(Map.of("auth_type", "oauth2", "access_token", "old"), rejected -> "new");
        ConnectorContext oauth = MapCredentials.context("slack", Map.of(), credentials, Map.of("base-url", slack.baseUrl() + "/api"));

        assertEquals(CheckResult.Outcome.OK, connector.check(oauth).outcome());
        assertEquals(1, credentials.refreshes());
    }

    @Test
    void catalog_entry_has_slack_oauth_and_a_bot_token_schema() {
        var entry = CatalogEntries.load("slack");
        assertEquals("https://slack.com/oauth/v2/authorize", entry.path("oauth").path("authorize_url").asText());
        assertEquals("https://slack.com/api/oauth.v2.access", entry.path("oauth").path("token_url").asText());
        assertEquals("https://slack.com/api/auth.revoke", entry.path("oauth").path("revoke_url").asText());
        assertFalse(entry.path("oauth").path("pkce").asBoolean(true));
        assertEquals("auth_type", entry.path("credentials_discriminator").asText());
        var botSchema = entry.path("auth_types").path(0).path("credentials_schema");
        assertTrue(CatalogEntries.validate(botSchema, "{\"auth_type\":\"bot_token\",\"bot_token\":\"xoxb-1\"}").isEmpty());
        assertFalse(CatalogEntries.validate(botSchema, "{\"auth_type\":\"bot_token\",\"bot_token\":\"xoxp-1\"}").isEmpty());
        assertTrue(CatalogEntries.validate(entry.path("auth_types").path(1).path("credentials_schema"),
                "{\"auth_type\":\"oauth2\",\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires_at\":\"2030-01-01T00:00:00Z\"}").isEmpty());
    }
}
