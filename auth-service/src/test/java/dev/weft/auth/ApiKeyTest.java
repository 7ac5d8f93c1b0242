package dev.weft.auth;

import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API keys: shown once, stored hashed, scoped, revocable at once; over real HTTP. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ApiKeyTest extends AuthTestSupport {

    static Map<String, Object> createKey(String adminToken, String body) {
        return bearer(adminToken).body(body).when().post("/v1/api-keys").then().statusCode(201).extract().as(Map.class);
    }

    static ValidatableResponse withKey(String key, String path) {
        return given().header("Authorization", "Bearer " + key).when().get(path).then();
    }

    @Test
    void creates_lists_gets_and_revokes_api_keys_showing_the_key_only_once() {
        String token = accessToken(newAdmin());
        Map<String, Object> live = createKey(token, "{\"name\":\"backend\",\"scopes\":[\"clients:read\"]}");
        String key = (String) live.get("key");
        String id = (String) live.get("id");
        assertTrue(key.matches("wft_live_[A-Za-z0-9_-]{43}"), key);
        assertTrue(id.startsWith("key_"), id);
        assertEquals("live", live.get("mode"));
        assertEquals(key.substring(0, 13), live.get("prefix"));
        Map<String, Object> test = createKey(token, "{\"name\":\"staging\",\"scopes\":[\"clients:read\"],\"mode\":\"test\",\"expires_at\":\"2099-01-01T00:00:00Z\"}");
        assertTrue(((String) test.get("key")).startsWith("wft_test_"));
        assertEquals("2099-01-01T00:00:00Z", test.get("expires_at"));

        String list = bearer(token).when().get("/v1/api-keys?limit=1").then().statusCode(200)
                .body("data.size()", equalTo(1)).body("data[0].id", equalTo(test.get("id")))
                .body("data[0].key", nullValue()).body("pagination.has_more", equalTo(true))
                .extract().asString();
        assertFalse(list.contains((String) test.get("key")), list);
        String cursor = bearer(token).when().get("/v1/api-keys?limit=1").then().extract().path("pagination.next_cursor");
        bearer(token).queryParam("cursor", cursor).when().get("/v1/api-keys").then().statusCode(200)
                .body("data[0].id", equalTo(id)).body("data[0].key", nullValue());
        String got = bearer(token).when().get("/v1/api-keys/" + id).then().statusCode(200)
                .body("status", equalTo("active")).body("scopes", equalTo(List.of("clients:read"))).body("key", nullValue())
                .extract().asString();
        assertFalse(got.contains(key), got);

        bearer(token).when().delete("/v1/api-keys/" + id).then().statusCode(204);
        bearer(token).when().delete("/v1/api-keys/" + id).then().statusCode(204);
        bearer(token).when().get("/v1/api-keys/" + id).then().statusCode(200)
                .body("status", equalTo("revoked")).body("revoked_at", notNullValue());
        bearer(token).when().get("/v1/api-keys/key_01h455vb4pex5vsknk084sn02q").then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        bearer(token).when().get("/v1/api-keys/not-an-id").then().statusCode(404);
    }

    @Test
    void rejects_invalid_requests_and_scopes_the_creator_lacks() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[]}").when().post("/v1/api-keys").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"clients:read\"],\"mode\":\"prod\"}").when().post("/v1/api-keys").then().statusCode(400);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"Not A Scope\"]}").when().post("/v1/api-keys").then().statusCode(400);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"clients:read\"],\"expires_at\":\"2001-01-01T00:00:00Z\"}").when().post("/v1/api-keys").then().statusCode(400);

        Client limited = clientFor(admin.orgId(), "api_keys:write", "clients:read");
        String limitedToken = accessToken(limited);
        bearer(limitedToken).body("{\"name\":\"x\",\"scopes\":[\"clients:read\"]}").when().post("/v1/api-keys").then().statusCode(201);
        bearer(limitedToken).body("{\"name\":\"x\",\"scopes\":[\"admin\"]}").when().post("/v1/api-keys").then().statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE")).body("error.details.scope", equalTo("admin"));
        bearer(limitedToken).when().get("/v1/api-keys").then().statusCode(403).body("error.details.required_scope", equalTo("api_keys:read"));
    }

    @Test
    void an_api_key_authenticates_as_its_org_and_its_scopes_are_enforced() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        String key = (String) createKey(token, "{\"name\":\"reader\",\"scopes\":[\"clients:read\"],\"mode\":\"test\"}").get("key");
        withKey(key, "/v1/clients").statusCode(200).body("data.client_id", hasItem(admin.clientId()))
                .header("X-RateLimit-Limit", notNullValue());
        given().header("X-API-Key", key).when().get("/v1/clients").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).contentType("application/json").body("{\"name\":\"x\",\"scopes\":[\"clients:read\"]}")
                .when().post("/v1/clients").then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"))
                .body("error.details.required_scope", equalTo("clients:write"));
        withKey(key, "/v1/api-keys").statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));

        // last_used_at is recorded (at most once a minute).
        String id = bearer(token).when().get("/v1/api-keys").then().extract().path("data[0].id");
        bearer(token).when().get("/v1/api-keys/" + id).then().body("last_used_at", notNullValue());
    }

    @Test
    void refuses_unknown_malformed_and_doubled_api_key_credentials_with_401() {
        String key = (String) createKey(accessToken(newAdmin()), "{\"name\":\"k\",\"scopes\":[\"clients:read\"]}").get("key");
        withKey("wft_live_" + "A".repeat(43), "/v1/clients").statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        withKey("wft_live_short", "/v1/clients").statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        withKey(key + "x", "/v1/clients").statusCode(401);
        given().header("X-API-Key", "wft_nope").when().get("/v1/clients").then().statusCode(401);
        given().header("X-API-Key", key).header("Authorization", "Bearer " + key).when().get("/v1/clients").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHORIZED"));
        given().header("Authorization", "Bearer " + key).header("Authorization", "Bearer " + key).when().get("/v1/clients").then().statusCode(401);
        given().header("Authorization", "Basic " + key).when().get("/v1/clients").then().statusCode(401);
        given().header("Authorization", "Bearer  ").when().get("/v1/clients").then().statusCode(401);
    }

    @Test
    void a_revoked_key_is_refused_at_once_and_introspects_inactive() {
        String token = accessToken(newAdmin());
        Map<String, Object> created = createKey(token, "{\"name\":\"k\",\"scopes\":[\"clients:read\"]}");
        String key = (String) created.get("key");
        withKey(key, "/v1/clients").statusCode(200);
        withKey(key, "/v1/clients").statusCode(200);
        operator().contentType("application/x-www-form-urlencoded").formParam("token", key).when().post("/v1/auth/introspect").then()
                .statusCode(200).body("active", equalTo(true)).body("token_type", equalTo("api_key")).body("key_id", equalTo(created.get("id")))
                .body("scope", equalTo("clients:read")).body("plan", equalTo("developer")).body("mode", equalTo("live"))
                .body("org", matchesPattern("org_[0-9a-z]{26}")).body("secret", nullValue());

        bearer(token).when().delete("/v1/api-keys/" + created.get("id")).then().statusCode(204);
        withKey(key, "/v1/clients").statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        operator().contentType("application/x-www-form-urlencoded").formParam("token", key).when().post("/v1/auth/introspect").then()
                .statusCode(200).body("active", equalTo(false));
    }

    @Test
    void an_expired_key_is_refused() throws InterruptedException {
        String token = accessToken(newAdmin());
        String expiresAt = java.time.Instant.now().plusSeconds(2).toString();
        String key = (String) createKey(token, "{\"name\":\"k\",\"scopes\":[\"clients:read\"],\"expires_at\":\"" + expiresAt + "\"}").get("key");
        withKey(key, "/v1/clients").statusCode(200);
        Thread.sleep(2500);
        withKey(key, "/v1/clients").statusCode(401);
    }

    @Test
    void another_orgs_api_keys_are_404_for_every_endpoint() {
        String tokenA = accessToken(newAdmin());
        String idA = (String) createKey(tokenA, "{\"name\":\"a\",\"scopes\":[\"clients:read\"]}").get("id");
        String tokenB = accessToken(newAdmin());
        bearer(tokenB).when().get("/v1/api-keys/" + idA).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        bearer(tokenB).when().delete("/v1/api-keys/" + idA).then().statusCode(404);
        bearer(tokenB).when().get("/v1/api-keys").then().statusCode(200).body("data.id", everyItem(not(equalTo(idA))));
        bearer(tokenA).when().get("/v1/api-keys/" + idA).then().statusCode(200).body("status", equalTo("active"));
        // An org B client with introspect sees org A's key as inactive.
        Client introspector = clientFor(createOrg(), "introspect");
        String keyA = (String) createKey(tokenA, "{\"name\":\"a2\",\"scopes\":[\"clients:read\"]}").get("key");
        bearer(accessToken(introspector)).contentType("application/x-www-form-urlencoded").formParam("token", keyA)
                .when().post("/v1/auth/introspect").then().statusCode(200).body("active", equalTo(false));
    }

    @Test
    void api_key_events_reach_the_auth_topic_without_the_key() {
        try (TopicProbe probe = new TopicProbe(Topics.AUTH)) {
            Client admin = newAdmin();
            String token = accessToken(admin);
            Map<String, Object> created = createKey(token, "{\"name\":\"evented\",\"scopes\":[\"clients:read\"]}");
            String id = (String) created.get("id");
            bearer(token).when().delete("/v1/api-keys/" + id).then().statusCode(204);
            List<ConsumerRecord<String, byte[]>> events = probe.await(r -> id.equals(r.key()), 2, Duration.ofSeconds(20));
            assertEquals(List.of("credential.created", "credential.revoked"), events.stream().map(r -> TopicProbe.header(r, "ce_type")).toList());
            for (ConsumerRecord<String, byte[]> event : events) {
                String data = new String(event.value(), StandardCharsets.UTF_8);
                assertEquals(admin.orgId(), TopicProbe.header(event, "ce_orgid"));
                assertTrue(data.contains("\"credential_type\":\"api_key\"") && data.contains("\"credential_id\":\"" + id + "\""), data);
                assertTrue(data.contains("\"org_id\":\"" + admin.orgId() + "\""), data);
                assertFalse(data.contains((String) created.get("key")) || data.contains("wft_live_"), data);
            }
        }
    }
}
