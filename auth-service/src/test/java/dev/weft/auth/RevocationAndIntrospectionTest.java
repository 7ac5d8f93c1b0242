package dev.weft.auth;

import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class RevocationAndIntrospectionTest extends AuthTestSupport {

    private static io.restassured.response.ValidatableResponse introspect(String callerToken, String token) {
        return given().header("Authorization", "Bearer " + callerToken).contentType("application/x-www-form-urlencoded")
                .formParam("token", token).when().post("/v1/auth/introspect").then();
    }

    private static io.restassured.response.ValidatableResponse revoke(Client client, String token) {
        return form(client).formParam("token", token).when().post("/v1/auth/revoke").then();
    }

    @Test
    void introspection_describes_an_active_access_token() {
        Client admin = newAdmin();
        String introspector = accessToken(clientFor(admin.orgId(), "introspect"));
        String token = accessToken(admin);
        introspect(introspector, token).statusCode(200).header("Cache-Control", "no-store")
                .body("active", equalTo(true)).body("scope", equalTo("admin")).body("client_id", equalTo(admin.clientId()))
                .body("sub", equalTo(admin.clientId())).body("org", equalTo(admin.orgId())).body("token_type", equalTo("Bearer"))
                .body("exp", notNullValue()).body("iat", notNullValue()).body("jti", notNullValue());
        introspect(OPERATOR_TOKEN, token).statusCode(200).body("active", equalTo(true));
        introspect(introspector, (String) tokens(admin).get("refresh_token")).statusCode(200).body("active", equalTo(true))
                .body("token_type", equalTo("refresh_token"));
        introspect(introspector, "garbage").statusCode(200).body("active", equalTo(false)).body("scope", nullValue());
        introspect(introspector, "a.b.c").statusCode(200).body("active", equalTo(false));
    }

    @Test
    void revoking_an_access_token_makes_it_inactive_and_refused() {
        Client admin = newAdmin();
        String introspector = accessToken(clientFor(admin.orgId(), "introspect"));
        String token = accessToken(admin);
        bearer(token).when().get("/v1/clients").then().statusCode(200);
        revoke(admin, token).statusCode(200).header("Cache-Control", "no-store");
        introspect(introspector, token).statusCode(200).body("active", equalTo(false));
        bearer(token).when().get("/v1/clients").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        // Another token of the same client is unaffected.
        bearer(accessToken(admin)).when().get("/v1/clients").then().statusCode(200);
    }

    @Test
    void revoking_a_refresh_token_revokes_its_family() {
        Client admin = newAdmin();
        String introspector = accessToken(clientFor(admin.orgId(), "introspect"));
        String first = (String) tokens(admin).get("refresh_token");
        String second = form(admin).formParam("grant_type", "refresh_token").formParam("refresh_token", first)
                .when().post("/v1/auth/token").then().statusCode(200).extract().path("refresh_token");
        given().auth().preemptive().basic(admin.clientId(), admin.secret()).contentType("application/x-www-form-urlencoded")
                .formParam("token", second).formParam("token_type_hint", "refresh_token").when().post("/v1/auth/revoke")
                .then().statusCode(200);
        introspect(introspector, second).statusCode(200).body("active", equalTo(false));
        form(admin).formParam("grant_type", "refresh_token").formParam("refresh_token", second)
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void revocation_answers_200_for_unknown_and_foreign_tokens_and_needs_client_auth() {
        Client admin = newAdmin();
        Client other = clientFor(admin.orgId(), "admin");
        revoke(admin, "wrt_unknown").statusCode(200);
        revoke(admin, "x.y.z").statusCode(200);
        // Another client's token is not revoked by this client.
        String othersToken = accessToken(other);
        revoke(admin, othersToken).statusCode(200);
        bearer(othersToken).when().get("/v1/clients").then().statusCode(200);
        given().contentType("application/x-www-form-urlencoded").formParam("token", othersToken).when().post("/v1/auth/revoke")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        form(new Client(admin.orgId(), admin.clientId(), "wcs_wrong")).formParam("token", othersToken).when().post("/v1/auth/revoke")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        form(admin).when().post("/v1/auth/revoke").then().statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void introspection_needs_the_introspect_scope_and_stays_within_the_org() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        introspect(accessToken(clientFor(admin.orgId(), "clients:read")), token).statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE"));
        // No credential at all: neither a bearer one nor client authentication.
        given().contentType("application/x-www-form-urlencoded").formParam("token", token).when().post("/v1/auth/introspect")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        Client otherOrg = newAdmin();
        introspect(accessToken(clientFor(otherOrg.orgId(), "introspect")), token).statusCode(200).body("active", equalTo(false));
        introspect(accessToken(clientFor(admin.orgId(), "introspect")), "").statusCode(400).body("error", equalTo("invalid_request"));
        given().header("Authorization", "Bearer " + OPERATOR_TOKEN).contentType("application/json").body(Map.of("token", token))
                .when().post("/v1/auth/introspect").then().statusCode(200).body("active", equalTo(true));
    }

    @Test
    void a_deleted_clients_tokens_introspect_inactive() {
        Client admin = newAdmin();
        Client worker = clientFor(admin.orgId(), "syncs:read");
        String token = accessToken(worker);
        bearer(accessToken(admin)).when().delete("/v1/clients/" + worker.clientId()).then().statusCode(204);
        introspect(OPERATOR_TOKEN, token).statusCode(200).body("active", equalTo(false));
    }
}
