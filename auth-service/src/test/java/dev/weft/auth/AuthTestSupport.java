package dev.weft.auth;

import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/**
 * Helpers for auth-service tests: everything goes over real HTTP, starting from the operator
 * credential configured for the test profile.
 */
public abstract class AuthTestSupport {
    public static final String OPERATOR_TOKEN = "test-operator-token-0123456789abcdef";

    static {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    public record Client(String orgId, String clientId, String secret) {
    }

    protected static RequestSpecification operator() {
        return given().header("Authorization", "Bearer " + OPERATOR_TOKEN).contentType("application/json");
    }

    protected static RequestSpecification bearer(String accessToken) {
        return given().header("Authorization", "Bearer " + accessToken).contentType("application/json");
    }

    protected static String createOrg() {
        return operator().body(Map.of("name", "org " + UUID.randomUUID(), "plan", "developer"))
                .when().post("/v1/orgs").then().statusCode(201).extract().path("id");
    }

    /** A new org with an admin client made by the operator. */
    protected static Client newAdmin() {
        String org = createOrg();
        return clientFor(org, "admin");
    }

    protected static Client clientFor(String orgId, String... scopes) {
        Map<String, Object> created = operator().body(Map.of("name", "client", "scopes", scopes))
                .when().post("/v1/orgs/" + orgId + "/clients").then().statusCode(201).extract().as(Map.class);
        return new Client(orgId, (String) created.get("client_id"), (String) created.get("client_secret"));
    }

    protected static ValidatableResponse tokenJson(String clientId, String secret) {
        return given().contentType("application/json")
                .body(Map.of("client_id", clientId, "client_secret", secret, "grant_type", "client_credentials"))
                .when().post("/v1/auth/token").then();
    }

    protected static Map<String, Object> tokens(Client client) {
        return tokenJson(client.clientId(), client.secret()).statusCode(200).extract().as(Map.class);
    }

    protected static String accessToken(Client client) {
        return (String) tokens(client).get("access_token");
    }

    protected static RequestSpecification form(Client client) {
        return given().contentType("application/x-www-form-urlencoded").formParam("client_id", client.clientId())
                .formParam("client_secret", client.secret());
    }
}
