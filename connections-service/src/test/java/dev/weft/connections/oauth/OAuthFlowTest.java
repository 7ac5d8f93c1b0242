package dev.weft.connections.oauth;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Assertions;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authorization-code flow against a real OAuth 2.0 server (mock-oauth2-server), Google as the provider. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class OAuthFlowTest {

    @BeforeEach
    void stubUserInfo() {
        ConnectionsStubs.vendors().stubFor(get(urlPathEqualTo("/v1/userinfo")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sub\":\"1045\",\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\",\"email_verified\":true}")));
    }

    @Test
    void lists_oauth_providers_with_their_configuration_status() {
        Api.as(Api.newOrg()).get("/v1/integrations/oauth/providers").then().statusCode(200)
                .body("data.provider", hasItems("google", "microsoft", "salesforce", "hubspot", "slack"))
                .body("data.find { it.provider == 'google' }.configured", equalTo(true))
                .body("data.find { it.provider == 'microsoft' }.configured", equalTo(false));
        Api.as(Api.newOrg()).redirects().follow(false).get("/v1/integrations/oauth/microsoft/authorize").then().statusCode(400)
                .body("error.details.constraint", equalTo("configured"));
        Api.as(Api.newOrg()).get("/v1/integrations/oauth/nope/authorize").then().statusCode(404);
    }

    @Test
    void authorizes_with_state_and_pkce_and_creates_the_connection() {
        String org = Api.newOrg();
        Response redirect = Api.as(org).redirects().follow(false).queryParam("name", "Ada's Google").get("/v1/integrations/oauth/google/authorize");
        redirect.then().statusCode(302).header("Location", startsWith(ConnectionsStubs.oauth().authorizationEndpointUrl("google").toString()))
                .header("Location", containsString("code_challenge_method=S256"))
                .header("Location", containsString("access_type=offline"));
        Map<String, String> callback = followToCallback(redirect.header("Location"));

        Response connected = RestAssured.given().queryParams(callback).get("/v1/integrations/oauth/google/callback");
        connected.then().statusCode(200)
                .body("connection.id", startsWith("conn_"))
                .body("connection.provider", equalTo("google"))
                .body("connection.name", equalTo("Ada's Google"))
                .body("connection.auth_type", equalTo("oauth2_authorization_code"))
                .body("connection.credentials_set", hasItems("access_token", "refresh_token", "expires_at"));
        assertFalse(connected.asString().contains("\"access_token\":"), "tokens never leave the service");
        String id = connected.path("connection.id");

        Api.as(org).get("/v1/connections/" + id + "/status?check=true").then().statusCode(200).body("status", equalTo("healthy"));
        Api.as(org).body("{\"object\":\"profile\"}").post("/v1/data/" + id + "/query").then().statusCode(200)
                .body("data[0].email", equalTo("ada@example.com"));
        // What the flow stored is valid for the provider, so the connection can be renamed like any other.
        Api.as(org).body("{\"name\":\"Ada (work)\"}").put("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("Ada (work)"));
        Api.as(org).body("{\"object\":\"profile\",\"mode\":\"insert\",\"records\":[{\"email\":\"x@example.com\"}]}").post("/v1/data/" + id + "/write")
                .then().statusCode(400).body("error.details.field", equalTo("mode"));
    }

    @Test
    void refuses_forged_and_replayed_state() {
        String org = Api.newOrg();
        String location = Api.as(org).redirects().follow(false).get("/v1/integrations/oauth/google/authorize").header("Location");
        Map<String, String> callback = followToCallback(location);

        Map<String, String> forged = new HashMap<>(callback);
        forged.put("state", "forged-" + callback.get("state"));
        RestAssured.given().queryParams(forged).get("/v1/integrations/oauth/google/callback").then().statusCode(400)
                .body("error.details.field", equalTo("state")).body("error.details.constraint", equalTo("valid_state"));
        RestAssured.given().queryParams(callback).get("/v1/integrations/oauth/microsoft/callback").then().statusCode(400)
                .body("error.details.field", equalTo("state"));
        // The wrong-provider attempt above used the state up: a state is good for one callback, whatever happens.
        RestAssured.given().queryParams(callback).get("/v1/integrations/oauth/google/callback").then().statusCode(400)
                .body("error.details.constraint", equalTo("valid_state"));

        Map<String, String> fresh = followToCallback(Api.as(org).redirects().follow(false).get("/v1/integrations/oauth/google/authorize").header("Location"));
        RestAssured.given().queryParams(fresh).get("/v1/integrations/oauth/google/callback").then().statusCode(200);
        RestAssured.given().queryParams(fresh).get("/v1/integrations/oauth/google/callback").then().statusCode(400)
                .body("error.details.constraint", equalTo("valid_state"));
        RestAssured.given().get("/v1/integrations/oauth/google/callback?code=abc").then().statusCode(400)
                .body("error.details.field", equalTo("state"));
        Api.as(org).get("/v1/connections?provider=google").then().statusCode(200).body("data.size()", equalTo(1));
    }

    @Test
    void an_expired_token_is_refreshed_once_under_twenty_concurrent_requests() throws Exception {
        String org = Api.newOrg();
        String id = connect(org);
        // Let the health monitor's first checks of this and earlier tests' connections pass: they call the same
        // userinfo stub with their own tokens. From here on only this connection calls it (its next check included).
        Thread.sleep(2500);
        ConnectionsStubs.vendors().resetRequests();
        Api.as(org).body("{\"credentials\":{\"expires_at\":\"2020-01-01T00:00:00Z\"}}").put("/v1/connections/" + id).then().statusCode(200);

        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> Api.as(org).body("{\"object\":\"profile\"}").post("/v1/data/" + id + "/query").statusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> result : pool.invokeAll(calls)) {
            statuses.add(result.get());
        }
        pool.shutdown();
        assertEquals(List.of(200), statuses.stream().distinct().toList(), "every request succeeded");

        assertEquals(1, refreshRequests().size(), "the provider saw exactly one refresh");
        Set<String> tokensUsed = ConnectionsStubs.vendors().findAll(getRequestedFor(urlPathEqualTo("/v1/userinfo"))).stream()
                .map(r -> r.getHeader("Authorization")).collect(Collectors.toSet());
        assertEquals(1, tokensUsed.size(), "all twenty calls used the one refreshed token: " + tokensUsed.size());
        Api.as(org).get("/v1/connections/" + id).then().statusCode(200).body("token_expires_at", Matchers.notNullValue());
    }

    @Test
    void a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
        String org = Api.newOrg();
        String id = connect(org);
        ConnectionsStubs.vendors().resetRequests();
        StubMapping noRotation = ConnectionsStubs.vendors().stubFor(post(urlPathEqualTo("/google/token")).atPriority(1)
                .withRequestBody(containing("grant_type=refresh_token")).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"access_token\":\"ya29.no-refresh-rotation\",\"token_type\":\"Bearer\",\"expires_in\":3599}")));
        try {
            Api.as(org).post("/v1/connections/" + id + "/refresh").then().statusCode(200).body("refreshable", equalTo(true));
        } finally {
            ConnectionsStubs.vendors().removeStub(noRotation);
        }
        Api.as(org).get("/v1/connections/" + id).then().body("credentials_set", hasItem("refresh_token"));
        // The kept refresh token is the one sent next time, and the real server still honours it.
        Api.as(org).post("/v1/connections/" + id + "/refresh").then().statusCode(200);
        List<String> sent = refreshRequests().stream().map(r -> r.formParameters().get("refresh_token").firstValue()).toList();
        assertEquals(2, sent.size());
        assertEquals(sent.get(0), sent.get(1), "the second refresh used the refresh token kept from before");
    }

    @Test
    void a_token_about_to_expire_is_refreshed_ahead_of_time_once() throws Exception {
        String org = Api.newOrg();
        String id = connect(org);
        ConnectionsStubs.vendors().resetRequests();
        StubMapping shortLived = stubShortLivedRefresh("short-lived-" + id);
        try {
            // Leaves a token that expires within refresh-ahead (5 min): due for the background refresher (every second in tests).
            Api.as(org).post("/v1/connections/" + id + "/refresh").then().statusCode(200);
            assertTrue(tokenExpiresAt(org, id).isBefore(Instant.now().plus(Duration.ofMinutes(5))), "the token is due a refresh");
            Instant deadline = Instant.now().plusSeconds(30);
            while (tokenExpiresAt(org, id).isBefore(Instant.now().plus(Duration.ofMinutes(5))) && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertTrue(tokenExpiresAt(org, id).isAfter(Instant.now().plus(Duration.ofMinutes(5))), "the refresher replaced the token before it expired");
            Thread.sleep(2000);
            assertEquals(2, refreshRequests().size(), "the manual refresh, then one background refresh in all the refresher's rounds");
        } finally {
            ConnectionsStubs.vendors().removeStub(shortLived);
        }
    }

    @Test
    void a_failed_background_refresh_is_attempted_once_per_lease() throws Exception {
        String org = Api.newOrg();
        String id = connect(org);
        ConnectionsStubs.vendors().resetRequests();
        String scenario = "failing-" + id;
        StubMapping shortLived = stubShortLivedRefresh(scenario);
        // After the first refresh, the provider's token endpoint fails (a 500: not a refused grant, and not retried in the call).
        StubMapping failing = ConnectionsStubs.vendors().stubFor(post(urlPathEqualTo("/google/token")).atPriority(1)
                .inScenario(scenario).whenScenarioStateIs("refreshed")
                .withRequestBody(containing("grant_type=refresh_token")).willReturn(aResponse().withStatus(500)));
        try {
            Api.as(org).post("/v1/connections/" + id + "/refresh").then().statusCode(200);
            Instant deadline = Instant.now().plusSeconds(30);
            while (refreshRequests().size() < 2 && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertEquals(2, refreshRequests().size(), "the refresher claimed the due token and tried once");
            // Three more rounds of the refresher: the claim's lease (refresh-lease, 60 s) keeps it from trying again in each.
            Thread.sleep(3000);
            assertEquals(2, refreshRequests().size(), "a failed refresh is tried again only when its lease has passed");
            Api.as(org).get("/v1/connections/" + id + "/status").then().statusCode(200).body("status", Matchers.not(equalTo("auth_expired")));
        } finally {
            ConnectionsStubs.vendors().removeStub(failing);
            ConnectionsStubs.vendors().removeStub(shortLived);
            // Nothing left due for a later test's refresh counts.
            Api.as(org).delete("/v1/connections/" + id).then().statusCode(204);
        }
    }

    /** The first refresh in {@code scenario} answers a token that expires in two minutes (and no new refresh token); later ones reach the server. */
    private static StubMapping stubShortLivedRefresh(String scenario) {
        return ConnectionsStubs.vendors().stubFor(post(urlPathEqualTo("/google/token")).atPriority(1)
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("refreshed")
                .withRequestBody(containing("grant_type=refresh_token")).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"access_token\":\"ya29.short-lived\",\"token_type\":\"Bearer\",\"expires_in\":120}")));
    }

    private static Instant tokenExpiresAt(String org, String id) {
        return Instant.parse(Api.as(org).get("/v1/connections/" + id).then().statusCode(200).extract().path("token_expires_at"));
    }

    @Test
    void a_revoked_refresh_token_marks_the_connection_auth_expired() {
        String org = Api.newOrg();
        String id = connect(org);
        try (TopicProbe events = new TopicProbe(Topics.CONNECTIONS)) {
            // What Google answers for a refresh token the user revoked.
            StubMapping revoked = ConnectionsStubs.vendors().stubFor(post(urlPathEqualTo("/google/token")).atPriority(1)
                    .withRequestBody(containing("grant_type=refresh_token")).willReturn(aResponse().withStatus(400)
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}")));
            try {
                Api.as(org).post("/v1/connections/" + id + "/refresh").then().statusCode(502)
                        .body("error.code", equalTo("UPSTREAM_ERROR"))
                        .body("error.message", containsString("Token has been expired or revoked."));
            } finally {
                ConnectionsStubs.vendors().removeStub(revoked);
            }
            Api.as(org).get("/v1/connections/" + id + "/status").then().statusCode(200).body("status", equalTo("auth_expired"));
            List<String> statuses = events.await(r -> id.equals(r.key()) && "connection.health_changed".equals(TopicProbe.header(r, "ce_type"))
                    && new String(r.value()).contains("auth_expired"), 1, Duration.ofSeconds(20)).stream().map(r -> new String(r.value())).toList();
            assertEquals(1, statuses.size(), "connection.health_changed announces auth_expired");
        }
    }

    @Test
    void disconnect_revokes_at_the_provider_and_deletes_the_connection() {
        String org = Api.newOrg();
        String id = connect(org);
        ConnectionsStubs.vendors().resetRequests();
        Api.as(org).delete("/v1/integrations/oauth/google").then().statusCode(200)
                .body("disconnected", hasItem(id)).body("revoked_at_provider", equalTo(true));
        List<LoggedRequest> revocations = ConnectionsStubs.vendors().findAll(postRequestedFor(urlPathEqualTo("/google/revoke")));
        assertEquals(1, revocations.size(), "the grant was revoked at the provider");
        assertEquals("refresh_token", revocations.get(0).formParameters().get("token_type_hint").firstValue());
        Api.as(org).get("/v1/connections/" + id).then().statusCode(404);
    }

    /** Runs the whole flow for an org and returns the new connection's id. */
    static String connect(String org) {
        String location = Api.as(org).redirects().follow(false).get("/v1/integrations/oauth/google/authorize").header("Location");
        return RestAssured.given().queryParams(followToCallback(location)).get("/v1/integrations/oauth/google/callback")
                .then().statusCode(200).extract().path("connection.id");
    }

    /** Plays the user's browser at the authorization server: it redirects to our callback with code and state. */
    static Map<String, String> followToCallback(String authorizationUrl) {
        Response consent = RestAssured.given().urlEncodingEnabled(false).redirects().follow(false).get(authorizationUrl);
        if (consent.statusCode() == 200) {
            // prompt=consent shows the server's login form: the user signs in and is sent back.
            consent = RestAssured.given().urlEncodingEnabled(false).redirects().follow(false)
                    .contentType("application/x-www-form-urlencoded").formParam("username", "ada@example.com").post(authorizationUrl);
        }
        String callback = consent.then().statusCode(302).extract().header("Location");
        assertTrue(callback.startsWith("https://weft.test/v1/integrations/oauth/google/callback"), callback);
        Map<String, String> params = new HashMap<>();
        for (String pair : URI.create(callback).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        assertNotEquals(null, params.get("code"));
        return params;
    }

    static List<LoggedRequest> refreshRequests() {
        return ConnectionsStubs.vendors().findAll(postRequestedFor(urlPathEqualTo("/google/token")).withRequestBody(containing("grant_type=refresh_token")));
    }
}
