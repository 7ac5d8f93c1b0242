package dev.weft.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.weft.platform.auth.CredentialCache;
import dev.weft.platform.auth.RevocationListener;
import dev.weft.platform.auth.RevokedTokens;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.events.Topics;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.TestEvents;
import dev.weft.testing.WeftTestInfra;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access tokens are verified locally, so a revocation reaches a service as a credential.revoked
 * event on weft.auth.events (published here as auth-service's relay would): the token, every token
 * of a refresh family, or every token of a deleted client stops working within two seconds.
 */
@QuarkusTest
class RevocationTest extends PlatformTestBase {
    @Inject
    RevocationListener listener;
    @Inject
    PlatformConfig config;
    @Inject
    ObjectMapper json;

    @Test
    void a_revoked_access_token_is_refused_within_two_seconds_and_other_tokens_keep_working() throws InterruptedException {
        awaitListening();
        String org = newOrg();
        String jti = "atk_" + UUID.randomUUID();
        String token = token(org, jti, "cli_revoker", null, Instant.now());
        String other = token(org, "atk_" + UUID.randomUUID(), "cli_revoker", null, Instant.now());
        get(token).then().statusCode(200);
        revoke(org, jti, "access_token", Instant.now().plusSeconds(3600));
        refusedWithin(token, Duration.ofSeconds(2));
        get(token).then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"))
                .body("error.message", equalTo("Access token has been revoked"));
        get(other).then().statusCode(200);
    }

    @Test
    void revoking_a_refresh_family_refuses_every_access_token_it_issued() throws InterruptedException {
        awaitListening();
        String org = newOrg();
        String family = "rtf_" + UUID.randomUUID();
        String first = token(org, "atk_" + UUID.randomUUID(), "cli_family", family, Instant.now());
        String second = token(org, "atk_" + UUID.randomUUID(), "cli_family", family, Instant.now());
        String otherFamily = token(org, "atk_" + UUID.randomUUID(), "cli_family", "rtf_" + UUID.randomUUID(), Instant.now());
        get(first).then().statusCode(200);
        revoke(org, family, "refresh_token_family", null);
        refusedWithin(first, Duration.ofSeconds(2));
        get(second).then().statusCode(401);
        get(otherFamily).then().statusCode(200);
    }

    @Test
    void a_deleted_clients_tokens_are_refused_but_not_another_clients() throws InterruptedException {
        awaitListening();
        String org = newOrg();
        String client = "cli_" + UUID.randomUUID();
        String token = token(org, "atk_" + UUID.randomUUID(), client, null, Instant.now().minusSeconds(5));
        String otherClient = token(org, "atk_" + UUID.randomUUID(), "cli_" + UUID.randomUUID(), null, Instant.now().minusSeconds(5));
        get(token).then().statusCode(200);
        TestEvents.publish(Topics.AUTH, "credential.revoked", org, client,
                "{\"credential_id\":\"" + client + "\",\"credential_type\":\"oauth_client\",\"reason\":\"deleted\"}");
        refusedWithin(token, Duration.ofSeconds(2));
        get(otherClient).then().statusCode(200);
    }

    @Test
    void a_replica_that_starts_rebuilds_the_deny_list_from_revocations_still_in_force() {
        String jti = "atk_" + UUID.randomUUID();
        revoke(newOrg(), jti, "access_token", Instant.now().plusSeconds(3600));
        // A new replica: its own deny-list and a consumer group that has never read the topic (it starts at the end).
        RevokedTokens fresh = new RevokedTokens();
        RevocationListener starting = new RevocationListener(new CredentialCache(config), fresh, json, config);
        Map<String, Object> settings = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, WeftTestInfra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "replica-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.AUTH), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    starting.onPartitionsAssigned(consumer, partitions);
                }
            });
            Instant deadline = Instant.now().plusSeconds(30);
            while (!fresh.isRevoked(jti, null, null, null) && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(starting::onRecord);
            }
        }
        assertTrue(starting.listening());
        assertTrue(fresh.isRevoked(jti, null, null, null), "the revocation published before the replica started was replayed");
        assertFalse(fresh.isRevoked("atk_" + UUID.randomUUID(), null, null, null));
    }

    private static io.restassured.response.Response get(String token) {
        return given().header("Authorization", "Bearer " + token).when().get("/v1/widgets");
    }

    private static void revoke(String org, String id, String type, Instant expiresAt) {
        TestEvents.publish(Topics.AUTH, "credential.revoked", org, id, "{\"credential_id\":\"" + id + "\",\"credential_type\":\"" + type + "\""
                + (expiresAt == null ? "" : ",\"expires_at\":\"" + expiresAt + "\"") + ",\"reason\":\"revoked\"}");
    }

    private static String token(String org, String jti, String client, String family, Instant issuedAt) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(TestCredentials.ISSUER).audience(TestCredentials.AUDIENCE)
                .subject(client).jwtID(jti).issueTime(Date.from(issuedAt)).expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                .claim("org", org).claim("scope", "widgets:read");
        if (family != null) {
            claims.claim("sid", family);
        }
        return TestCredentials.sign(claims.build());
    }

    private static void refusedWithin(String token, Duration limit) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        int status = get(token).statusCode();
        while (status != 401 && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            status = get(token).statusCode();
        }
        assertEquals(401, status, "refused within " + limit);
    }

    private void awaitListening() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!listener.listening() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertTrue(listener.listening(), "revocation listener joined weft.auth.events");
    }
}
