package dev.weft.webhook.delivery;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.platform.events.Topics;
import dev.weft.testing.WeftInfraResource;
import dev.weft.testing.WeftTestInfra;
import dev.weft.webhook.support.Api;
import dev.weft.testing.TestEvents;
import dev.weft.webhook.support.Receiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Deliveries keep going when Kafka or PostgreSQL goes away, and one bad endpoint never holds up another. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ResilienceTest {

    @Test
    void retries_continue_while_kafka_is_down_and_new_events_flow_once_it_is_back() {
        assumeTrue(WeftTestInfra.kafkaIsEmbedded(), "needs a broker this JVM can stop (WEFT_TEST_KAFKA_BOOTSTRAP unset)");
        String org = Api.newOrg();
        String path = "/hooks/" + UUID.randomUUID();
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200)));
        Api.as(org).body(Map.of("url", Receiver.url(path), "events", List.of("connection.*"))).post("/v1/webhooks").then().statusCode(201);
        String first = TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_k", "{\"id\":\"conn_k\"}");
        assertEquals(1, Receiver.await(path, 1, Duration.ofSeconds(20)).size(), "first attempt (500) before the outage");

        WeftTestInfra.stopKafka();
        try {
            List<String> ids = Receiver.await(path, 2, Duration.ofSeconds(20)).stream().map(r -> r.getHeader("webhook-id")).toList();
            assertEquals(List.of(first, first), ids, "the retry went out while Kafka was down");
        } finally {
            WeftTestInfra.startKafka();
        }
        String after = TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_k", "{\"id\":\"conn_k\"}");
        List<String> ids = Receiver.await(path, 3, Duration.ofSeconds(60)).stream().map(r -> r.getHeader("webhook-id")).toList();
        assertEquals(List.of(first, first, after), ids, "events published after the broker came back are delivered");
    }

    @Test
    void nothing_is_lost_while_postgresql_is_away() {
        String org = Api.newOrg();
        String path = "/hooks/" + UUID.randomUUID();
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200)));
        String hook = Api.as(org).body(Map.of("url", Receiver.url(path), "events", List.of("connection.*"))).post("/v1/webhooks")
                .then().statusCode(201).extract().path("id");
        String first = TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_p", "{\"id\":\"conn_p\"}");
        assertEquals(1, Receiver.await(path, 1, Duration.ofSeconds(20)).size(), "first attempt (500) before the outage");

        // The retry falls due, and a new event arrives, while every session is cut and no new one is let in.
        WeftTestInfra.interruptDatabase();
        String during;
        try {
            during = TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_p", "{\"id\":\"conn_p\"}");
            sleep(Duration.ofSeconds(5));
        } finally {
            WeftTestInfra.restoreDatabase();
        }

        List<String> ids = Receiver.await(path, 3, Duration.ofSeconds(90)).stream().map(r -> r.getHeader("webhook-id")).toList();
        assertTrue(ids.subList(1, ids.size()).containsAll(List.of(first, during)),
                "the retry due during the outage and the event published during it both arrived: " + ids);
        // Attempts are recorded just after the sends (an attempt whose recording failed in the outage: after its lease).
        List<String> statuses = List.of();
        for (Instant deadline = Instant.now().plusSeconds(60); Instant.now().isBefore(deadline); sleep(Duration.ofMillis(200))) {
            statuses = Api.as(org).get("/v1/webhooks/" + hook + "/deliveries").then().statusCode(200).extract().path("data.status");
            if (statuses.equals(List.of("succeeded", "succeeded"))) {
                break;
            }
        }
        assertEquals(List.of("succeeded", "succeeded"), statuses, "both deliveries are recorded as succeeded");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void an_endpoints_rate_limit_spreads_its_deliveries() {
        String org = Api.newOrg();
        String path = "/hooks/" + UUID.randomUUID();
        Receiver.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)));
        Api.as(org).body(Map.of("url", Receiver.url(path), "events", List.of("connection.*"), "rate_limit", 2)).post("/v1/webhooks")
                .then().statusCode(201);
        for (int i = 0; i < 8; i++) {
            TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_r" + i, "{\"id\":\"conn_r" + i + "\"}");
        }
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> received = Receiver.await(path, 8, Duration.ofSeconds(30));
        assertEquals(8, received.size());
        long spread = received.get(7).getLoggedDate().getTime() - received.get(0).getLoggedDate().getTime();
        // 2 at once, then 2 a second: the last six need three seconds at least.
        assertTrue(spread >= 2500, "8 deliveries at 2/s took only " + spread + " ms");
    }

    @Test
    void a_hanging_endpoint_does_not_hold_up_a_healthy_one() {
        String org = Api.newOrg();
        String slow = "/hooks/" + UUID.randomUUID();
        String healthy = "/hooks/" + UUID.randomUUID();
        // The slow endpoint answers after the 2 s timeout, every time; the healthy one at once.
        Receiver.server().stubFor(post(urlPathEqualTo(slow)).willReturn(aResponse().withStatus(200).withFixedDelay(5000)));
        Receiver.server().stubFor(post(urlPathEqualTo(healthy)).willReturn(aResponse().withStatus(200)));
        Api.as(org).body(Map.of("url", Receiver.url(slow), "events", List.of("connection.*"))).post("/v1/webhooks").then().statusCode(201);
        String healthyHook = Api.as(org).body(Map.of("url", Receiver.url(healthy), "events", List.of("connection.*"))).post("/v1/webhooks")
                .then().statusCode(201).extract().path("id");
        for (int i = 0; i < 40; i++) {
            TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_" + i, "{\"id\":\"conn_" + i + "\"}");
        }
        // All forty reach the healthy endpoint although the slow one has more deliveries than its in-flight bound (16) hanging.
        assertEquals(40, Receiver.await(healthy, 40, Duration.ofSeconds(20)).size());
        List<Integer> failedAttempts = Api.as(org).get("/v1/webhooks/" + healthyHook + "/deliveries?status=retrying").then().statusCode(200)
                .extract().path("data.attempts");
        assertEquals(List.of(), failedAttempts, "no healthy delivery needed a retry");
    }

    @Test
    void a_flapping_endpoint_does_not_slow_a_healthy_one() {
        String org = Api.newOrg();
        String flapping = "/hooks/" + UUID.randomUUID();
        String healthy = "/hooks/" + UUID.randomUUID();
        // Every other request to the flapping endpoint hangs past the 2 s timeout; the others succeed at once, so its
        // breaker never opens and its in-flight slots keep filling with requests that will time out.
        Receiver.server().stubFor(post(urlPathEqualTo(flapping)).inScenario(flapping).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withFixedDelay(5000)).willSetStateTo("up"));
        Receiver.server().stubFor(post(urlPathEqualTo(flapping)).inScenario(flapping).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)).willSetStateTo(Scenario.STARTED));
        Receiver.server().stubFor(post(urlPathEqualTo(healthy)).willReturn(aResponse().withStatus(200)));
        Api.as(org).body(Map.of("url", Receiver.url(flapping), "events", List.of("connection.*"))).post("/v1/webhooks").then().statusCode(201);
        Api.as(org).body(Map.of("url", Receiver.url(healthy), "events", List.of("connection.*"))).post("/v1/webhooks").then().statusCode(201);
        List<TestEvents.Event> events = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(new TestEvents.Event(Topics.CONNECTIONS, "evt_flap_" + UUID.randomUUID().toString().replace("-", ""), "connection.updated",
                    org, "conn_f" + i, "{\"id\":\"conn_f" + i + "\"}"));
        }
        TestEvents.publishAll(events);

        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> toHealthy = Receiver.await(healthy, 40, Duration.ofSeconds(20));
        assertEquals(40, toHealthy.size());
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> toFlapping = Receiver.await(flapping, 1, Duration.ofSeconds(20));
        long firstTimeout = toFlapping.get(0).getLoggedDate().getTime() + 2000;
        long lastHealthy = toHealthy.get(39).getLoggedDate().getTime();
        // Not a speed goal: an ordering. Had the healthy deliveries shared anything with the flapping ones (a queue,
        // connections, a thread), some would have waited for one of the flapping endpoint's sends to time out.
        assertTrue(lastHealthy < firstTimeout, "the healthy endpoint had all 40 before the flapping one's first timeout ("
                + (lastHealthy - firstTimeout) + " ms after it)");
    }
}
