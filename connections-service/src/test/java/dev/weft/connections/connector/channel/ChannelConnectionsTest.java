package dev.weft.connections.connector.channel;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** The four channel providers in the catalog, and their credentials given to internal callers only. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class ChannelConnectionsTest {

    private static RequestSpecification internal(String org) {
        return RestAssured.given().header("Authorization", "Weft-Internal " + ConnectionsStubs.INTERNAL_TOKEN)
                .header("X-Weft-Org", org).header("X-Weft-Caller", "messaging-service");
    }

    @Test
    void channel_credentials_reach_internal_callers_of_the_same_org_only() {
        String org = Api.newOrg();
        Api.as(org).get("/v1/providers").then().statusCode(200).body("data.id", hasItems("whatsapp", "instagram", "facebook", "telegram"));
        String id = Api.as(org).body(Map.of("provider", "whatsapp", "name", "Support line",
                        "config", Map.of("phone_number_id", "106540352242922"),
                        "credentials", Map.of("access_token", "EAAG-secret", "app_secret", "app-secret", "verify_token", "verify-me")))
                .post("/v1/connections").then().statusCode(201).body("credentials", nullValue()).extract().path("id");
        // A bad config is the usual 400 naming the field.
        Api.as(org).body(Map.of("provider", "telegram", "name", "Bot", "config", Map.of(), "credentials", Map.of("bot_token", "not a token")))
                .post("/v1/connections").then().statusCode(400).body("error.details.field", equalTo("credentials.bot_token"));

        internal(org).get("/internal/v1/channel-connections/" + id).then().statusCode(200)
                .body("provider", equalTo("whatsapp")).body("config.phone_number_id", equalTo("106540352242922"))
                .body("credentials.access_token", equalTo("EAAG-secret")).body("credentials.app_secret", equalTo("app-secret"));
        internal(org).queryParam("provider", "whatsapp").get("/internal/v1/channel-connections").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].connection_id", equalTo(id));
        internal(org).queryParam("provider", "postgres").get("/internal/v1/channel-connections").then().statusCode(400);
        // Another org's internal caller, or the org's own API credential, never sees the secrets.
        internal(Api.newOrg()).get("/internal/v1/channel-connections/" + id).then().statusCode(404);
        Api.as(org).get("/internal/v1/channel-connections/" + id).then().statusCode(403);
        RestAssured.given().header("Authorization", "Weft-Internal wrong").header("X-Weft-Org", org).header("X-Weft-Caller", "messaging-service")
                .get("/internal/v1/channel-connections/" + id).then().statusCode(401);
    }
}
