package dev.weft.auth;

import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Credential changes reach weft.auth.events through the outbox, and no event carries a secret. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class CredentialEventsTest extends AuthTestSupport {

    @Test
    void client_lifecycle_and_refresh_reuse_emit_credential_events_without_secrets() {
        try (TopicProbe probe = new TopicProbe(Topics.AUTH)) {
            Client admin = newAdmin();
            String adminToken = accessToken(admin);
            Map<String, Object> created = bearer(adminToken).body("{\"name\":\"worker\",\"scopes\":[\"syncs:read\"]}")
                    .when().post("/v1/clients").then().statusCode(201).extract().as(Map.class);
            String workerId = (String) created.get("client_id");
            String rotatedSecret = bearer(adminToken).when().post("/v1/clients/" + workerId + "/rotate-secret").then().statusCode(200)
                    .extract().path("client_secret");
            Client worker = new Client(admin.orgId(), workerId, rotatedSecret);
            String first = (String) tokens(worker).get("refresh_token");
            String second = form(worker).formParam("grant_type", "refresh_token").formParam("refresh_token", first)
                    .when().post("/v1/auth/token").then().statusCode(200).extract().path("refresh_token");
            form(worker).formParam("grant_type", "refresh_token").formParam("refresh_token", first)
                    .when().post("/v1/auth/token").then().statusCode(400);
            bearer(adminToken).when().delete("/v1/clients/" + workerId).then().statusCode(204);

            List<ConsumerRecord<String, byte[]>> events = probe.await(r -> workerId.equals(r.key()), 5, Duration.ofSeconds(20));
            List<String> types = events.stream().map(r -> TopicProbe.header(r, "ce_type") + ":" + reason(r)).toList();
            assertEquals(List.of("credential.created:created", "credential.revoked:secret_rotated", "credential.created:secret_rotated",
                    "credential.revoked:refresh_token_reuse", "credential.revoked:deleted"), types);
            for (ConsumerRecord<String, byte[]> event : events) {
                String data = new String(event.value(), StandardCharsets.UTF_8);
                assertEquals(admin.orgId(), TopicProbe.header(event, "ce_orgid"));
                assertFalse(data.contains("wcs_") || data.contains("wrt_"), data);
                assertFalse(data.contains((String) created.get("client_secret")) || data.contains(rotatedSecret), data);
                assertFalse(data.contains(first) || data.contains(second), data);
                assertTrue(data.contains("\"credential_id\""), data);
            }
            // The operator-made admin client was announced too.
            assertEquals(1, probe.await(r -> admin.clientId().equals(r.key()), 1, Duration.ofSeconds(10)).size());
        }
    }

    private static String reason(ConsumerRecord<String, byte[]> record) {
        String data = new String(record.value(), StandardCharsets.UTF_8);
        int at = data.indexOf("\"reason\":\"");
        return at < 0 ? "?" : data.substring(at + 10, data.indexOf('"', at + 10));
    }
}
