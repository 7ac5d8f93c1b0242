package dev.weft.messaging.channel;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every way a provider message id can arrive again answers 200 and stores nothing twice: redeliveries racing each
 * other, a redelivery after its conversation was closed, and a send the provider answers with an id already stored.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class InboundIdempotencyTest {

    @Test
    void concurrent_deliveries_of_one_webhook_store_one_contact_conversation_and_message() throws Exception {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String body = wa.messageWebhook("971500000077", "wamid.RACE-" + org, "anyone there?");
        int stored = 0;
        for (Response response : deliverTogether(wa, java.util.Collections.nCopies(8, body))) {
            assertEquals(200, response.statusCode(), response.asString());
            stored += response.<Integer>path("stored");
        }
        assertEquals(1, stored);
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").then().statusCode(200).body("data", hasSize(1))
                .extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().body("data", hasSize(1));
        as(org).get("/v1/contacts").then().body("data", hasSize(1));
    }

    /**
     * Deliveries of one org arriving together commit in shared transactions (GroupCommit): forty senders at once, each
     * message delivered twice, some twice in the same group. Each is stored once, with one contact, one conversation and
     * one message.created, and every delivery is answered 200.
     */
    @Test
    void many_senders_at_once_each_delivered_twice_store_each_message_once() throws Exception {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        int senders = 40;
        try (Events events = new Events(org)) {
            List<String> bodies = new ArrayList<>();
            for (int copy = 0; copy < 2; copy++) {
                for (int i = 0; i < senders; i++) {
                    bodies.add(wa.messageWebhook("97150001" + String.format("%04d", i), "wamid.MANY-" + i + "-" + org, "hello " + i));
                }
            }
            int stored = 0;
            int duplicates = 0;
            for (Response response : deliverTogether(wa, bodies)) {
                assertEquals(200, response.statusCode(), response.asString());
                stored += response.<Integer>path("stored");
                duplicates += response.<Integer>path("duplicates");
            }
            assertEquals(senders, stored);
            assertEquals(senders, duplicates);
            events.exactly("message.created", null, senders);
        }
        as(org).get("/v1/contacts?limit=100").then().statusCode(200).body("data", hasSize(senders));
        as(org).get("/v1/conversations?channel=whatsapp&limit=100").then().statusCode(200).body("data", hasSize(senders))
                .body("data.findAll { it.status == 'open' }", hasSize(senders));
    }

    /**
     * A delivery whose sender is not a phone number is refused (400, naming the field) and stores nothing, while the
     * deliveries arriving with it, in the same groups, are each stored once.
     */
    @Test
    void a_delivery_from_a_sender_that_is_no_phone_number_is_refused_alone() throws Exception {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        int senders = 20;
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            bodies.add(wa.messageWebhook("97150002" + String.format("%04d", i), "wamid.MIXED-" + i + "-" + org, "hello " + i));
            bodies.add(wa.messageWebhook("not-a-phone-" + i, "wamid.BAD-" + i + "-" + org, "hello " + i));
        }
        List<Response> answers = deliverTogether(wa, bodies);
        int stored = 0;
        for (int i = 0; i < answers.size(); i += 2) {
            Response good = answers.get(i);
            assertEquals(200, good.statusCode(), good.asString());
            stored += good.<Integer>path("stored");
            Response refused = answers.get(i + 1);
            assertEquals(400, refused.statusCode(), refused.asString());
            assertEquals("INVALID_REQUEST", refused.path("error.code"));
        }
        assertEquals(senders, stored);
        as(org).get("/v1/contacts?limit=100").then().statusCode(200).body("data", hasSize(senders));
        as(org).get("/v1/conversations?channel=whatsapp&limit=100").then().statusCode(200).body("data", hasSize(senders));
    }

    @Test
    void a_redelivery_after_the_conversation_closed_opens_nothing_new() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String body = wa.messageWebhook("971500000078", "wamid.LATE-" + org, "thanks");
        wa.deliver(body).then().statusCode(200).body("stored", equalTo(1));
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").path("data[0].id");
        as(org).body(Map.of("status", "closed")).patch("/v1/conversations/" + conversation).then().statusCode(200);

        wa.deliver(body).then().statusCode(200).body("stored", equalTo(0)).body("duplicates", equalTo(1));
        as(org).get("/v1/conversations?channel=whatsapp").then().body("data", hasSize(1)).body("data[0].status", equalTo("closed"));
    }

    @Test
    void a_send_answered_with_an_id_already_stored_is_sent_without_taking_it() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String wamid = "wamid.SAME-" + org;
        wa.deliver(wa.messageWebhook("971500000079", wamid, "hello")).then().statusCode(200).body("stored", equalTo(1));
        ChannelStubs.server().stubFor(post(urlPathEqualTo("/graph/v21.0/" + wa.phoneNumberId() + "/messages"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + WhatsAppFixture.ACCESS_TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"messaging_product\":\"whatsapp\",\"messages\":[{\"id\":\"" + wamid + "\"}]}")));

        as(org).body(Map.of("platform", "whatsapp", "to", "+971500000079", "content", "hi")).post("/v1/messaging/send").then()
                .statusCode(201).body("status", equalTo("sent")).body("platform_message_id", nullValue());
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().body("data", hasSize(2))
                .body("data.findAll { it.platform_message_id == '" + wamid + "' }", hasSize(1))
                .body("data.find { it.platform_message_id == '" + wamid + "' }.direction", equalTo("inbound"));
    }

    /** Delivers every body at once (each on its own thread, all released together); the answers in the bodies' order. */
    private static List<Response> deliverTogether(WhatsAppFixture wa, List<String> bodies) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            for (String body : bodies) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return wa.deliver(body);
                }));
            }
            start.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> answer : answers) {
                responses.add(answer.get());
            }
            return responses;
        }
    }
}
