package dev.weft.messaging.channel;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

/**
 * Telegram end to end: POST /v1/messaging/send on a Telegram contact goes through the real Bot API adapter to its stub
 * (the other tests of the module replace that adapter with a recording sender: this profile leaves it out).
 */
@QuarkusTest
@TestProfile(TelegramSendApiTest.RealTelegram.class)
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class TelegramSendApiTest {
    private static final String BOT_TOKEN = "7654321:AAF-e2e_bot-token";
    private static final String SECRET = "tg-e2e-secret";

    public static class RealTelegram implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.arc.exclude-types", "dev.weft.messaging.support.RecordingSender");
        }
    }

    @Test
    void a_send_to_a_telegram_chat_goes_through_the_bot_api_and_replies_land_in_its_conversation() {
        String org = Api.newOrg();
        String connection = ChannelStubs.connection(org, "telegram", Map.of(), Map.of("bot_token", BOT_TOKEN, "secret_token", SECRET));
        String sendMessage = "/telegram/bot" + BOT_TOKEN + "/sendMessage";
        String chat = "90" + (System.nanoTime() % 100000000L);
        ChannelStubs.server().stubFor(post(urlPathEqualTo(sendMessage))
                .withHeader("Content-Type", WireMock.containing("application/json"))
                .withRequestBody(WireMock.matchingJsonPath("$.chat_id", WireMock.equalTo(chat)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":true,\"result\":{\"message_id\":4242,\"chat\":{\"id\":" + chat + ",\"type\":\"private\"},"
                                + "\"date\":1733050800,\"text\":\"Your order shipped\"}}")));

        Response sent = as(org).body(Map.of("platform", "telegram", "to", chat, "messageType", "text", "content", "Your order shipped",
                "metadata", Map.of("source", "api"))).post("/v1/messaging/send");
        sent.then().statusCode(201).body("status", equalTo("sent")).body("platform", equalTo("telegram"))
                .body("platform_message_id", equalTo(chat + ":4242")).body("contact_id", startsWith("contact_"));
        // Telegram has no window: nothing says closed.
        ChannelStubs.server().verify(1, postRequestedFor(urlPathEqualTo(sendMessage))
                .withRequestBody(equalToJson("{\"chat_id\":\"" + chat + "\",\"text\":\"Your order shipped\"}")));

        // The chat answers through the webhook: the same contact and conversation.
        String update = """
                {"update_id":20001,"message":{"message_id":4243,"from":{"id":%s,"is_bot":false,"first_name":"Jane"},
                "chat":{"id":%s,"type":"private"},"date":1733050900,"text":"Thanks!"}}""".formatted(chat, chat);
        RestAssured.given().header(TelegramAdapter.SECRET_HEADER, SECRET).contentType("application/json").body(update)
                .post("/v1/channels/telegram/inbound/" + org + "." + connection).then().statusCode(200).body("stored", equalTo(1));
        String conversation = sent.path("conversation_id");
        as(org).get("/v1/conversations/" + conversation + "/messages").then().statusCode(200).body("data", hasSize(2))
                .body("data[0].content", equalTo("Thanks!")).body("data[0].direction", equalTo("inbound"))
                .body("data[1].status", equalTo("sent"));

        // The Bot API refusing the chat: 502 with Telegram's code, the message stored as failed.
        ChannelStubs.server().stubFor(post(urlPathEqualTo(sendMessage)).withRequestBody(WireMock.matchingJsonPath("$.chat_id", WireMock.equalTo("13")))
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was blocked by the user\"}")));
        as(org).body(Map.of("platform", "telegram", "to", "13", "content", "hello?")).post("/v1/messaging/send").then().statusCode(502)
                .body("error.code", equalTo("UPSTREAM_ERROR")).body("error.details.provider_code", equalTo("403"))
                .body("error.details.status", equalTo("failed"));
    }
}
