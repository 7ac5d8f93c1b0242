package dev.weft.messaging.channel;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
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
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Facebook and Instagram through the Messenger Send API stub: the 24-hour window, HUMAN_AGENT up to 7 days, inbound. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class ChannelMessengerTest {
    private static final String APP_SECRET = "fb-app-secret";

    @Inject
    DataSource dataSource;

    @Test
    void instagram_answers_inside_24_hours_and_with_human_agent_up_to_7_days() throws SQLException {
        String org = Api.newOrg();
        String pageId = String.valueOf(200000000000L + (long) (Math.random() * 1e10));
        String connection = ChannelStubs.connection(org, "instagram", Map.of("page_id", pageId),
                Map.of("access_token", "EAAG-page-token", "app_secret", APP_SECRET, "verify_token", "ig-verify"));
        String path = "/v1/channels/instagram/inbound/" + org + "." + connection;
        String psid = "1254459154682919";
        String webhook = """
                {"object":"instagram","entry":[{"id":"%s","time":1733050750000,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},
                "timestamp":1733050750000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx-%s","text":"Do you ship to Dubai?"}}]}]}"""
                .formatted(pageId, psid, pageId, org);
        RestAssured.given().header("X-Hub-Signature-256", ChannelStubs.metaSignature("wrong", webhook)).contentType("application/json")
                .body(webhook).post(path).then().statusCode(401);
        deliver(path, webhook).then().statusCode(200).body("stored", equalTo(1));

        String sendPath = "/graph/v21.0/" + pageId + "/messages";
        ChannelStubs.server().stubFor(post(urlPathEqualTo(sendPath)).withHeader("Authorization", WireMock.equalTo("Bearer EAAG-page-token"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_ig-1-" + org + "\"}")));
        as(org).body(Map.of("platform", "instagram", "to", psid, "content", "Yes, in 2 days.")).post("/v1/messaging/send").then()
                .statusCode(201).body("platform_message_id", equalTo("m_ig-1-" + org));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(sendPath)).withRequestBody(equalToJson(
                "{\"recipient\":{\"id\":\"" + psid + "\"},\"messaging_type\":\"RESPONSE\",\"message\":{\"text\":\"Yes, in 2 days.\"}}")));

        // Three days later: only a human agent's tagged answer.
        setLastInbound(org, "3 days");
        as(org).body(Map.of("platform", "instagram", "to", psid, "content", "Following up")).post("/v1/messaging/send").then()
                .statusCode(422).body("error.code", equalTo("WINDOW_CLOSED")).body("error.details.template_window_status.status", equalTo("closed"));
        ChannelStubs.server().stubFor(post(urlPathEqualTo(sendPath)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_ig-2-" + org + "\"}")));
        as(org).body(Map.of("platform", "instagram", "to", psid, "content", "An agent here", "metadata", Map.of("tag", "HUMAN_AGENT")))
                .post("/v1/messaging/send").then().statusCode(201).body("template_window_status.window_hours", equalTo(168));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(sendPath)).withRequestBody(equalToJson(
                "{\"recipient\":{\"id\":\"" + psid + "\"},\"messaging_type\":\"MESSAGE_TAG\",\"tag\":\"HUMAN_AGENT\",\"message\":{\"text\":\"An agent here\"}}")));
        // Eight days: closed even for a human agent; templates are not Messenger's.
        setLastInbound(org, "8 days");
        as(org).body(Map.of("platform", "instagram", "to", psid, "content", "Late", "metadata", Map.of("tag", "HUMAN_AGENT")))
                .post("/v1/messaging/send").then().statusCode(422);
        as(org).body(Map.of("platform", "instagram", "to", psid, "messageType", "template", "metadata", Map.of("template", Map.of("name", "x"))))
                .post("/v1/messaging/send").then().statusCode(400);
        as(org).body(Map.of("platform", "whatsapp", "to", "+971500000000", "content", "x", "metadata", Map.of("tag", "HUMAN_AGENT")))
                .post("/v1/messaging/send").then().statusCode(400);
    }

    @Test
    void facebook_delivery_receipts_move_the_status_once() {
        String psid = "6024791230950421";
        FacebookPage page = FacebookPage.withMessageFrom(psid);
        String org = page.org();
        String pageId = page.id();
        String path = page.path();
        ChannelStubs.server().stubFor(post(urlPathEqualTo("/graph/v21.0/" + pageId + "/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_out-" + org + "\"}")));
        String sent = as(org).body(Map.of("platform", "facebook", "to", psid, "content", "hi!")).post("/v1/messaging/send").then()
                .statusCode(201).extract().path("id");
        String delivery = """
                {"object":"page","entry":[{"id":"%s","time":2,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":2,
                "delivery":{"mids":["m_out-%s"],"watermark":2}}]}]}""".formatted(pageId, psid, pageId, org);
        for (int i = 0; i < 3; i++) {
            deliver(path, delivery).then().statusCode(200).body("statuses", equalTo(i == 0 ? 1 : 0));
        }
        String conversation = as(org).get("/v1/conversations?channel=facebook").path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().body("data.find { it.id == '" + sent + "' }.status", equalTo("delivered"));
    }

    @Test
    void messenger_watermark_receipts_deliver_and_read_everything_sent_before_them_once() {
        String psid = "6024791230950777";
        FacebookPage page = FacebookPage.withMessageFrom(psid);
        String org = page.org();
        String pageId = page.id();
        String path = page.path();
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            ChannelStubs.server().stubFor(post(urlPathEqualTo("/graph/v21.0/" + pageId + "/messages")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_wm" + i + "-" + org + "\"}")));
            sent.add(as(org).body(Map.of("platform", "facebook", "to", psid, "content", "reply " + i)).post("/v1/messaging/send").then()
                    .statusCode(201).extract().path("id"));
        }
        String conversation = as(org).get("/v1/conversations?channel=facebook").path("data[0].id");
        long now = System.currentTimeMillis() + 1000;
        // Before both sends: nothing moves.
        String early = receipt(pageId, psid, "delivery", 1000);
        deliver(path, early).then().statusCode(200).body("statuses", equalTo(0));
        // Delivered by watermark, without mids: both; again: none.
        String delivery = receipt(pageId, psid, "delivery", now);
        for (int i = 0; i < 2; i++) {
            deliver(path, delivery).then().statusCode(200).body("statuses", equalTo(i == 0 ? 2 : 0));
        }
        as(org).get("/v1/conversations/" + conversation + "/messages").then()
                .body("data.findAll { it.direction == 'outbound' }.status", everyItem(equalTo("delivered")));
        // Read (Messenger's read carries only a watermark): both, once; the inbound message is untouched.
        String read = receipt(pageId, psid, "read", now);
        for (int i = 0; i < 2; i++) {
            deliver(path, read).then().statusCode(200).body("statuses", equalTo(i == 0 ? 2 : 0));
        }
        as(org).get("/v1/conversations/" + conversation + "/messages").then()
                .body("data.find { it.id == '" + sent.get(0) + "' }.status", equalTo("read"))
                .body("data.find { it.id == '" + sent.get(1) + "' }.status", equalTo("read"))
                .body("data.find { it.direction == 'inbound' }.status", equalTo("received"));
    }

    @Test
    void choices_go_as_quick_replies_a_tap_comes_back_and_what_the_send_api_cannot_send_is_refused() {
        String psid = "2254459154682920";
        FacebookPage page = FacebookPage.withMessageFrom(psid);
        String org = page.org();
        String conversation = as(org).get("/v1/conversations?channel=facebook").then().statusCode(200).extract().path("data[0].id");
        String sendPath = page.answersSends(psid, "m_choice-" + org);
        Map<String, Object> buttons = Map.of("type", "button", "body", Map.of("text", "Tomorrow?"), "action", Map.of("buttons", java.util.List.of(
                Map.of("type", "reply", "reply", Map.of("id", "yes", "title", "Yes")), Map.of("type", "reply", "reply", Map.of("id", "later", "title", "Later")))));
        as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", buttons))).post("/v1/conversations/" + conversation + "/messages")
                .then().statusCode(201).body("status", equalTo("sent"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(sendPath)).withRequestBody(equalToJson(
                "{\"recipient\":{\"id\":\"" + psid + "\"},\"messaging_type\":\"RESPONSE\",\"message\":{\"text\":\"Tomorrow?\",\"quick_replies\":["
                        + "{\"content_type\":\"text\",\"title\":\"Yes\",\"payload\":\"yes\"},{\"content_type\":\"text\",\"title\":\"Later\",\"payload\":\"later\"}]}}")));
        // The Send API has no location or sticker: refused up front, nothing stored or sent.
        as(org).body(Map.of("type", "location", "metadata", Map.of("payload", Map.of("latitude", 1, "longitude", 2))))
                .post("/v1/conversations/" + conversation + "/messages").then().statusCode(400)
                .body("error.details.field", equalTo("type"))
                .body("error.message", equalTo("a facebook conversation cannot send location messages: text, image, video, audio, document, interactive can be sent"));
        as(org).body(Map.of("type", "sticker", "content", "https://example.com/s.webp")).post("/v1/conversations/" + conversation + "/messages")
                .then().statusCode(400).body("error.details.field", equalTo("type"));
        // The tap: a message with its quick reply's payload.
        String tap = """
                {"object":"page","entry":[{"id":"%s","time":1733050790000,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},
                "timestamp":1733050790000,"message":{"mid":"m_tap-%s","text":"Later","quick_reply":{"payload":"later"}}}]}]}""".formatted(page.id(), psid, page.id(), org);
        deliver(page.path(), tap).then().statusCode(200).body("stored", equalTo(1));
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(3))
                .body("data[0].type", equalTo("interactive")).body("data[0].content", equalTo("Later"))
                .body("data[0].metadata.payload.button_reply.id", equalTo("later"));
    }

    @Test
    void a_link_goes_as_a_button_template_and_quick_replies_beyond_the_send_apis_limits_are_400s() {
        String psid = "2254459154682921";
        FacebookPage page = FacebookPage.withMessageFrom(psid);
        String org = page.org();
        String messages = "/v1/conversations/" + as(org).get("/v1/conversations?channel=facebook").then().statusCode(200)
                .extract().<String>path("data[0].id") + "/messages";
        String sendPath = page.answersSends(psid, "m_link-" + org);
        Map<String, Object> link = Map.of("type", "cta_url", "body", Map.of("text", "Your order shipped."),
                "action", Map.of("name", "cta_url", "parameters", Map.of("display_text", "Track it", "url", "https://track.example.com/p/42")));
        as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", link))).post(messages).then().statusCode(201).body("status", equalTo("sent"));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(sendPath)).withRequestBody(equalToJson("""
                {"recipient":{"id":"%s"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{
                "template_type":"button","text":"Your order shipped.","buttons":[{"type":"web_url","url":"https://track.example.com/p/42",
                "title":"Track it"}]}}}}""".formatted(psid))));
        Map<String, Object> longTitle = Map.of("type", "button", "body", Map.of("text", "Pick"), "action", Map.of("buttons",
                java.util.List.of(Map.of("type", "reply", "reply", Map.of("id", "a", "title", "A title of 21 chars!!")))));
        as(org).body(Map.of("type", "interactive", "metadata", Map.of("payload", longTitle))).post(messages).then().statusCode(400)
                .body("error.details.field", equalTo("metadata.payload"))
                .body("error.message", equalTo("Messenger takes at most 20 characters in a quick reply's title"));
        as(org).get(messages).then().statusCode(200).body("data", hasSize(2));
    }

    @Test
    void a_get_started_postback_is_stored_once_as_the_choice_it_carries() {
        String psid = "2254459154682922";
        FacebookPage page = FacebookPage.withMessageFrom(psid);
        String org = page.org();
        String postback = """
                {"object":"page","entry":[{"id":"%s","time":1733050790000,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},
                "timestamp":1733050790000,"postback":{"mid":"m_postback-%s","title":"Get Started","payload":"GET_STARTED"}}]}]}"""
                .formatted(page.id(), psid, page.id(), org);
        for (int i = 0; i < 2; i++) {
            deliver(page.path(), postback).then().statusCode(200).body("stored", equalTo(i == 0 ? 1 : 0)).body("duplicates", equalTo(i));
        }
        String conversation = as(org).get("/v1/conversations?channel=facebook").then().statusCode(200).extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(2))
                .body("data[0].type", equalTo("interactive")).body("data[0].content", equalTo("Get Started"))
                .body("data[0].platform_message_id", equalTo("m_postback-" + org))
                .body("data[0].metadata.payload.button_reply.id", equalTo("GET_STARTED"));
    }

    @Test
    void a_message_edit_changes_the_text_of_the_stored_message() {
        String psid = "2254459154682923";
        FacebookPage page = FacebookPage.withMessageFrom(psid);
        String org = page.org();
        String edit = """
                {"object":"page","entry":[{"id":"%s","time":1733050790000,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},
                "timestamp":1733050790000,"message_edit":{"mid":"m_in-%s-%s","text":"hello, is anyone there?","num_edit":1}}]}]}"""
                .formatted(page.id(), psid, page.id(), psid, org);
        deliver(page.path(), edit).then().statusCode(200).body("edited", equalTo(1)).body("stored", equalTo(0));
        String conversation = as(org).get("/v1/conversations?channel=facebook").then().statusCode(200).extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(1))
                .body("data[0].content", equalTo("hello, is anyone there?")).body("data[0].metadata.edited_at", equalTo("2024-12-01T10:59:50Z"));
    }

    /** A delivery to a page's webhook, signed as Meta signs it with the app secret. */
    private static io.restassured.response.Response deliver(String path, String body) {
        return RestAssured.given().header("X-Hub-Signature-256", ChannelStubs.metaSignature(APP_SECRET, body)).contentType("application/json")
                .body(body).post(path);
    }

    /** A Facebook page of a new org in the stubs that has had a first message ("hello") from {@code psid}. */
    private record FacebookPage(String org, String id, String path) {
        static FacebookPage withMessageFrom(String psid) {
            String org = Api.newOrg();
            String pageId = String.valueOf(300000000000L + (long) (Math.random() * 1e10));
            String connection = ChannelStubs.connection(org, "facebook", Map.of("page_id", pageId),
                    Map.of("access_token", "EAAG-fb-token", "app_secret", APP_SECRET, "verify_token", "fb-verify"));
            FacebookPage page = new FacebookPage(org, pageId, "/v1/channels/facebook/inbound/" + org + "." + connection);
            String hello = """
                    {"object":"page","entry":[{"id":"%s","time":1,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":1,
                    "message":{"mid":"m_in-%s-%s","text":"hello"}}]}]}""".formatted(pageId, psid, pageId, psid, org);
            deliver(page.path(), hello).then().statusCode(200).body("stored", equalTo(1));
            return page;
        }

        /** The Send API stub answers this page's sends with {@code messageId}; returns the send path. */
        String answersSends(String psid, String messageId) {
            String sendPath = "/graph/v21.0/" + id + "/messages";
            ChannelStubs.server().stubFor(post(urlPathEqualTo(sendPath)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"" + messageId + "\"}")));
            return sendPath;
        }
    }

    private static String receipt(String pageId, String psid, String kind, long watermark) {
        return """
                {"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,
                "%s":{"watermark":%d}}]}]}""".formatted(pageId, watermark, psid, pageId, watermark, kind, watermark);
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
}
