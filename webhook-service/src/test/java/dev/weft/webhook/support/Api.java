package dev.weft.webhook.support;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** REST Assured requests as one org with the webhooks scope. */
public final class Api {
    private Api() {
    }

    public static String newOrg() {
        return TypeId.generate("org");
    }

    public static RequestSpecification as(String orgId) {
        return RestAssured.given().header("Authorization", TestCredentials.bearer(orgId, "webhooks:manage")).contentType(ContentType.JSON);
    }
}
