package dev.weft.messaging.calendar;

import dev.weft.messaging.support.ChannelStubs;
import dev.weft.testing.TestCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.util.Map;

/** Google Calendar (under /gcal) and Microsoft Graph (under /msgraph) on the channel stubs' WireMock server; calendar requests as one org. */
public class CalendarStubs implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("weft.messaging.calendar.google-base-url", ChannelStubs.server().baseUrl() + "/gcal",
                "weft.messaging.calendar.graph-base-url", ChannelStubs.server().baseUrl() + "/msgraph/v1.0");
    }

    @Override
    public void stop() {
        // The server is ChannelStubs'.
    }

    public static RequestSpecification as(String org) {
        return RestAssured.given().header("Authorization", TestCredentials.bearerOnPlan(org, "enterprise", "calendar:read", "calendar:write"))
                .contentType(ContentType.JSON);
    }
}
