package dev.weft.messaging.channel;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.weft.messaging.message.ChannelSender;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Telegram: inbound updates through the public webhook (secret header), and the Bot API adapter against its stub.
 * The module's tests replace the Telegram sender with a recording one (ConversationMessagesTest), so the adapter's
 * send is called here directly, as the org's system principal, the way the send path calls it.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class ChannelTelegramTest {
    private static final String BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";
    private static final String SECRET = "tg-secret_token";

    @Inject
    TelegramAdapter telegram;
    @Inject
    SystemPrincipal system;

    @Test
    void updates_with_the_secret_are_stored_once_and_others_refused() {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String path = "/v1/channels/telegram/inbound/" + org + "." + connection;
        String update = """
                {"update_id":10000,"message":{"message_id":1365,"from":{"id":884422117,"is_bot":false,"first_name":"Jane","last_name":"Doe",
                "username":"jdoe"},"chat":{"id":884422117,"type":"private","first_name":"Jane"},"date":1733050750,"text":"Where is my order?"}}""";
        RestAssured.given().header(TelegramAdapter.SECRET_HEADER, "wrong").contentType("application/json").body(update).post(path).then().statusCode(401);
        RestAssured.given().contentType("application/json").body(update).post(path).then().statusCode(401);
        as(org).get("/v1/conversations?channel=telegram").then().body("data", hasSize(0));
        for (int i = 0; i < 3; i++) {
            deliver(path, update).then()
                    .statusCode(200).body("stored", equalTo(i == 0 ? 1 : 0));
        }
        String conversation = as(org).get("/v1/conversations?channel=telegram").then().body("data", hasSize(1)).extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().body("data", hasSize(1))
                .body("data[0].content", equalTo("Where is my order?")).body("data[0].platform_message_id", equalTo("884422117:1365"));
    }

    @Test
    void the_bot_api_adapter_sends_and_classifies_errors() throws Exception {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String url = "/telegram/bot" + BOT_TOKEN + "/sendMessage";
        ChannelStubs.server().stubFor(post(urlPathEqualTo(url)).withRequestBody(WireMock.matchingJsonPath("$.chat_id", WireMock.equalTo("884422117")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":true,\"result\":{\"message_id\":1366,\"chat\":{\"id\":884422117,\"type\":\"private\"},\"date\":1733050800,\"text\":\"Shipped\"}}")));
        ChannelStubs.server().stubFor(post(urlPathEqualTo(url)).withRequestBody(WireMock.matchingJsonPath("$.chat_id", WireMock.equalTo("1")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}")));
        ChannelStubs.server().stubFor(post(urlPathEqualTo(url)).withRequestBody(WireMock.matchingJsonPath("$.chat_id", WireMock.equalTo("2")))
                .willReturn(aResponse().withStatus(502)));

        ChannelSender.SendOutcome sent = system.callAs(org, () -> telegram.send(message(org, connection, "884422117")));
        assertEquals(ChannelSender.SendOutcome.sent("884422117:1366"), sent);
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(url))
                .withRequestBody(equalToJson("{\"chat_id\":\"884422117\",\"text\":\"Shipped\"}")));
        ChannelSender.SendOutcome refused = system.callAs(org, () -> telegram.send(message(org, connection, "1")));
        assertEquals(ChannelSender.SendOutcome.Result.FAILED, refused.result());
        assertEquals("400", refused.errorCode());
        assertEquals(ChannelSender.SendOutcome.Result.RETRY, system.callAs(org, () -> telegram.send(message(org, connection, "2"))).result());
    }

    @Test
    void the_bot_api_adapter_sends_stickers_places_and_choices_and_a_press_comes_back_as_the_choice() throws Exception {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String base = "/telegram/bot" + BOT_TOKEN + "/";
        for (String method : java.util.List.of("sendSticker", "sendLocation", "sendVenue", "sendMessage")) {
            ChannelStubs.server().stubFor(post(urlPathEqualTo(base + method)).withRequestBody(WireMock.matchingJsonPath("$.chat_id", WireMock.equalTo("5550001")))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody("{\"ok\":true,\"result\":{\"message_id\":77,\"chat\":{\"id\":5550001,\"type\":\"private\"},\"date\":1733050800}}")));
        }
        var json = dev.weft.messaging.Json.newObject().put("connection_id", connection);
        assertEquals(ChannelSender.SendOutcome.sent("5550001:77"), system.callAs(org, () -> telegram.send(new ChannelSender.OutboundMessage(org, "msg_x",
                "conv_x", "contact_x", "telegram", "default", "5550001", "sticker", "CAACAgIAAxkBAAEBsticker", null, json))));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(base + "sendSticker"))
                .withRequestBody(equalToJson("{\"chat_id\":\"5550001\",\"sticker\":\"CAACAgIAAxkBAAEBsticker\"}")));

        var point = json.deepCopy();
        point.putObject("payload").put("latitude", 52.52).put("longitude", 13.405);
        system.callAs(org, () -> telegram.send(new ChannelSender.OutboundMessage(org, "msg_x", "conv_x", "contact_x", "telegram", "default", "5550001",
                "location", null, null, point)));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(base + "sendLocation"))
                .withRequestBody(equalToJson("{\"chat_id\":\"5550001\",\"latitude\":52.52,\"longitude\":13.405}")));
        var venue = json.deepCopy();
        venue.putObject("payload").put("latitude", 52.52).put("longitude", 13.405).put("name", "Shop").put("address", "Unter den Linden 1");
        system.callAs(org, () -> telegram.send(new ChannelSender.OutboundMessage(org, "msg_x", "conv_x", "contact_x", "telegram", "default", "5550001",
                "location", null, null, venue)));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(base + "sendVenue")).withRequestBody(equalToJson(
                "{\"chat_id\":\"5550001\",\"latitude\":52.52,\"longitude\":13.405,\"title\":\"Shop\",\"address\":\"Unter den Linden 1\"}")));

        var choices = json.deepCopy();
        var list = choices.putObject("payload").put("type", "list");
        list.putObject("body").put("text", "Pick a slot");
        var rows = list.putObject("action").putArray("sections").addObject().putArray("rows");
        rows.addObject().put("id", "am").put("title", "Morning");
        rows.addObject().put("id", "pm").put("title", "Afternoon");
        system.callAs(org, () -> telegram.send(new ChannelSender.OutboundMessage(org, "msg_x", "conv_x", "contact_x", "telegram", "default", "5550001",
                "interactive", null, null, choices)));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(base + "sendMessage")).withRequestBody(equalToJson(
                "{\"chat_id\":\"5550001\",\"text\":\"Pick a slot\",\"reply_markup\":{\"inline_keyboard\":"
                        + "[[{\"text\":\"Morning\",\"callback_data\":\"am\"}],[{\"text\":\"Afternoon\",\"callback_data\":\"pm\"}]]}}")));

        // The contact presses "Afternoon": a callback query, stored once as the choice.
        String press = """
                {"update_id":90001,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":5550001,"is_bot":false,"first_name":"Lena"},
                "message":{"message_id":77,"chat":{"id":5550001,"type":"private"},"date":1733050800,"text":"Pick a slot",
                "reply_markup":{"inline_keyboard":[[{"text":"Morning","callback_data":"am"}],[{"text":"Afternoon","callback_data":"pm"}]]}},
                "chat_instance":"-1","data":"pm"}}""";
        String path = "/v1/channels/telegram/inbound/" + org + "." + connection;
        for (int i = 0; i < 2; i++) {
            // Answered in the webhook's 200, which Telegram runs as a Bot API call: the button stops loading on the phone.
            deliver(path, press)
                    .then().statusCode(200).body("method", equalTo("answerCallbackQuery")).body("callback_query_id", equalTo("4382bfdwdsb323b2d9"))
                    .body("stored", equalTo(i == 0 ? 1 : 0));
        }
        String conversation = as(org).get("/v1/conversations?channel=telegram").then().statusCode(200).extract().path("data[0].id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(1))
                .body("data[0].type", equalTo("interactive")).body("data[0].content", equalTo("Afternoon"))
                .body("data[0].metadata.payload.button_reply.id", equalTo("pm"));

        // A link is a URL button; a choice's id longer than callback_data's 64 bytes is refused when the reply is accepted.
        var link = json.deepCopy();
        link.putObject("payload").put("type", "cta_url").putObject("body").put("text", "Track your parcel");
        ((com.fasterxml.jackson.databind.node.ObjectNode) link.get("payload")).putObject("action").put("name", "cta_url").putObject("parameters")
                .put("display_text", "Track").put("url", "https://track.example.com/p/42");
        system.callAs(org, () -> telegram.send(new ChannelSender.OutboundMessage(org, "msg_x", "conv_x", "contact_x", "telegram", "default", "5550001",
                "interactive", null, null, link)));
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(base + "sendMessage")).withRequestBody(equalToJson(
                "{\"chat_id\":\"5550001\",\"text\":\"Track your parcel\",\"reply_markup\":{\"inline_keyboard\":"
                        + "[[{\"text\":\"Track\",\"url\":\"https://track.example.com/p/42\"}]]}}")));
        var longId = choices.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) longId.at("/payload/action/sections/0/rows/0")).put("id", "é".repeat(33));
        var error = assertThrows(dev.weft.platform.error.ApiException.class, () -> telegram.check("interactive", longId));
        assertTrue(error.getMessage().contains("64 bytes"), error.getMessage());
        telegram.check("interactive", choices);
        // WhatsApp's own kinds have no Telegram form: refused when the reply is accepted, naming the channel.
        var flow = json.deepCopy();
        flow.putObject("payload").put("type", "location_request_message").putObject("body").put("text", "Where are you?");
        ((com.fasterxml.jackson.databind.node.ObjectNode) flow.get("payload")).putObject("action").put("name", "send_location");
        var whatsAppOnly = assertThrows(dev.weft.platform.error.ApiException.class, () -> telegram.check("interactive", flow));
        assertTrue(whatsAppOnly.getMessage().contains("WhatsApp's alone: on Telegram"), whatsAppOnly.getMessage());
    }

    @Test
    void media_voice_notes_stickers_and_places_arrive_as_their_types_with_the_file_id_caption_and_place() {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String path = "/v1/channels/telegram/inbound/" + org + "." + connection;
        String chat = "\"chat\":{\"id\":777001,\"type\":\"private\"},\"from\":{\"id\":777001,\"is_bot\":false,\"first_name\":\"Omar\"},\"date\":1733050750";
        java.util.List<String> messages = java.util.List.of(
                "\"photo\":[{\"file_id\":\"small\",\"width\":90,\"height\":90},{\"file_id\":\"AgACAgbig\",\"width\":1280,\"height\":1280}],\"caption\":\"The dent\"",
                "\"voice\":{\"file_id\":\"AwACAgvoice\",\"duration\":4,\"mime_type\":\"audio/ogg\"}",
                "\"video_note\":{\"file_id\":\"DQACAgnote\",\"length\":240,\"duration\":3}",
                "\"animation\":{\"file_id\":\"CgACAggif\",\"width\":320,\"height\":240,\"duration\":2},\"document\":{\"file_id\":\"CgACAggif\"}",
                "\"sticker\":{\"file_id\":\"CAACAgsticker\",\"width\":512,\"height\":512,\"is_animated\":false,\"is_video\":false,\"type\":\"regular\"}",
                "\"location\":{\"latitude\":52.520008,\"longitude\":13.404954}",
                "\"location\":{\"latitude\":52.5163,\"longitude\":13.3777},\"venue\":{\"location\":{\"latitude\":52.5163,\"longitude\":13.3777},"
                        + "\"title\":\"Brandenburger Tor\",\"address\":\"Pariser Platz\"}",
                "\"poll\":{\"id\":\"1\",\"question\":\"?\",\"options\":[]}");
        for (int i = 0; i < messages.size(); i++) {
            String update = "{\"update_id\":" + (20000 + i) + ",\"message\":{\"message_id\":" + (500 + i) + "," + chat + "," + messages.get(i) + "}}";
            deliver(path, update).then()
                    .statusCode(200).body("stored", equalTo(1));
        }
        String conversation = as(org).get("/v1/conversations?channel=telegram").then().statusCode(200).extract().path("data[0].id");
        // Newest first: the poll, the venue, the point, the sticker, the animation, the video note, the voice note, the photo.
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(8))
                .body("data.type", equalTo(java.util.List.of("text", "location", "location", "sticker", "video", "video", "audio", "image")))
                .body("data[7].content", equalTo("AgACAgbig")).body("data[7].metadata.caption", equalTo("The dent"))
                .body("data[6].content", equalTo("AwACAgvoice")).body("data[5].content", equalTo("DQACAgnote"))
                .body("data[4].content", equalTo("CgACAggif")).body("data[3].content", equalTo("CAACAgsticker"))
                .body("data[2].metadata.payload.latitude", equalTo(52.520008f)).body("data[2].content", equalTo(null))
                .body("data[1].content", equalTo("Brandenburger Tor")).body("data[1].metadata.payload.name", equalTo("Brandenburger Tor"))
                .body("data[1].metadata.payload.address", equalTo("Pariser Platz"))
                .body("data[0].content", equalTo(null));
    }

    @Test
    void an_edit_changes_the_stored_message_once_and_a_late_older_edit_changes_nothing() {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String path = "/v1/channels/telegram/inbound/" + org + "." + connection;
        String sent = """
                {"update_id":30000,"message":{"message_id":61,"from":{"id":884422119,"is_bot":false,"first_name":"Ida"},
                "chat":{"id":884422119,"type":"private"},"date":1733050750,"text":"Where is my ordr?"}}""";
        String edit = """
                {"update_id":30001,"edited_message":{"message_id":61,"from":{"id":884422119,"is_bot":false,"first_name":"Ida"},
                "chat":{"id":884422119,"type":"private"},"date":1733050750,"edit_date":%d,"text":"%s"}}""";
        deliver(path, sent).then().statusCode(200);
        String conversation = as(org).get("/v1/conversations?channel=telegram").then().statusCode(200).extract().path("data[0].id");
        String message = as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).extract().path("data[0].id");
        try (dev.weft.messaging.support.Events events = new dev.weft.messaging.support.Events(org)) {
            for (int i = 0; i < 2; i++) {
                deliver(path, edit.formatted(1733050800, "Where is my order #42?")).then().statusCode(200)
                        .body("stored", equalTo(0)).body("edited", equalTo(i == 0 ? 1 : 0)).body("duplicates", equalTo(i));
            }
            // An edit older than the one applied, arriving late, changes nothing.
            deliver(path, edit.formatted(1733050790, "Where is my order?")).then().statusCode(200).body("edited", equalTo(0));
            as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(1))
                    .body("data[0].content", equalTo("Where is my order #42?"))
                    .body("data[0].metadata.edited_at", equalTo("2024-12-01T11:00:00Z"));
            var updated = events.exactly("message.updated", message, 1).get(0);
            assertEquals("Where is my ordr?", updated.path("previous_content").asText());
            assertEquals("[\"content\"]", updated.path("changed_fields").toString());
            assertEquals("Where is my order #42?", updated.path("content").asText());
        }
    }

    @Test
    void a_plain_message_is_answered_with_the_counts_alone() {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String update = """
                {"update_id":10001,"message":{"message_id":9,"from":{"id":884422118,"is_bot":false,"first_name":"Ann"},
                "chat":{"id":884422118,"type":"private"},"date":1733050750,"text":"Hi"}}""";
        RestAssured.given().header(TelegramAdapter.SECRET_HEADER, SECRET).contentType("application/json").body(update)
                .post("/v1/channels/telegram/inbound/" + org + "." + connection).then().statusCode(200)
                .body("stored", equalTo(1)).body("$", not(hasKey("method")));
    }

    /** An update posted to the bot's webhook with the secret token Telegram sends. */
    private static io.restassured.response.Response deliver(String path, String update) {
        return RestAssured.given().header(TelegramAdapter.SECRET_HEADER, SECRET).contentType("application/json").body(update).post(path);
    }

    private static ChannelSender.OutboundMessage message(String org, String connection, String chat) {
        com.fasterxml.jackson.databind.node.ObjectNode metadata = dev.weft.messaging.Json.newObject().put("connection_id", connection);
        return new ChannelSender.OutboundMessage(org, "msg_x", "conv_x", "contact_x", "telegram", "default", chat, "text", "Shipped", null, metadata);
    }
}
