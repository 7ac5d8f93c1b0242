package dev.weft.platform;

import dev.weft.platform.ratelimit.RateLimitConfig;
import dev.weft.platform.ratelimit.RateLimitDecision;
import dev.weft.platform.ratelimit.RateLimiter;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@QuarkusTest
class RateLimitTest extends PlatformTestBase {

    private static Response list(String org, String plan) {
        return given().header("Authorization", TestCredentials.bearerOnPlan(org, plan, "widgets:read")).when().get("/v1/widgets");
    }

    @Test
    void every_authenticated_response_carries_the_plan_headers() {
        String org = newOrg();
        Response first = list(org, null);
        Response second = list(org, null);
        first.then().statusCode(200).header("X-RateLimit-Limit", "60");
        assertEquals(99, Long.parseLong(first.header("X-RateLimit-Remaining")), "developer burst is 100");
        assertEquals(98, Long.parseLong(second.header("X-RateLimit-Remaining")));
        assertTrue(Long.parseLong(first.header("X-RateLimit-Reset")) >= Instant.now().getEpochSecond());
        list(org, "professional").then().header("X-RateLimit-Limit", "300");
        list(org, "enterprise").then().header("X-RateLimit-Limit", "1000");
    }

    @Test
    void over_budget_is_429_with_retry_after_and_other_orgs_are_unaffected() {
        String org = newOrg();
        for (int i = 0; i < 3; i++) {
            list(org, "tiny").then().statusCode(200);
        }
        Response limited = list(org, "tiny");
        limited.then().statusCode(429)
                .body("error.code", equalTo("RATE_LIMITED"))
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Limit", "2");
        assertTrue(Long.parseLong(limited.header("Retry-After")) >= 1);
        list(newOrg(), "tiny").then().statusCode(200);
        // Errors count too, so a client cannot probe for free.
        given().header("Authorization", TestCredentials.bearerOnPlan(org, "tiny", "widgets:read"))
                .when().get("/v1/widgets/not-an-id").then().statusCode(429);
    }

    @Test
    void replicas_sharing_redis_share_one_budget() {
        URI redis = URI.create(System.getenv().getOrDefault("WEFT_TEST_REDIS_URI", "redis://127.0.0.1:6379"));
        assumeTrue(reachable(redis), "needs a Redis server at " + redis + " (set WEFT_TEST_REDIS_URI)");
        RateLimiter replicaA = new RateLimiter(redisConfig(redis.toString()));
        RateLimiter replicaB = new RateLimiter(redisConfig(redis.toString()));
        String org = TypeId.generate("org");
        assertTrue(replicaA.consume(org, "tiny").allowed());
        assertTrue(replicaB.consume(org, "tiny").allowed());
        RateLimitDecision third = replicaA.consume(org, "tiny");
        assertTrue(third.allowed());
        assertEquals(0, third.remaining());
        RateLimitDecision fourth = replicaB.consume(org, "tiny");
        assertFalse(fourth.allowed(), "replica B sees what replica A spent");
        assertTrue(fourth.retryAfterSeconds() >= 1);
        assertTrue(replicaB.consume(TypeId.generate("org"), "tiny").allowed());
    }

    private static boolean reachable(URI redis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(redis.getHost(), redis.getPort()), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static RateLimitConfig redisConfig(String uri) {
        RateLimitConfig.Plan tiny = new RateLimitConfig.Plan() {
            public long perMinute() {
                return 2;
            }

            public long perDay() {
                return 0;
            }

            public long burst() {
                return 3;
            }
        };
        return new RateLimitConfig() {
            public boolean enabled() {
                return true;
            }

            public Store store() {
                return Store.REDIS;
            }

            public String redisUri() {
                return uri;
            }

            public String defaultPlan() {
                return "tiny";
            }

            public Map<String, Plan> plans() {
                return Map.of("tiny", tiny);
            }
        };
    }
}
