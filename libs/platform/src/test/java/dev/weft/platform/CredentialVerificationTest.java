package dev.weft.platform;

import dev.weft.platform.auth.RevocationListener;
import dev.weft.platform.events.Topics;
import dev.weft.testing.RequestSigner;
import dev.weft.testing.TestEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys and signed requests as any service sees them: verified through auth-service's
 * introspection (a stub here), cached, and dropped from the cache by a credential.revoked event.
 */
@QuarkusTest
@QuarkusTestResource(value = StubIntrospection.class, restrictToAnnotatedClass = false)
class CredentialVerificationTest extends PlatformTestBase {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    RevocationListener listener;

    static String newApiKey(String org, String keyId, String scope) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String key = "wft_live_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        StubIntrospection.ANSWERS.put(key, "{\"active\":true,\"token_type\":\"api_key\",\"key_id\":\"" + keyId + "\",\"org\":\"" + org
                + "\",\"scope\":\"" + scope + "\",\"plan\":\"developer\",\"mode\":\"live\"}");
        return key;
    }

    static String newSigningKey(String org, String keyId, String secret, String scope) {
        StubIntrospection.ANSWERS.put(keyId, "{\"active\":true,\"token_type\":\"signing_key\",\"key_id\":\"" + keyId + "\",\"org\":\"" + org
                + "\",\"scope\":\"" + scope + "\",\"plan\":\"developer\",\"secret\":\"" + secret + "\"}");
        return keyId;
    }

    void publishRevocation(String type, String id) {
        TestEvents.publish(Topics.AUTH, "credential.revoked", newOrg(), id,
                "{\"credential_id\":\"" + id + "\",\"credential_type\":\"" + type + "\",\"reason\":\"revoked\"}");
    }

    void awaitListening() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!listener.listening() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertTrue(listener.listening(), "revocation listener joined weft.auth.events");
    }

    @Test
    void an_api_key_authenticates_as_its_org_with_its_scopes_and_is_introspected_once_while_cached() {
        String org = newOrg();
        String key = newApiKey(org, "key_01h455vb4pex5vsknk084sn001", "widgets:read widgets:write");
        String id = given().header("Authorization", "Bearer " + key).contentType("application/json").body("{\"name\":\"k\",\"size\":1}")
                .when().post("/v1/widgets").then().statusCode(201).extract().path("id");
        for (int i = 0; i < 5; i++) {
            given().header("X-API-Key", key).when().get("/v1/widgets/" + id).then().statusCode(200);
        }
        as(newOrg(), "widgets:read").when().get("/v1/widgets/" + id).then().statusCode(404);
        assertEquals(1, StubIntrospection.calls(key));

        String reader = newApiKey(org, "key_01h455vb4pex5vsknk084sn002", "widgets:read");
        given().header("Authorization", "Bearer " + reader).contentType("application/json").body("{\"name\":\"k\",\"size\":1}")
                .when().post("/v1/widgets").then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));
    }

    @Test
    void unknown_keys_are_refused_and_the_refusal_is_cached_too() {
        String unknown = "wft_test_" + "B".repeat(43);
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + unknown).when().get("/v1/widgets").then().statusCode(401)
                    .body("error.code", equalTo("UNAUTHORIZED"));
        }
        assertEquals(1, StubIntrospection.calls(unknown));
        given().header("Authorization", "Bearer wft_live_tooshort").when().get("/v1/widgets").then().statusCode(401);
        assertEquals(0, StubIntrospection.calls("wft_live_tooshort"));
    }

    @Test
    void an_unreachable_auth_service_is_503_not_401_or_500() {
        String key = newApiKey(newOrg(), "key_01h455vb4pex5vsknk084sn003", "widgets:read");
        StubIntrospection.FAILING.set(true);
        try {
            given().header("Authorization", "Bearer " + key).when().get("/v1/widgets").then().statusCode(503)
                    .body("error.code", equalTo("SERVICE_UNAVAILABLE"));
        } finally {
            StubIntrospection.FAILING.set(false);
        }
        // The failure was not cached.
        given().header("Authorization", "Bearer " + key).when().get("/v1/widgets").then().statusCode(200);
    }

    @Test
    void a_revocation_event_clears_the_cached_api_key_within_a_second() throws InterruptedException {
        awaitListening();
        String keyId = "key_01h455vb4pex5vsknk084sn004";
        String key = newApiKey(newOrg(), keyId, "widgets:read");
        given().header("Authorization", "Bearer " + key).when().get("/v1/widgets").then().statusCode(200);
        // auth-service revokes: its introspection now says inactive, but the cached answer still holds...
        StubIntrospection.ANSWERS.remove(key);
        given().header("Authorization", "Bearer " + key).when().get("/v1/widgets").then().statusCode(200);
        // ...until the event arrives.
        publishRevocation("api_key", keyId);
        assertRefusedWithin(Duration.ofSeconds(2), () -> given().header("Authorization", "Bearer " + key).when().get("/v1/widgets").statusCode());
    }

    @Test
    void signed_requests_verify_with_the_introspected_secret_refuse_replays_and_follow_revocations() throws InterruptedException {
        awaitListening();
        String keyId = newSigningKey(newOrg(), "sk_01h455vb4pex5vsknk084sn005", "whmac_platformtestsecret", "widgets:read widgets:write");
        String body = "{\"name\":\"signed\",\"size\":2}";
        String signed = RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond(), "POST", "/v1/widgets", body);
        given().header("Authorization", signed).contentType("application/json").body(body).when().post("/v1/widgets").then().statusCode(201);
        given().header("Authorization", signed).contentType("application/json").body(body).when().post("/v1/widgets").then().statusCode(401)
                .body("error.details.reason", equalTo("replayed_signature"));
        String tampered = RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond(), "POST", "/v1/widgets", body);
        given().header("Authorization", tampered).contentType("application/json").body(body.replace("2", "3")).when().post("/v1/widgets").then()
                .statusCode(401).body("error.code", equalTo("INVALID_SIGNATURE"));
        String stale = RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond() - 600, "GET", "/v1/widgets", "");
        given().header("Authorization", stale).when().get("/v1/widgets").then().statusCode(401).body("error.code", equalTo("TIMESTAMP_OUT_OF_RANGE"));

        StubIntrospection.ANSWERS.remove(keyId);
        publishRevocation("signing_key", keyId);
        assertRefusedWithin(Duration.ofSeconds(2), () -> {
            // A fresh path each time, so no attempt is a replay of the previous one.
            String path = "/v1/widgets?n=" + System.nanoTime();
            return given().header("Authorization", RequestSigner.authorization(keyId, "whmac_platformtestsecret",
                    Instant.now().getEpochSecond(), "GET", path, "")).when().get(path).statusCode();
        });
    }

    @Test
    void a_path_alias_reaches_the_declared_resource_with_body_and_query_and_is_verified_as_sent() throws InterruptedException {
        awaitListening();
        String keyId = newSigningKey(newOrg(), "sk_01h455vb4pex5vsknk084sn006", "whmac_platformtestsecret", "widgets:read widgets:write");
        String body = "{\"name\":\"aliased\",\"size\":3}";
        String signedAsSent = RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond(), "POST", "/v1/aliased/widgets", body);
        given().header("Authorization", signedAsSent).contentType("application/json").body(body).when().post("/v1/aliased/widgets")
                .then().statusCode(201).body("name", equalTo("aliased"));

        // Signed over the declared path but sent to the alias: the signature covers what was sent, so it fails.
        String signedOther = RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond(), "POST", "/v1/widgets", body);
        given().header("Authorization", signedOther).contentType("application/json").body(body).when().post("/v1/aliased/widgets")
                .then().statusCode(401).body("error.code", equalTo("INVALID_SIGNATURE"));

        String second = body.replace("aliased", "second");
        given().header("Authorization", RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond(), "POST", "/v1/widgets", second))
                .contentType("application/json").body(second).when().post("/v1/widgets").then().statusCode(201);
        // The query string survives the reroute: limit=1 gives one of the two widgets and says there are more.
        String path = "/v1/aliased/widgets?limit=1&n=" + System.nanoTime();
        given().header("Authorization", RequestSigner.authorization(keyId, "whmac_platformtestsecret", Instant.now().getEpochSecond(), "GET", path, ""))
                .when().get(path).then().statusCode(200).body("data.size()", equalTo(1)).body("pagination.has_more", equalTo(true));
        String bearer = "Bearer " + newApiKey(newOrg(), "key_01h455vb4pex5vsknk084sn007", "widgets:read");
        given().header("Authorization", bearer).when().get("/v1/aliased/widgetsx").then().statusCode(404)
                .body("error.message", equalTo("No resource at /v1/aliased/widgetsx"));
        given().header("Authorization", bearer).when().get("/v1/aliased/widgets/nothing/here").then().statusCode(404)
                .body("error.message", equalTo("No resource at /v1/widgets/nothing/here"));
    }

    private static void assertRefusedWithin(Duration limit, java.util.function.IntSupplier request) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        int status = request.getAsInt();
        while (status != 401 && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            status = request.getAsInt();
        }
        assertEquals(401, status, "refused within " + limit);
    }
}
