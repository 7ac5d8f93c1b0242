package dev.weft.auth;

import com.nimbusds.jwt.SignedJWT;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The org's plan travels in its access tokens, so every service applies that plan's limits. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class PlanRateLimitTest extends AuthTestSupport {

    @Test
    void tokens_carry_the_org_plan_and_responses_show_its_limits() throws Exception {
        String org = operator().body(Map.of("name", "pro " + UUID.randomUUID(), "plan", "professional"))
                .when().post("/v1/orgs").then().statusCode(201).extract().path("id");
        Client admin = clientFor(org, "admin");
        String token = accessToken(admin);
        assertEquals("professional", SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("plan"));
        bearer(token).when().get("/v1/clients").then().statusCode(200)
                .header("X-RateLimit-Limit", "300")
                .header("X-RateLimit-Remaining", "499");

        String developerToken = accessToken(newAdmin());
        bearer(developerToken).when().get("/v1/clients").then().statusCode(200).header("X-RateLimit-Limit", "60");
    }
}
