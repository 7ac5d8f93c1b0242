package dev.weft.auth;

import com.nimbusds.jwt.SignedJWT;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ClientCredentialsGrantTest extends AuthTestSupport {

    @Test
    void seed_json_body_gets_a_signed_jwt_and_a_refresh_token() throws Exception {
        Client admin = newAdmin();
        String token = tokenJson(admin.clientId(), admin.secret()).statusCode(200)
                .header("Cache-Control", "no-store").contentType(startsWith("application/json"))
                .body("token_type", equalTo("Bearer")).body("expires_in", equalTo(3600))
                .body("refresh_token", startsWith("wrt_")).body("scope", equalTo("admin"))
                .extract().path("access_token");
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals("RS256", jwt.getHeader().getAlgorithm().getName());
        assertNotNull(jwt.getHeader().getKeyID());
        var claims = jwt.getJWTClaimsSet();
        assertEquals(admin.clientId(), claims.getSubject());
        assertEquals(admin.orgId(), claims.getStringClaim("org"));
        assertEquals("admin", claims.getStringClaim("scope"));
        assertEquals("https://weft.test", claims.getIssuer());
        assertTrue(claims.getAudience().contains("weft"));
        assertNotNull(claims.getJWTID());
        assertEquals(3600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
        // And the token opens the API.
        bearer(token).when().get("/v1/clients").then().statusCode(200);
    }

    @Test
    void form_body_works_as_in_rfc_6749() {
        Client admin = newAdmin();
        form(admin).formParam("grant_type", "client_credentials").when().post("/v1/auth/token").then().statusCode(200)
                .header("Cache-Control", "no-store").body("token_type", equalTo("Bearer")).body("access_token", containsString("."));
    }

    @Test
    void http_basic_client_authentication_works() {
        Client admin = newAdmin();
        given().auth().preemptive().basic(admin.clientId(), admin.secret()).contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials").when().post("/v1/auth/token").then().statusCode(200)
                .body("scope", equalTo("admin"));
    }

    @Test
    void wrong_secret_unknown_client_and_bad_basic_are_invalid_client() {
        Client admin = newAdmin();
        tokenJson(admin.clientId(), admin.secret() + "x").statusCode(401).header("WWW-Authenticate", startsWith("Basic"))
                .header("Cache-Control", "no-store").body("error", equalTo("invalid_client")).body("$", not(hasKey("code")));
        tokenJson("cli_01h455vb4pex5vsknk084sn02q", admin.secret()).statusCode(401).body("error", equalTo("invalid_client"));
        tokenJson("not-a-client-id", "x").statusCode(401).body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic(admin.clientId(), "wrong").contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials").when().post("/v1/auth/token").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Basic")).body("error", equalTo("invalid_client"));
        for (String garbled : new String[]{"Basic !!!", "Basic " + b64("no-colon"), "Bearer abc", "Basic", "Digest x=y"}) {
            given().header("Authorization", garbled).contentType("application/x-www-form-urlencoded")
                    .formParam("grant_type", "client_credentials").when().post("/v1/auth/token").then().statusCode(401)
                    .body("error", equalTo("invalid_client"));
        }
        given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .when().post("/v1/auth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void malformed_requests_get_rfc_6749_errors_never_the_generic_shape() {
        Client admin = newAdmin();
        form(admin).formParam("grant_type", "password").when().post("/v1/auth/token").then().statusCode(400)
                .body("error", equalTo("unsupported_grant_type"));
        form(admin).when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().contentType("application/json").body("{\"client_id\":").when().post("/v1/auth/token").then().statusCode(400)
                .body("error", equalTo("invalid_request")).body("error_description", containsString("JSON"));
        given().contentType("application/json").body("[]").when().post("/v1/auth/token").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        given().contentType("application/json").body(Map.of("client_id", 5, "client_secret", "x", "grant_type", "client_credentials"))
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().contentType("text/plain").body("grant_type=client_credentials").when().post("/v1/auth/token").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        // An empty POST (REST Assured sends it as a form) has no client credentials at all.
        given().when().post("/v1/auth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().contentType("application/x-www-form-urlencoded").body("grant_type=client_credentials&grant_type=refresh_token")
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().contentType("application/x-www-form-urlencoded").body("grant_type=%zz").when().post("/v1/auth/token")
                .then().statusCode(400).body("error", equalTo("invalid_request"));
        // Basic and client_secret in the body at once: two methods.
        given().auth().preemptive().basic(admin.clientId(), admin.secret()).contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials").formParam("client_secret", admin.secret())
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        // Unknown parameters are ignored (RFC 6749 §3.2).
        form(admin).formParam("grant_type", "client_credentials").formParam("audience", "x").when().post("/v1/auth/token")
                .then().statusCode(200);
    }

    @Test
    void scope_narrows_and_a_wider_scope_is_invalid_scope() throws Exception {
        Client admin = newAdmin();
        String narrowed = form(admin).formParam("grant_type", "client_credentials").formParam("scope", "clients:read")
                .when().post("/v1/auth/token").then().statusCode(200).body("scope", equalTo("clients:read")).extract().path("access_token");
        assertEquals("clients:read", SignedJWT.parse(narrowed).getJWTClaimsSet().getStringClaim("scope"));
        bearer(narrowed).when().get("/v1/clients").then().statusCode(200);
        bearer(narrowed).body("{\"name\":\"x\",\"scopes\":[\"syncs:read\"]}").when().post("/v1/clients").then().statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE"));

        Client reader = clientFor(admin.orgId(), "clients:read", "syncs:read");
        form(reader).formParam("grant_type", "client_credentials").formParam("scope", "syncs:read clients:write")
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_scope"));
        form(reader).formParam("grant_type", "client_credentials").formParam("scope", "admin")
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_scope"));
        form(reader).formParam("grant_type", "client_credentials").formParam("scope", "NOT VALID!")
                .when().post("/v1/auth/token").then().statusCode(400).body("error", equalTo("invalid_scope"));
        form(reader).formParam("grant_type", "client_credentials").formParam("scope", "syncs:read")
                .when().post("/v1/auth/token").then().statusCode(200).body("scope", equalTo("syncs:read"));
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
