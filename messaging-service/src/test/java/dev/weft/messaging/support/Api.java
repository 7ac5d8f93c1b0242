package dev.weft.messaging.support;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.util.Map;

/** REST Assured requests as one org with every messaging scope (on the enterprise plan: tests make many requests). */
public final class Api {
    public static final String[] SCOPES = {"contacts:read", "contacts:write", "conversations:read", "conversations:write", "messages:read", "messages:write",
            "email:read", "email:write"};

    private Api() {
    }

    public static String newOrg() {
        return TypeId.generate("org");
    }

    public static RequestSpecification as(String orgId) {
        return RestAssured.given().header("Authorization", TestCredentials.bearerOnPlan(orgId, "enterprise", SCOPES)).contentType(ContentType.JSON);
    }

    public static String contact(String org, Map<String, ?> body) {
        return as(org).body(body).post("/v1/contacts").then().statusCode(201).extract().path("id");
    }

    public static String conversation(String org, String contactId, String channel) {
        return as(org).body(Map.of("contact_id", contactId, "channel", channel)).post("/v1/conversations").then().statusCode(201).extract().path("id");
    }
}
