package dev.weft.platform;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;

@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
public abstract class PlatformTestBase {

    protected static String newOrg() {
        return TypeId.generate("org");
    }

    protected static RequestSpecification as(String org, String... scopes) {
        return given().header("Authorization", TestCredentials.bearer(org, scopes)).contentType("application/json");
    }

    protected static RequestSpecification writer(String org) {
        return as(org, "widgets:read", "widgets:write");
    }

    protected static String createWidget(String org, String name) {
        return writer(org).body("{\"name\":\"" + name + "\",\"size\":3}")
                .when().post("/v1/widgets")
                .then().statusCode(201).extract().path("id");
    }

    static {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }
}
