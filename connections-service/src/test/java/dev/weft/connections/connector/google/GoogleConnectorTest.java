package dev.weft.connections.connector.google;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.WriteMode;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoogleConnectorTest {
    private static final String PROFILE = """
            {"sub":"110169484474386276334","name":"Ann Lee","given_name":"Ann","family_name":"Lee",
             "picture":"https://lh3.googleusercontent.com/a/x","email":"ann@example.com","email_verified":true,"hd":"example.com"}""";
    private static WireMockServer google;
    private final GoogleConnector connector = new GoogleConnector();

    @BeforeAll
    static void start() {
        google = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        google.start();
    }

    @AfterAll
    static void stop() {
        google.stop();
    }

    @BeforeEach
    void reset() {
        google.resetAll();
    }

    private ConnectorContext context(MapCredentials credentials) {
        return MapCredentials.context("google", Map.of(), credentials, Map.of("base-url", google.baseUrl()));
    }

    @Test
    void check_fetches_userinfo_with_the_access_token() {
        google.stubFor(get(urlPathEqualTo("/v1/userinfo")).withHeader("Authorization", equalTo("Bearer ya29.a")).willReturn(okJson(PROFILE)));

        assertEquals(CheckResult.Outcome.OK, connector.check(context(MapCredentials.of(Map.of("access_token", "ya29.a")))).outcome());
    }

    @Test
    void a_refused_token_is_refreshed_once_then_reported_as_auth() {
        google.stubFor(get(urlPathEqualTo("/v1/userinfo")).withHeader("Authorization", equalTo("Bearer stale"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_request\",\"error_description\":\"Invalid Credentials\"}")));
        google.stubFor(get(urlPathEqualTo("/v1/userinfo")).withHeader("Authorization", equalTo("Bearer fresh")).willReturn(okJson(PROFILE)));
        MapCredentials refreshable = new MapCredentials(Map.of("access_token", "stale"), rejected -> "fresh");
        MapCredentials stuck = new MapCredentials(Map.of("access_token", "stale"), rejected -> "stale2");
        google.stubFor(get(urlPathEqualTo("/v1/userinfo")).withHeader("Authorization", equalTo("Bearer stale2"))
                .willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_request\",\"error_description\":\"Invalid Credentials\"}")));

        CheckResult refreshed = connector.check(context(refreshable));
        ConnectorException refused = assertThrows(ConnectorException.class,
                () -> connector.query(context(stuck), new QuerySpec("profile", List.of(), null, 1, null, null)));

        assertEquals(CheckResult.Outcome.OK, refreshed.outcome());
        assertEquals(1, refreshable.refreshes());
        assertEquals(ConnectorException.Kind.AUTH, refused.kind());
        assertTrue(refused.getMessage().contains("Invalid Credentials"), refused.getMessage());
    }

    @Test
    void query_returns_the_one_profile_record_when_it_matches() {
        google.stubFor(get(urlPathEqualTo("/v1/userinfo")).willReturn(okJson(PROFILE)));
        ConnectorContext context = context(MapCredentials.of(Map.of("access_token", "ya29.a")));

        var matching = connector.query(context, new QuerySpec("profile", List.of("email", "email_verified"),
                FilterParser.parse("email LIKE '%@example.com'"), 10, null, null));
        var other = connector.query(context, new QuerySpec("profile", List.of(), FilterParser.parse("hd = 'other.com'"), 10, null, null));

        assertEquals(List.of(Map.of("email", "ann@example.com", "email_verified", true)), matching.records());
        assertTrue(other.records().isEmpty());
        assertEquals(List.of("sub"), connector.describe(context).getFirst().primaryKey());
    }

    @Test
    void writes_are_invalid() {
        ConnectorException e = assertThrows(ConnectorException.class, () -> connector.write(context(MapCredentials.of(Map.of())),
                new WriteSpec("profile", WriteMode.UPDATE, List.of(), List.of(Map.of("name", "x")), null)));

        assertEquals(ConnectorException.Kind.INVALID, e.kind());
        assertEquals("writable", e.details().get("constraint"));
    }

    @Test
    void catalog_entry_asks_for_offline_access_with_pkce() {
        var oauth = CatalogEntries.load("google").path("oauth");
        assertEquals("https://accounts.google.com/o/oauth2/v2/auth", oauth.path("authorize_url").asText());
        assertEquals("https://oauth2.googleapis.com/token", oauth.path("token_url").asText());
        assertEquals("https://oauth2.googleapis.com/revoke", oauth.path("revoke_url").asText());
        assertTrue(oauth.path("pkce").asBoolean());
        assertEquals("offline", oauth.path("extra_authorize_params").path("access_type").asText());
        assertEquals("consent", oauth.path("extra_authorize_params").path("prompt").asText());
        assertEquals(4, oauth.path("scopes").size());
    }
}
