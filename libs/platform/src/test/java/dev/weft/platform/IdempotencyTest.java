package dev.weft.platform;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class IdempotencyTest extends PlatformTestBase {

    @Test
    void same_key_and_body_returns_the_first_response_and_creates_once() throws Exception {
        String org = newOrg();
        String key = UUID.randomUUID().toString();
        String body = "{\"name\":\"once\",\"size\":2}";
        String first = writer(org).header("Idempotency-Key", key).body(body).when().post("/v1/widgets")
                .then().statusCode(201).extract().asString();
        String again = writer(org).header("Idempotency-Key", key).body(body).when().post("/v1/widgets")
                .then().statusCode(201).header("Idempotent-Replayed", "true").extract().asString();
        assertEquals(first, again);
        writer(org).when().get("/v1/widgets").then().body("data.size()", equalTo(1));
        try (var connection = java.sql.DriverManager.getConnection(dev.weft.testing.WeftTestInfra.jdbcUrl(),
                dev.weft.testing.WeftTestInfra.username(), dev.weft.testing.WeftTestInfra.password());
             var query = connection.prepareStatement("SELECT response_body FROM platform_test.idempotency_keys WHERE idem_key = ?")) {
            query.setString(1, key);
            try (var row = query.executeQuery()) {
                assertTrue(row.next());
                String stored = row.getString(1);
                assertFalse(stored.contains("once"), "stored response is encrypted: " + stored);
            }
        }
    }

    @Test
    void same_key_with_another_body_is_a_conflict() {
        String org = newOrg();
        String key = UUID.randomUUID().toString();
        writer(org).header("Idempotency-Key", key).body("{\"name\":\"a\",\"size\":2}").when().post("/v1/widgets").then().statusCode(201);
        writer(org).header("Idempotency-Key", key).body("{\"name\":\"b\",\"size\":2}").when().post("/v1/widgets")
                .then().statusCode(409).body("error.code", equalTo("CONFLICT"));
        writer(org).when().get("/v1/widgets").then().body("data.size()", equalTo(1));
    }

    @Test
    void keys_are_per_org_and_errors_are_replayed_too() {
        String key = UUID.randomUUID().toString();
        String orgA = newOrg();
        String orgB = newOrg();
        writer(orgA).header("Idempotency-Key", key).body("{\"name\":\"a\",\"size\":2}").when().post("/v1/widgets").then().statusCode(201);
        writer(orgB).header("Idempotency-Key", key).body("{\"name\":\"a\",\"size\":2}").when().post("/v1/widgets").then().statusCode(201)
                .header("Idempotent-Replayed", (String) null);
        String invalidKey = UUID.randomUUID().toString();
        writer(orgA).header("Idempotency-Key", invalidKey).body("{\"size\":2}").when().post("/v1/widgets").then().statusCode(400);
        writer(orgA).header("Idempotency-Key", invalidKey).body("{\"size\":2}").when().post("/v1/widgets").then().statusCode(400)
                .header("Idempotent-Replayed", "true").body("error.details.field", equalTo("name"));
        writer(orgA).header("Idempotency-Key", "x".repeat(300)).body("{\"name\":\"a\",\"size\":2}").when().post("/v1/widgets")
                .then().statusCode(400).body("error.details.field", equalTo("Idempotency-Key"));
    }

    @Test
    void a_server_error_is_not_kept_so_a_retry_runs_again() {
        String org = newOrg();
        String key = UUID.randomUUID().toString();
        writer(org).header("Idempotency-Key", key).body("{\"name\":\"a\",\"size\":2}").when().post("/v1/widgets/rolled-back").then().statusCode(500);
        writer(org).header("Idempotency-Key", key).body("{\"name\":\"a\",\"size\":2}").when().post("/v1/widgets/rolled-back").then().statusCode(500)
                .header("Idempotent-Replayed", (String) null);
    }
}
