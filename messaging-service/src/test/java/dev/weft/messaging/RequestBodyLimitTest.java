package dev.weft.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.messaging.support.Api;
import dev.weft.testing.ChunkedRequests;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A body over the limit (2 MiB in tests, {@code %test.weft.platform.http.max-body-size}) sent chunked, without a
 * Content-Length, so it can only be counted while it streams: the answer is the error shape's 413 with the request id,
 * on a declared path and on its seed 002 spelling under {@code /v1/integrations} alike.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class RequestBodyLimitTest {
    private static final long LIMIT = 2 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A send whose body text pads the JSON to {@code size} bytes and more. */
    private static ChunkedRequests.Answer send(String path, long size) {
        String org = Api.newOrg();
        return ChunkedRequests.send(RestAssured.port, "POST", path, Map.of("Authorization", TestCredentials.bearerOnPlan(org, "enterprise", Api.SCOPES),
                "Content-Type", "application/json"), "{\"to\":[\"dana@company.com\"],\"body\":\"", size, "\"}");
    }

    private static void assertRefused(ChunkedRequests.Answer answer) throws Exception {
        assertEquals(413, answer.status(), answer.headers() + "\n" + answer.body());
        assertTrue(answer.header("Content-Type").startsWith("application/json"), answer.headers().toString());
        JsonNode error = JSON.readTree(answer.body()).path("error");
        assertEquals("PAYLOAD_TOO_LARGE", error.path("code").asText(), answer.body());
        assertTrue(error.path("request_id").asText().startsWith("req_"), answer.body());
        assertEquals(error.path("request_id").asText(), answer.header("X-Request-Id"));
    }

    @Test
    void a_chunked_body_over_the_limit_is_a_json_413_on_the_declared_path() throws Exception {
        assertRefused(send("/v1/email/send", LIMIT + 512 * 1024));
    }

    @Test
    void a_chunked_body_over_the_limit_is_a_json_413_on_the_integrations_path() throws Exception {
        assertRefused(send("/v1/integrations/email/send", LIMIT + 512 * 1024));
    }

    @Test
    void a_chunked_body_within_the_limit_is_read_by_the_resource() throws Exception {
        // Read whole and judged by the resource: a body text over a million characters is its 400, not a 413.
        ChunkedRequests.Answer answer = send("/v1/integrations/email/send", LIMIT - 128 * 1024);
        assertEquals(400, answer.status(), answer.headers() + "\n" + answer.body());
        assertEquals("body", JSON.readTree(answer.body()).path("error").path("details").path("field").asText(), answer.body());
    }
}
