package dev.weft.webhook.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.weft.platform.events.Topics;
import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.testing.TestEvents;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.webhook.dispatch.Deliverable;
import dev.weft.webhook.dispatch.DeliveryIntake;
import dev.weft.webhook.fanout.FanOut;
import dev.weft.webhook.support.Api;
import dev.weft.webhook.support.Receiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.ServerSocket;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.hamcrest.Matchers.equalTo;
import org.hamcrest.Matchers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events on real Kafka topics become signed deliveries to a local receiver, retried by the schedule (1 s steps in tests). */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class DeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectMapper json;
    @Inject
    DataSource dataSource;

    private static String path() {
        return "/hooks/" + UUID.randomUUID();
    }

    private static Response register(String org, String path, List<String> events, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("url", Receiver.url(path), "events", events));
        body.putAll(extra);
        Response created = Api.as(org).body(body).post("/v1/webhooks");
        created.then().statusCode(201);
        return created;
    }

    /** A new receiver path that answers every delivery with {@code status}. */
    private static String answering(int status) {
        String path = path();
        answer(path, status);
        return path;
    }

    private static void answer(String path, int status) {
        Receiver.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(status)));
    }

    @Test
    void delivers_a_signed_event_that_a_standard_verifier_accepts() throws Exception {
        String org = Api.newOrg();
        String path = answering(204);
        String secret = register(org, path, List.of("connection.*"), Map.of()).path("secret");
        String eventId = TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_01h455vb4pex5vsknk084sn02q",
                "{\"id\":\"conn_01h455vb4pex5vsknk084sn02q\",\"provider\":\"postgres\",\"name\":\"Warehouse\",\"status\":\"pending\"}");
        TestEvents.publish(Topics.SYNCS, "sync.completed", org, "sync_1", "{\"id\":\"sync_1\"}");
        TestEvents.publish(Topics.CONNECTIONS, "connection.created", Api.newOrg(), "conn_other", "{\"id\":\"conn_other\"}");

        List<LoggedRequest> received = Receiver.await(path, 1, Duration.ofSeconds(20));
        assertEquals(1, received.size());
        LoggedRequest request = received.get(0);
        String body = request.getBodyAsString();
        assertEquals(eventId, request.getHeader("webhook-id"));
        assertTrue(new StandardWebhooks(secret).verify(request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"),
                request.getHeader("webhook-signature"), body, Instant.now()), "the Standard Webhooks signature verifies");
        assertEquals(new StandardWebhooks(secret).hexSignature(body), request.getHeader("X-Weft-Signature"));
        assertEquals(HexFormat.of().parseHex(request.getHeader("X-Weft-Signature")).length, 32);
        JsonNode payload = JSON.readTree(body);
        assertEquals(eventId, payload.path("id").asText());
        assertEquals("connection.created", payload.path("type").asText());
        assertEquals(org, payload.path("org_id").asText());
        assertEquals("postgres", payload.path("data").path("provider").asText());
        assertTrue(payload.hasNonNull("created_at"));
        // Neither the other type nor the other org's event arrives.
        Thread.sleep(1500);
        assertEquals(1, Receiver.received(path).size());
    }

    @Test
    void a_records_numbers_arrive_in_the_payload_as_published() throws Exception {
        String org = Api.newOrg();
        String path = answering(204);
        register(org, path, List.of("record.*"), Map.of());
        String data = "{\"object\":\"deals\",\"record\":{\"amount\":123456789012345678.9012,\"price\":2.50,\"ratio\":0.1,\"huge\":1E+300,\"n\":7}}";
        TestEvents.publish(Topics.RECORDS, "record.created", org, "conn_x/deals/1", data);
        String body = Receiver.await(path, 1, Duration.ofSeconds(20)).get(0).getBodyAsString();
        // Every number as the producer wrote it: no digit lost to a double, no scale dropped.
        for (String number : List.of("\"amount\":123456789012345678.9012", "\"price\":2.50", "\"ratio\":0.1", "\"huge\":1E+300", "\"n\":7")) {
            assertTrue(body.contains(number), number + " in " + body);
        }
    }

    @Test
    void a_5xx_is_retried_and_every_attempt_is_recorded() {
        String org = Api.newOrg();
        String path = path();
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("busy")).willSetStateTo("up"));
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("up").willReturn(aResponse().withStatus(200)));
        String webhook = register(org, path, List.of("connection.updated"), Map.of()).path("id");
        TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_a", "{\"id\":\"conn_a\"}");

        assertEquals(2, Receiver.await(path, 2, Duration.ofSeconds(20)).size());
        String delivery = awaitDelivery(org, webhook, "succeeded");
        Api.as(org).get("/v1/deliveries/" + delivery + "/attempts").then().statusCode(200)
                .body("data.size()", equalTo(2))
                .body("data[0].status_code", equalTo(503)).body("data[0].succeeded", equalTo(false)).body("data[0].response_excerpt", equalTo("busy"))
                .body("data[1].status_code", equalTo(200)).body("data[1].succeeded", equalTo(true));
    }

    @Test
    void a_429_waits_for_retry_after() throws Exception {
        String org = Api.newOrg();
        String path = path();
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")).willSetStateTo("ok"));
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200)));
        register(org, path, List.of("connection.updated"), Map.of());
        TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_b", "{\"id\":\"conn_b\"}");
        List<LoggedRequest> received = Receiver.await(path, 2, Duration.ofSeconds(20));
        assertEquals(2, received.size());
        long waited = received.get(1).getLoggedDate().getTime() - received.get(0).getLoggedDate().getTime();
        assertTrue(waited >= 2900, "waited for Retry-After (3 s), not the 1 s schedule: " + waited + " ms");
    }

    @Test
    void timeouts_and_refused_connections_are_retried_until_the_schedule_ends() throws Exception {
        String org = Api.newOrg();
        String slow = path();
        Receiver.server().stubFor(post(urlPathEqualTo(slow)).inScenario(slow).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withFixedDelay(4000)).willSetStateTo("fast"));
        Receiver.server().stubFor(post(urlPathEqualTo(slow)).inScenario(slow).whenScenarioStateIs("fast").willReturn(aResponse().withStatus(200)));
        String slowHook = register(org, slow, List.of("connection.deleted"), Map.of()).path("id");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String deadHook = Api.as(org).body(Map.of("url", "http://127.0.0.1:" + closedPort + "/hook", "events", List.of("connection.deleted")))
                .post("/v1/webhooks").then().statusCode(201).extract().path("id");
        TestEvents.publish(Topics.CONNECTIONS, "connection.deleted", org, "conn_c", "{\"id\":\"conn_c\"}");

        String slowDelivery = awaitDelivery(org, slowHook, "succeeded");
        Api.as(org).get("/v1/deliveries/" + slowDelivery + "/attempts").then()
                .body("data.size()", equalTo(2)).body("data[0].error", Matchers.startsWith("timeout"));
        // 1 attempt + 3 retries (1 s apart in tests), then failed.
        String deadDelivery = awaitDelivery(org, deadHook, "failed");
        Api.as(org).get("/v1/deliveries/" + deadDelivery + "/attempts").then()
                .body("data.size()", equalTo(4)).body("data[0].error", Matchers.startsWith("connection_refused"));
    }

    @Test
    void a_410_disables_the_endpoint_and_emits_endpoint_disabled() {
        String org = Api.newOrg();
        String path = answering(410);
        try (TopicProbe events = new TopicProbe(Topics.WEBHOOKS)) {
            String webhook = register(org, path, List.of("connection.created"), Map.of()).path("id");
            TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_d", "{\"id\":\"conn_d\"}");
            awaitDelivery(org, webhook, "failed");
            Api.as(org).get("/v1/webhooks/" + webhook).then().body("status", equalTo("disabled")).body("disabled_reason", equalTo("gone"));
            assertEquals(1, events.await(r -> webhook.equals(r.key()) && "endpoint.disabled".equals(TopicProbe.header(r, "ce_type")), 1,
                    Duration.ofSeconds(20)).size(), "endpoint.disabled on weft.webhooks.events");
            assertEquals(1, Receiver.received(path).size(), "no retry after 410");
        }
    }

    @Test
    void an_endpoint_failing_for_five_days_is_disabled_and_says_so() throws Exception {
        String org = Api.newOrg();
        String path = answering(500);
        try (TopicProbe events = new TopicProbe(Topics.WEBHOOKS)) {
            String webhook = register(org, path, List.of("connection.created"), Map.of()).path("id");
            // Its failures began five days and an hour ago (as if every delivery since had failed).
            try (java.sql.Connection db = dataSource.getConnection();
                 java.sql.PreparedStatement update = db.prepareStatement("UPDATE endpoints SET failing_since = now() - interval '5 days 1 hour' WHERE id = ?")) {
                update.setObject(1, dev.weft.platform.id.TypeId.parse("whk", webhook).orElseThrow());
                assertEquals(1, update.executeUpdate());
            }
            TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_z", "{\"id\":\"conn_z\"}");
            Receiver.await(path, 1, Duration.ofSeconds(20));
            Instant deadline = Instant.now().plusSeconds(20);
            while (!"disabled".equals(Api.as(org).get("/v1/webhooks/" + webhook).path("status")) && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            Api.as(org).get("/v1/webhooks/" + webhook).then().body("status", equalTo("disabled")).body("disabled_reason", equalTo("failing"));
            List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> disabled = events.await(
                    r -> webhook.equals(r.key()) && "endpoint.disabled".equals(TopicProbe.header(r, "ce_type")), 1, Duration.ofSeconds(20));
            assertEquals(1, disabled.size());
            assertTrue(new String(disabled.get(0).value()).contains("\"reason\":\"failing\""));
            assertEquals(org, TopicProbe.header(disabled.get(0), "ce_orgid"));
        }
    }

    @Test
    void every_domain_topic_exists_once_the_service_runs_so_a_first_event_is_not_held_up_by_topic_discovery() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", dev.weft.testing.WeftTestInfra.kafkaBootstrapServers()))) {
            java.util.Set<String> topics = java.util.Set.of();
            for (Instant deadline = Instant.now().plusSeconds(20); Instant.now().isBefore(deadline); Thread.sleep(200)) {
                topics = admin.listTopics().names().get();
                if (topics.containsAll(Topics.ALL)) {
                    break;
                }
            }
            // weft.records.events, say, is never published to by these tests: only the consumer's start creates it.
            assertTrue(topics.containsAll(Topics.ALL), "domain topics " + Topics.ALL + " among " + topics);
        }
    }

    @Test
    void a_duplicate_event_on_the_topic_is_delivered_once() throws Exception {
        String org = Api.newOrg();
        String path = answering(200);
        register(org, path, List.of("*"), Map.of());
        String eventId = TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_e", "{\"id\":\"conn_e\"}");
        TestEvents.publish(Topics.CONNECTIONS, eventId, "connection.created", org, "conn_e", "{\"id\":\"conn_e\"}");
        // Twice more in one go, so that both copies are likely to arrive in the same polled batch.
        String twice = "evt_twice_" + UUID.randomUUID().toString().replace("-", "");
        TestEvents.Event copy = new TestEvents.Event(Topics.CONNECTIONS, twice, "connection.updated", org, "conn_e", "{\"id\":\"conn_e\"}");
        TestEvents.publishAll(List.of(copy, copy));
        Receiver.await(path, 2, Duration.ofSeconds(20));
        Thread.sleep(2000);
        assertEquals(java.util.stream.Stream.of(eventId, twice).sorted().toList(),
                Receiver.received(path).stream().map(r -> r.getHeader("webhook-id")).sorted().toList(), "each event once");
    }

    @Test
    void a_delivery_stored_leased_by_a_replica_that_died_before_sending_goes_out_when_the_lease_ends() throws Exception {
        String org = Api.newOrg();
        String path = answering(200);
        register(org, path, List.of("connection.*"), Map.of());
        String eventId = "evt_orphan_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            // A replica that takes everything for 2 s and then dies before its dispatcher sends any of it.
            FanOut dying = new FanOut(json, dataSource, new DeliveryIntake() {
                @Override
                public boolean takesNow(UUID endpointId, int alreadyTaken) {
                    return true;
                }

                @Override
                public long leaseSeconds() {
                    return 2;
                }

                @Override
                public void take(List<Deliverable> deliveries) {
                }

                @Override
                public void wake() {
                }

                @Override
                public void awaitRoom() {
                }
            });
            FanOut.Accepted accepted = dying.accept(db, List.of(new FanOut.Event(eventId, "connection.updated", org, "conn_o", Instant.now(),
                    "{\"id\":\"conn_o\"}")));
            db.commit();
            // The leased delivery is never handed to the dispatcher: as if this replica died right after the commit.
            assertEquals(1, accepted.leased().size());
        }
        Thread.sleep(1000);
        assertEquals(List.of(), Receiver.received(path), "nothing is claimed while the lease holds");
        List<LoggedRequest> received = Receiver.await(path, 1, Duration.ofSeconds(20));
        assertEquals(eventId, received.get(0).getHeader("webhook-id"));
    }

    @Test
    void an_ordered_endpoint_holds_later_events_of_an_aggregate_behind_a_failing_one() {
        String org = Api.newOrg();
        String path = path();
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        Receiver.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200)));
        register(org, path, List.of("connection.*"), Map.of("ordered", true));
        String first = TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_f", "{\"id\":\"conn_f\",\"n\":1}");
        String second = TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_f", "{\"id\":\"conn_f\",\"n\":2}");
        String third = TestEvents.publish(Topics.CONNECTIONS, "connection.updated", org, "conn_f", "{\"id\":\"conn_f\",\"n\":3}");
        List<String> order = Receiver.await(path, 4, Duration.ofSeconds(20)).stream().map(r -> r.getHeader("webhook-id")).toList();
        assertEquals(List.of(first, first, second, third), order, "the failed first event was retried before the later ones went out");
    }

    @Test
    void during_a_rotation_both_secrets_sign() {
        String org = Api.newOrg();
        String path = answering(200);
        Response created = register(org, path, List.of("connection.created"), Map.of());
        String oldSecret = created.path("secret");
        String newSecret = Api.as(org).body("{}").post("/v1/webhooks/" + created.path("id") + "/rotate-secret")
                .then().statusCode(200).extract().path("secret");
        assertTrue(!oldSecret.equals(newSecret));
        TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_g", "{\"id\":\"conn_g\"}");
        LoggedRequest request = Receiver.await(path, 1, Duration.ofSeconds(20)).get(0);
        String signatures = request.getHeader("webhook-signature");
        assertEquals(2, signatures.split(" ").length, signatures);
        for (String secret : List.of(oldSecret, newSecret)) {
            assertTrue(new StandardWebhooks(secret).verify(request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"), signatures,
                    request.getBodyAsString(), Instant.now()), "verifies with each secret");
        }
    }

    @Test
    void test_events_replays_stats_and_pause() {
        String org = Api.newOrg();
        String path = answering(200);
        String webhook = register(org, path, List.of("connection.created"), Map.of()).path("id");
        Api.as(org).post("/v1/webhooks/" + webhook + "/test").then().statusCode(202).body("event_type", equalTo("webhook.test"));
        assertEquals("webhook.test", Receiver.await(path, 1, Duration.ofSeconds(20)).get(0).getHeader("X-Weft-Event-Type"));

        Api.as(org).post("/v1/webhooks/" + webhook + "/pause").then().statusCode(200).body("status", equalTo("paused"));
        Instant before = Instant.now().minusSeconds(1);
        TestEvents.publish(Topics.CONNECTIONS, "connection.created", org, "conn_h", "{\"id\":\"conn_h\"}");
        awaitDelivery(org, webhook, "pending");
        assertEquals(1, Receiver.received(path).size(), "a paused endpoint receives nothing");
        Api.as(org).post("/v1/webhooks/" + webhook + "/resume").then().statusCode(200).body("status", equalTo("active"));
        assertEquals(2, Receiver.await(path, 2, Duration.ofSeconds(20)).size(), "resumed: the held delivery goes out");

        Api.as(org).body(Map.of("since", before.toString())).post("/v1/webhooks/" + webhook + "/replay").then().statusCode(202)
                .body("replayed", equalTo(1));
        assertEquals(3, Receiver.await(path, 3, Duration.ofSeconds(20)).size(), "the replayed event arrived again");
        Api.as(org).get("/v1/webhooks/" + webhook + "/stats").then().statusCode(200)
                .body("window", equalTo("24h")).body("succeeded", Matchers.greaterThanOrEqualTo(2))
                .body("latency_ms.p50", Matchers.notNullValue());
    }

    /** Waits for the endpoint's newest delivery to reach a status; returns its id. */
    static String awaitDelivery(String org, String webhook, String status) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            List<String> statuses = Api.as(org).get("/v1/webhooks/" + webhook + "/deliveries").then().statusCode(200).extract().path("data.status");
            if (!statuses.isEmpty() && statuses.get(0).equals(status)) {
                return Api.as(org).get("/v1/webhooks/" + webhook + "/deliveries").path("data[0].id");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("no delivery of " + webhook + " reached " + status + ": "
                + Api.as(org).get("/v1/webhooks/" + webhook + "/deliveries").asString());
    }
}
