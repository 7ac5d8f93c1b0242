package dev.weft.messaging.channel;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** WhatsApp through the Cloud API stub: seed 001's sends, the 24-hour window, provider errors and retries, inbound webhooks. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class ChannelWhatsAppTest {
    private static final String SEED_TEXT = """
            {
            "platform": "whatsapp",
            "to": "+971500000000",
            "messageType": "text",
            "content": "Welcome to OnSync. Reply STOP to unsubscribe.",
            "metadata": {
            "source": "api",
            "campaign": "expo-follow-up"
            }
            }""";
    private static final String SEED_TEMPLATE = """
            {
            "platform": "whatsapp",
            "to": "+971500000000",
            "messageType": "template",
            "metadata": {
            "template": {
            "name": "order_follow_up",
            "language": "en",
            "components": [
            { "type": "body", "parameters": [{ "type": "text", "text": "Sara" }] }
            ]
            }
            }
            }""";

    @Inject
    DataSource dataSource;

    private static String messagesUrl(WhatsAppFixture wa) {
        return "/graph/v21.0/" + wa.phoneNumberId() + "/messages";
    }

    /** The Cloud API as documented: Bearer token, messaging_product whatsapp, a number without the plus; answers a wamid. */
    private static void acceptSends(WhatsAppFixture wa, String wamid) {
        ChannelStubs.server().stubFor(post(urlPathEqualTo(messagesUrl(wa)))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + WhatsAppFixture.ACCESS_TOKEN))
                .withHeader("Content-Type", WireMock.containing("application/json"))
                .withRequestBody(matchingJsonPath("$.messaging_product", WireMock.equalTo("whatsapp")))
                .withRequestBody(matchingJsonPath("$.to", WireMock.matching("[0-9]+")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                        "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"971500000000\",\"wa_id\":\"971500000000\"}],"
                                + "\"messages\":[{\"id\":\"" + wamid + "\"}]}")));
    }

    /** The contact {@code from} writes first, which opens the window; the messages path of the conversation it opened. */
    private static String conversationOpenedBy(WhatsAppFixture wa, String org, String from, String text) {
        wa.deliver(wa.messageWebhook(from, "wamid.in-" + from + "-" + org, text)).then().statusCode(200);
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").then().statusCode(200).extract().path("data[0].id");
        return "/v1/conversations/" + conversation + "/messages";
    }

    @Test
    void seed_001s_text_and_template_sends_work_as_written_inside_the_window() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        acceptSends(wa, "wamid.SEED1");
        // The contact writes first: the 24-hour window opens.
        wa.deliver(wa.messageWebhook("971500000000", "wamid.IN-" + org, "Hi, can you confirm my order?")).then().statusCode(200)
                .body("stored", equalTo(1));

        Response text = as(org).body(SEED_TEXT).post("/v1/messaging/send");
        text.then().statusCode(201)
                .body("id", startsWith("msg_"))
                .body("status", equalTo("sent"))
                .body("platform", equalTo("whatsapp"))
                .body("platform_message_id", equalTo("wamid.SEED1"))
                .body("message.metadata.campaign", equalTo("expo-follow-up"))
                .body("template_window_status.status", equalTo("open"))
                .body("template_window_status.expires_at", notNullValue());
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa)))
                .withRequestBody(equalToJson("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"971500000000\","
                        + "\"type\":\"text\",\"text\":{\"preview_url\":false,\"body\":\"Welcome to OnSync. Reply STOP to unsubscribe.\"}}")));

        acceptSends(wa, "wamid.SEED2");
        as(org).body(SEED_TEMPLATE).post("/v1/messaging/send").then().statusCode(201).body("status", equalTo("sent"))
                .body("message.type", equalTo("template")).body("platform_message_id", equalTo("wamid.SEED2"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa)))
                .withRequestBody(equalToJson("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"971500000000\","
                        + "\"type\":\"template\",\"template\":{\"name\":\"order_follow_up\",\"language\":{\"code\":\"en\"},"
                        + "\"components\":[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Sara\"}]}]}}")));

        // One conversation holds the inbound message and both sends.
        String conversation = text.path("conversation_id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(3))
                .body("data[2].direction", equalTo("inbound")).body("data[2].platform_message_id", equalTo("wamid.IN-" + org));
    }

    @Test
    void outside_the_window_free_form_is_refused_with_the_window_status_and_templates_still_go() throws SQLException {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        acceptSends(wa, "wamid.WINDOW");
        // Never written: closed.
        as(org).body(SEED_TEXT).post("/v1/messaging/send").then().statusCode(422)
                .body("error.code", equalTo("WINDOW_CLOSED"))
                .body("error.details.template_window_status.status", equalTo("closed"))
                .body("error.details.contact_id", nullValue());
        // A refused send stores nothing, not even the new recipient's contact.
        as(org).get("/v1/contacts").then().statusCode(200).body("data", hasSize(0));
        ChannelStubs.server().verify(0, postRequestedFor(urlPathEqualTo(messagesUrl(wa))));
        // Templates are always allowed.
        as(org).body(SEED_TEMPLATE).post("/v1/messaging/send").then().statusCode(201).body("status", equalTo("sent"))
                .body("template_window_status.status", equalTo("closed"));

        // Wrote 25 hours ago: closed since an hour ago.
        wa.deliver(wa.messageWebhook("971500000000", "wamid.OLD-" + org, "hello")).then().statusCode(200);
        setLastInbound(org, "25 hours");
        Response refused = as(org).body(SEED_TEXT).post("/v1/messaging/send");
        refused.then().statusCode(422).body("error.details.template_window_status.status", equalTo("closed"))
                .body("error.details.template_window_status.closed_since", notNullValue())
                .body("error.details.template_window_status.window_hours", equalTo(24))
                .body("error.details.contact_id", startsWith("contact_"));
        // Wrote 23 hours ago: open.
        setLastInbound(org, "23 hours");
        acceptSends(wa, "wamid.WINDOW2");
        as(org).body(SEED_TEXT).post("/v1/messaging/send").then().statusCode(201).body("status", equalTo("sent"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa))).withRequestBody(matchingJsonPath("$.type", WireMock.equalTo("text"))));
    }

    @Test
    void a_provider_refusal_is_a_502_with_its_code_and_the_message_is_stored_as_failed() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        ChannelStubs.server().stubFor(post(urlPathEqualTo(messagesUrl(wa))).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"(#131026) Message undeliverable\",\"type\":\"OAuthException\",\"code\":131026,\"fbtrace_id\":\"Az8or\"}}")));
        as(org).body(SEED_TEMPLATE).post("/v1/messaging/send").then().statusCode(502)
                .body("error.code", equalTo("UPSTREAM_ERROR"))
                .body("error.details.provider_code", equalTo("131026"))
                .body("error.details.status", equalTo("failed"))
                .body("error.details.message_id", startsWith("msg_"));
    }

    @Test
    void a_provider_500_then_200_delivers_once_through_the_retry_worker() throws InterruptedException {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String scenario = "outage-" + org;
        ChannelStubs.server().stubFor(post(urlPathEqualTo(messagesUrl(wa))).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Service temporarily unavailable\",\"code\":2}}"))
                .willSetStateTo("up"));
        ChannelStubs.server().stubFor(post(urlPathEqualTo(messagesUrl(wa))).inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"messaging_product\":\"whatsapp\",\"messages\":[{\"id\":\"wamid.AFTER-OUTAGE\"}]}")));
        Response accepted = as(org).body(SEED_TEMPLATE).post("/v1/messaging/send");
        accepted.then().statusCode(202).body("status", equalTo("queued")).body("message.error.code", equalTo("2"));
        String conversation = accepted.path("conversation_id");
        String id = accepted.path("id");

        String status = null;
        for (int i = 0; i < 300 && !"sent".equals(status); i++) {
            Thread.sleep(100);
            status = as(org).get("/v1/conversations/" + conversation + "/messages").path("data.find { it.id == '" + id + "' }.status");
        }
        if (!"sent".equals(status)) {
            fail("the queued message was not retried: " + status);
        }
        as(org).get("/v1/conversations/" + conversation + "/messages").then().body("data", hasSize(1))
                .body("data[0].platform_message_id", equalTo("wamid.AFTER-OUTAGE")).body("data[0].error", nullValue());
        ChannelStubs.server().verify(2, postRequestedFor(urlPathEqualTo(messagesUrl(wa))));
    }

    @Test
    void inbound_webhooks_are_verified_stored_once_and_receipts_move_status() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        // Meta's subscription check.
        RestAssured.given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", WhatsAppFixture.VERIFY_TOKEN)
                .queryParam("hub.challenge", "1158201444").get(wa.inboundPath()).then().statusCode(200).body(equalTo("1158201444"));
        RestAssured.given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "wrong")
                .queryParam("hub.challenge", "1158201444").get(wa.inboundPath()).then().statusCode(403);

        String body = wa.messageWebhook("971500000001", "wamid.THRICE-" + org, "Is my order shipped?");
        // Bad signatures: 401, nothing stored.
        RestAssured.given().header("X-Hub-Signature-256", ChannelStubs.metaSignature("another-secret", body)).contentType("application/json")
                .body(body).post(wa.inboundPath()).then().statusCode(401).body("error.code", equalTo("INVALID_SIGNATURE"));
        RestAssured.given().contentType("application/json").body(body).post(wa.inboundPath()).then().statusCode(401);
        RestAssured.given().header("X-Hub-Signature-256", ChannelStubs.metaSignature(WhatsAppFixture.APP_SECRET, body + " "))
                .contentType("application/json").body(body).post(wa.inboundPath()).then().statusCode(401);
        as(org).get("/v1/conversations?channel=whatsapp").then().statusCode(200).body("data", hasSize(0));

        // Delivered three times: one message.
        wa.deliver(body).then().statusCode(200).body("stored", equalTo(1));
        wa.deliver(body).then().statusCode(200).body("stored", equalTo(0)).body("duplicates", equalTo(1));
        wa.deliver(body).then().statusCode(200).body("duplicates", equalTo(1));
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").then().statusCode(200).body("data", hasSize(1))
                .extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().body("data", hasSize(1))
                .body("data[0].content", equalTo("Is my order shipped?")).body("data[0].direction", equalTo("inbound"));
        String contact = as(org).get("/v1/conversations/" + conversation).path("contact_id");
        as(org).get("/v1/contacts/" + contact).then().statusCode(200).body("phone", equalTo("+971500000001"))
                .body("first_name", equalTo("Sara Hussein"));

        // A reply, then the provider's receipts (delivered twice, read): applied once each, in order.
        acceptSends(wa, "wamid.REPLY-" + org);
        String sent = as(org).body(Map.of("platform", "whatsapp", "to", "+971500000001", "content", "It shipped today."))
                .post("/v1/messaging/send").then().statusCode(201).extract().path("id");
        wa.deliver(wa.statusWebhook("wamid.REPLY-" + org, "delivered", "971500000001")).then().statusCode(200).body("statuses", equalTo(1));
        wa.deliver(wa.statusWebhook("wamid.REPLY-" + org, "delivered", "971500000001")).then().statusCode(200).body("statuses", equalTo(0));
        wa.deliver(wa.statusWebhook("wamid.REPLY-" + org, "read", "971500000001")).then().statusCode(200).body("statuses", equalTo(1));
        as(org).get("/v1/conversations/" + conversation + "/messages").then()
                .body("data.find { it.id == '" + sent + "' }.status", equalTo("read"));

        // Another org's account, an unknown account or channel: 404, whatever the signature.
        String other = Api.newOrg();
        RestAssured.given().header("X-Hub-Signature-256", ChannelStubs.metaSignature(WhatsAppFixture.APP_SECRET, body)).contentType("application/json")
                .body(body).post("/v1/channels/whatsapp/inbound/" + other + "." + wa.connectionId()).then().statusCode(404);
        RestAssured.given().contentType("application/json").body(body).post("/v1/channels/whatsapp/inbound/nonsense").then().statusCode(404);
        RestAssured.given().contentType("application/json").body(body).post("/v1/channels/sms/inbound/" + wa.account()).then().statusCode(404);
        // A signed body that is not JSON: 400, never a 500.
        wa.deliver("not json").then().statusCode(400);
    }

    @Test
    void bad_send_bodies_are_400s_and_another_orgs_connection_is_not_used() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        as(org).body("{\"platform\":\"sms\",\"to\":\"+971500000000\",\"content\":\"x\"}").post("/v1/messaging/send").then().statusCode(400)
                .body("error.details.field", equalTo("platform"));
        as(org).body("{\"platform\":\"whatsapp\",\"content\":\"x\"}").post("/v1/messaging/send").then().statusCode(400)
                .body("error.details.field", equalTo("to"));
        as(org).body("{\"platform\":\"whatsapp\",\"to\":\"+971500000000\",\"messageType\":\"fax\"}").post("/v1/messaging/send").then().statusCode(400);
        as(org).body("{\"platform\":\"whatsapp\",\"to\":\"+971500000000\",\"messageType\":\"template\",\"metadata\":{}}").post("/v1/messaging/send")
                .then().statusCode(400);
        as(org).body("{\"platform\":\"whatsapp\",\"to\":\"not a phone\",\"content\":\"x\"}").post("/v1/messaging/send").then().statusCode(400);
        as(org).body("[1,2]").post("/v1/messaging/send").then().statusCode(400);
        as(org).body("{\"platform\":").post("/v1/messaging/send").then().statusCode(400);
        // The connection is another org's: this org has none, so nothing is stored or sent.
        String other = Api.newOrg();
        as(other).body(SEED_TEMPLATE).post("/v1/messaging/send").then().statusCode(400).body("error.details.field", equalTo("platform"));
        as(other).body(SEED_TEMPLATE.replace("\"template\": {", "\"connection_id\": \"" + wa.connectionId() + "\", \"template\": {"))
                .post("/v1/messaging/send").then().statusCode(400).body("error.details.field", equalTo("metadata.connection_id"));
        as(other).get("/v1/contacts").then().statusCode(200).body("data", hasSize(0));
    }

    @Test
    void replies_send_locations_and_interactive_choices_and_a_choice_comes_back_with_its_id() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        wa.deliver(wa.messageWebhook("971500000123", "wamid.in-rich-" + org, "Where are you?")).then().statusCode(200);
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").then().statusCode(200).extract().path("data[0].id");
        acceptSends(wa, "wamid.out-rich-" + org);
        Map<String, Object> place = Map.of("latitude", 25.2048, "longitude", 55.2708, "name", "Head office", "address", "1 Sheikh Zayed Rd");
        as(org).body(Map.of("type", "location", "metadata", Map.of("payload", place))).post("/v1/conversations/" + conversation + "/messages")
                .then().statusCode(201).body("status", equalTo("sent"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa))).withRequestBody(equalToJson(
                "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"971500000123\",\"type\":\"location\","
                        + "\"location\":{\"latitude\":25.2048,\"longitude\":55.2708,\"name\":\"Head office\",\"address\":\"1 Sheikh Zayed Rd\"}}")));
        Map<String, Object> buttons = Map.of("type", "button", "body", Map.of("text", "Deliver tomorrow?"), "action", Map.of("buttons", List.of(
                Map.of("type", "reply", "reply", Map.of("id", "yes", "title", "Yes")), Map.of("type", "reply", "reply", Map.of("id", "no", "title", "No")))));
        as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", buttons))).post("/v1/conversations/" + conversation + "/messages")
                .then().statusCode(201).body("status", equalTo("sent"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa)))
                .withRequestBody(matchingJsonPath("$.type", WireMock.equalTo("interactive")))
                .withRequestBody(matchingJsonPath("$.interactive.action.buttons[1].reply.id", WireMock.equalTo("no"))));
        // Malformed payloads are 400s before anything is stored or sent.
        as(org).body(Map.of("type", "location", "metadata", Map.of("payload", Map.of("latitude", 95, "longitude", 0))))
                .post("/v1/conversations/" + conversation + "/messages").then().statusCode(400).body("error.details.field", equalTo("metadata.payload"));
        as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", Map.of("type", "button", "body", Map.of("text", "?")))))
                .post("/v1/conversations/" + conversation + "/messages").then().statusCode(400).body("error.details.field", equalTo("metadata.payload"));
        // The contact's choice comes back as an interactive message: the title as content, the id in the payload.
        String choice = """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
                "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},
                "contacts":[{"profile":{"name":"Sara Hussein"},"wa_id":"971500000123"}],
                "messages":[{"from":"971500000123","id":"wamid.choice-%s","timestamp":"1733050790","type":"interactive",
                "interactive":{"type":"button_reply","button_reply":{"id":"yes","title":"Yes"}}}]}}]}]}""".formatted(wa.phoneNumberId(), org);
        wa.deliver(choice).then().statusCode(200).body("stored", equalTo(1));
        as(org).get("/v1/conversations/" + conversation + "/messages?limit=1").then().statusCode(200)
                .body("data[0].type", equalTo("interactive")).body("data[0].content", equalTo("Yes"))
                .body("data[0].metadata.payload.button_reply.id", equalTo("yes"));
        assertEquals(2, ChannelStubs.server().findAll(postRequestedFor(urlPathEqualTo(messagesUrl(wa)))).size(), "the refused replies sent nothing");
    }

    @Test
    void a_link_button_goes_as_cta_url_and_replies_beyond_the_cloud_apis_limits_are_400s_with_nothing_stored() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String messages = conversationOpenedBy(wa, org, "971500000124", "Which dates?");
        acceptSends(wa, "wamid.out-cta-" + org);
        Map<String, Object> link = Map.of("type", "cta_url", "body", Map.of("text", "Tap below to see available dates."),
                "action", Map.of("name", "cta_url", "parameters", Map.of("display_text", "See Dates", "url", "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4")));
        as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", link))).post(messages).then().statusCode(201).body("status", equalTo("sent"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa))).withRequestBody(equalToJson("""
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"971500000124","type":"interactive","interactive":{
                "type":"cta_url","body":{"text":"Tap below to see available dates."},"action":{"name":"cta_url","parameters":{
                "display_text":"See Dates","url":"https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4"}}}}""")));

        List<Map<String, Object>> four = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(Map.of("type", "reply", "reply", Map.of("id", "b" + i, "title", "Option " + i)));
        }
        Map<String, Object> tooMany = Map.of("type", "button", "body", Map.of("text", "Pick"), "action", Map.of("buttons", four));
        Map<String, Object> longTitle = Map.of("type", "button", "body", Map.of("text", "Pick"), "action", Map.of("buttons",
                List.of(Map.of("type", "reply", "reply", Map.of("id", "a", "title", "A title of 21 chars!!")))));
        Map<String, Object> sameIds = Map.of("type", "button", "body", Map.of("text", "Pick"), "action", Map.of("buttons", List.of(
                Map.of("type", "reply", "reply", Map.of("id", "a", "title", "One")), Map.of("type", "reply", "reply", Map.of("id", "a", "title", "Two")))));
        Map<String, Object> unlabelledList = Map.of("type", "list", "body", Map.of("text", "Pick"),
                "action", Map.of("sections", List.of(Map.of("title", "Slots", "rows", List.of(Map.of("id", "am", "title", "Morning"))))));
        Map<String, Object> notAPage = Map.of("type", "cta_url", "body", Map.of("text", "Open"),
                "action", Map.of("name", "cta_url", "parameters", Map.of("display_text", "Open", "url", "javascript:alert(1)")));
        Map<Map<String, Object>, String> refused = new java.util.LinkedHashMap<>();
        refused.put(tooMany, "at most 3 reply buttons");
        refused.put(longTitle, "at most 20 characters in a button's title");
        refused.put(sameIds, "an id of its own");
        refused.put(unlabelledList, "action.button");
        refused.put(notAPage, "http(s) url");
        refused.forEach((payload, says) -> as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", payload))).post(messages)
                .then().statusCode(400).body("error.details.field", equalTo("metadata.payload")).body("error.message", containsString(says)));
        as(org).get(messages).then().statusCode(200).body("data", hasSize(2));
        assertEquals(1, ChannelStubs.server().findAll(postRequestedFor(urlPathEqualTo(messagesUrl(wa)))).size(), "the refused replies sent nothing");
    }

    @Test
    void whatsapps_own_interactive_kinds_go_as_given_and_a_flows_answer_comes_back() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String messages = conversationOpenedBy(wa, org, "971500000126", "I want to book");
        // Meta's Flow example, a product list, one product (its body is optional) and a location request: sent as given.
        String flow = """
                {"type":"flow","header":{"type":"text","text":"Flow message header"},"body":{"text":"Flow message body"},
                 "footer":{"text":"Flow message footer"},"action":{"name":"flow","parameters":{"flow_message_version":"3",
                 "flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s.","flow_id":"1","flow_cta":"Book!","flow_action":"navigate",
                 "flow_action_payload":{"screen":"APPOINTMENT","data":{"product_name":"name","product_price":100}}}}}""";
        String productList = """
                {"type":"product_list","header":{"type":"text","text":"Our bestsellers"},"body":{"text":"Pick what you like"},
                 "action":{"catalog_id":"367025965434465","sections":[
                   {"title":"Plants","product_items":[{"product_retailer_id":"SKU-1"},{"product_retailer_id":"SKU-2"}]},
                   {"title":"Pots","product_items":[{"product_retailer_id":"SKU-9"}]}]}}""";
        String product = """
                {"type":"product","action":{"catalog_id":"367025965434465","product_retailer_id":"SKU-1"}}""";
        String location = """
                {"type":"location_request_message","body":{"text":"Where should we deliver?"},"action":{"name":"send_location"}}""";
        for (String payload : List.of(flow, productList, product, location)) {
            acceptSends(wa, "wamid.out-" + payload.hashCode() + "-" + org);
            as(org).body("{\"type\":\"interactive\",\"metadata\":{\"payload\":" + payload + "}}").post(messages)
                    .then().statusCode(201).body("status", equalTo("sent"));
            ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(messagesUrl(wa))).withRequestBody(equalToJson(
                    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"971500000126\",\"type\":\"interactive\","
                            + "\"interactive\":" + payload + "}")));
        }
        // What the Cloud API would refuse is a 400 here, nothing stored or sent.
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(flow.replace("\"Book!\"", "\"Book an appointment now\""), "at most 20 characters in action.parameters.flow_cta");
        refused.put(flow.replace("\"flow_message_version\":\"3\"", "\"flow_message_version\":\"2\""), "flow_message_version");
        refused.put(flow.replace("\"flow_message_version\":\"3\"", "\"flow_message_version\":3"), "flow_message_version \"3\"");
        refused.put(flow.replace("\"flow_id\":\"1\",", ""), "one of action.parameters.flow_id and flow_name");
        refused.put(productList.replace("\"header\":{\"type\":\"text\",\"text\":\"Our bestsellers\"},", ""), "header");
        StringBuilder thirtyOne = new StringBuilder();
        for (int i = 0; i < 31; i++) {
            thirtyOne.append(i == 0 ? "" : ",").append("{\"product_retailer_id\":\"SKU-").append(i).append("\"}");
        }
        refused.put("{\"type\":\"product_list\",\"header\":{\"type\":\"text\",\"text\":\"All\"},\"body\":{\"text\":\"Pick\"},"
                + "\"action\":{\"catalog_id\":\"1\",\"sections\":[{\"title\":\"All\",\"product_items\":[" + thirtyOne + "]}]}}", "at most 30 products");
        refused.put(product.replace("\"product_retailer_id\":\"SKU-1\"", "\"product_retailer_id\":\"\""), "product_retailer_id");
        refused.put(location.replace("send_location", "share"), "send_location");
        refused.forEach((payload, says) -> as(org).body("{\"type\":\"interactive\",\"metadata\":{\"payload\":" + payload + "}}").post(messages)
                .then().statusCode(400).body("error.details.field", equalTo("metadata.payload")).body("error.message", containsString(says)));
        assertEquals(4, ChannelStubs.server().findAll(postRequestedFor(urlPathEqualTo(messagesUrl(wa)))).size(), "the refused replies sent nothing");
        as(org).get(messages).then().statusCode(200).body("data", hasSize(5));
        // The contact's answer to the Flow: what their phone showed as content, the answer's JSON in the payload.
        String answer = """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
                "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},
                "contacts":[{"profile":{"name":"Layla Haddad"},"wa_id":"971500000126"}],
                "messages":[{"from":"971500000126","id":"wamid.flow-answer-%s","timestamp":"1733050790","type":"interactive",
                "interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent",
                "response_json":"{\\"flow_token\\":\\"AQAAAAACS5FpgQ_cAAAAAD0QI3s.\\",\\"date\\":\\"2026-12-09\\"}"}}}]}}]}]}""".formatted(wa.phoneNumberId(), org);
        wa.deliver(answer).then().statusCode(200).body("stored", equalTo(1));
        as(org).get(messages + "?limit=1").then().statusCode(200)
                .body("data[0].type", equalTo("interactive")).body("data[0].content", equalTo("Sent"))
                .body("data[0].metadata.payload.nfm_reply.response_json", containsString("2026-12-09"));
    }

    @Test
    void an_image_with_a_caption_a_place_and_a_reaction_arrive_with_their_content() {
        String org = Api.newOrg();
        WhatsAppFixture wa = WhatsAppFixture.create(org);
        String messages = """
                [{"from":"971500000125","id":"wamid.img-%1$s","timestamp":"1733050790","type":"image",
                  "image":{"caption":"Broken on arrival","mime_type":"image/jpeg","sha256":"abc","id":"1479537139650973"}},
                 {"from":"971500000125","id":"wamid.loc-%1$s","timestamp":"1733050791","type":"location",
                  "location":{"latitude":25.2048,"longitude":55.2708,"name":"Dubai Mall","address":"Financial Center Rd"}},
                 {"from":"971500000125","id":"wamid.react-%1$s","timestamp":"1733050792","type":"reaction",
                  "reaction":{"message_id":"wamid.img-%1$s","emoji":"\uD83D\uDE00"}}]""".formatted(org);
        String body = """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
                "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},
                "contacts":[{"profile":{"name":"Omar"},"wa_id":"971500000125"}],"messages":%s}}]}]}""".formatted(wa.phoneNumberId(), messages);
        wa.deliver(body).then().statusCode(200).body("stored", equalTo(3));
        String conversation = as(org).get("/v1/conversations?channel=whatsapp").then().statusCode(200).extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(3))
                .body("data.type", equalTo(List.of("text", "location", "image")))
                .body("data[2].content", equalTo("1479537139650973")).body("data[2].metadata.caption", equalTo("Broken on arrival"))
                .body("data[1].content", equalTo("Dubai Mall")).body("data[1].metadata.payload.address", equalTo("Financial Center Rd"))
                .body("data[0].content", nullValue()).body("data[0].metadata.payload.emoji", equalTo("\uD83D\uDE00"));
    }

    private void setLastInbound(String org, String ago) throws SQLException {
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement(
                     "UPDATE messaging.contacts SET last_inbound_at = now() - cast(? as interval) WHERE org_id = ?")) {
            update.setString(1, ago);
            update.setString(2, org);
            assertEquals(1, update.executeUpdate());
        }
    }

    static List<String> unused() {
        return List.of();
    }
}
