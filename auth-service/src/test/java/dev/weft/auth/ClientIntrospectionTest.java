package dev.weft.auth;

import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * RFC 7662 introspection with the client authenticating as at the token endpoint (client_secret_basic,
 * client_secret_post), as standard OAuth libraries call it: what such a client may see, and that the
 * bearer path and the other endpoints are not loosened by it.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ClientIntrospectionTest extends AuthTestSupport {

    private static ValidatableResponse introspectBasic(Client caller, String token) {
        return given().auth().preemptive().basic(caller.clientId(), caller.secret()).contentType("application/x-www-form-urlencoded")
                .formParam("token", token).when().post("/v1/auth/introspect").then();
    }

    private static ValidatableResponse introspectPost(Client caller, String token) {
        return form(caller).formParam("token", token).when().post("/v1/auth/introspect").then();
    }

    private static String apiKey(Client admin) {
        return bearer(accessToken(admin)).body(Map.of("name", "k", "scopes", new String[]{"clients:read"}))
                .when().post("/v1/api-keys").then().statusCode(201).extract().path("key");
    }

    @Test
    void a_client_introspects_its_own_tokens_with_client_secret_basic() {
        Client worker = clientFor(createOrg(), "clients:read");
        Map<String, Object> issued = tokens(worker);
        introspectBasic(worker, (String) issued.get("access_token")).statusCode(200)
                .header("Cache-Control", "no-store").contentType(startsWith("application/json"))
                .body("active", equalTo(true)).body("client_id", equalTo(worker.clientId())).body("sub", equalTo(worker.clientId()))
                .body("org", equalTo(worker.orgId())).body("scope", equalTo("clients:read")).body("token_type", equalTo("Bearer"));
        introspectBasic(worker, (String) issued.get("refresh_token")).statusCode(200)
                .body("active", equalTo(true)).body("client_id", equalTo(worker.clientId())).body("token_type", equalTo("refresh_token"));
        introspectBasic(worker, "wrt_not_a_token").statusCode(200).body("active", equalTo(false)).body("client_id", nullValue());
    }

    @Test
    void client_secret_post_works_in_form_and_json_bodies() {
        Client worker = clientFor(createOrg(), "clients:read");
        String token = accessToken(worker);
        introspectPost(worker, token).statusCode(200).header("Cache-Control", "no-store").body("active", equalTo(true))
                .body("client_id", equalTo(worker.clientId()));
        given().contentType("application/json")
                .body(Map.of("client_id", worker.clientId(), "client_secret", worker.secret(), "token", token, "token_type_hint", "access_token"))
                .when().post("/v1/auth/introspect").then().statusCode(200).body("active", equalTo(true));
    }

    @Test
    void failed_client_authentication_is_401_invalid_client_with_a_basic_challenge() {
        Client worker = clientFor(createOrg(), "introspect");
        String token = accessToken(worker);
        Client wrongSecret = new Client(worker.orgId(), worker.clientId(), "wcs_wrong");
        for (ValidatableResponse refused : new ValidatableResponse[]{
                introspectBasic(wrongSecret, token),
                introspectPost(wrongSecret, token),
                introspectBasic(new Client(worker.orgId(), "cli_01jaaaaaaaaaaaaaaaaaaaaaaa", worker.secret()), token),
                introspectPost(new Client(worker.orgId(), "not-a-client-id", worker.secret()), token),
                // Nothing at all: the endpoint now expects client authentication when no other credential comes.
                given().contentType("application/x-www-form-urlencoded").formParam("token", token).when().post("/v1/auth/introspect").then(),
                given().contentType("application/x-www-form-urlencoded").formParam("client_id", worker.clientId()).formParam("token", token)
                        .when().post("/v1/auth/introspect").then(),
                given().header("Authorization", "Basic %%%").contentType("application/x-www-form-urlencoded").formParam("token", token)
                        .when().post("/v1/auth/introspect").then(),
                given().header("Authorization", "Basic " + base64("no-colon")).contentType("application/x-www-form-urlencoded")
                        .formParam("token", token).when().post("/v1/auth/introspect").then()}) {
            refused.statusCode(401).header("WWW-Authenticate", startsWith("Basic")).header("Cache-Control", "no-store")
                    .body("error", equalTo("invalid_client")).body("active", nullValue());
        }
        // Authentication comes before the request's content: an unauthenticated caller learns nothing from it.
        introspectBasic(wrongSecret, "").statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void a_deleted_client_can_no_longer_authenticate() {
        Client admin = newAdmin();
        Client worker = clientFor(admin.orgId(), "introspect");
        String token = accessToken(admin);
        introspectBasic(worker, token).statusCode(200).body("active", equalTo(true));
        bearer(accessToken(admin)).when().delete("/v1/clients/" + worker.clientId()).then().statusCode(204);
        introspectBasic(worker, token).statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void without_introspect_a_client_sees_only_tokens_issued_to_itself() {
        Client admin = newAdmin();
        Client worker = clientFor(admin.orgId(), "clients:read");
        Client sibling = clientFor(admin.orgId(), "clients:read");
        Map<String, Object> siblings = tokens(sibling);
        introspectBasic(worker, (String) siblings.get("access_token")).statusCode(200).body("active", equalTo(false))
                .body("client_id", nullValue()).body("scope", nullValue());
        introspectBasic(worker, (String) siblings.get("refresh_token")).statusCode(200).body("active", equalTo(false));
        introspectBasic(worker, apiKey(admin)).statusCode(200).body("active", equalTo(false)).body("key_id", nullValue());
        // The sibling itself may.
        introspectBasic(sibling, (String) siblings.get("access_token")).statusCode(200).body("active", equalTo(true));
    }

    @Test
    void with_introspect_a_client_sees_every_token_of_its_org_and_none_of_another_org() {
        Client admin = newAdmin();
        Client introspector = clientFor(admin.orgId(), "introspect");
        Client worker = clientFor(admin.orgId(), "clients:read");
        introspectBasic(introspector, accessToken(worker)).statusCode(200).body("active", equalTo(true))
                .body("client_id", equalTo(worker.clientId())).body("org", equalTo(admin.orgId()));
        introspectPost(introspector, (String) tokens(worker).get("refresh_token")).statusCode(200).body("active", equalTo(true));
        introspectBasic(introspector, apiKey(admin)).statusCode(200).body("active", equalTo(true)).body("token_type", equalTo("api_key"))
                .body("org", equalTo(admin.orgId()));
        // admin implies introspect.
        introspectBasic(admin, accessToken(worker)).statusCode(200).body("active", equalTo(true));

        Client otherOrg = newAdmin();
        introspectBasic(introspector, accessToken(otherOrg)).statusCode(200).body("active", equalTo(false)).body("org", nullValue());
        introspectBasic(introspector, (String) tokens(otherOrg).get("refresh_token")).statusCode(200).body("active", equalTo(false));
        introspectBasic(introspector, apiKey(otherOrg)).statusCode(200).body("active", equalTo(false));
        introspectBasic(otherOrg, accessToken(worker)).statusCode(200).body("active", equalTo(false));
    }

    @Test
    void signing_key_secrets_stay_with_the_operator() {
        Client admin = newAdmin();
        String keyId = bearer(accessToken(admin)).body(Map.of("name", "s", "scopes", new String[]{"clients:read"}))
                .when().post("/v1/signing-keys").then().statusCode(201).extract().path("key_id");
        introspectBasic(admin, keyId).statusCode(200).body("active", equalTo(false)).body("secret", nullValue());
        operator().contentType("application/x-www-form-urlencoded").formParam("token", keyId).when().post("/v1/auth/introspect")
                .then().statusCode(200).body("active", equalTo(true)).body("secret", startsWith("whmac_"));
    }

    @Test
    void a_request_with_two_authentication_methods_is_refused() {
        Client worker = clientFor(createOrg(), "introspect");
        String token = accessToken(worker);
        given().auth().preemptive().basic(worker.clientId(), worker.secret()).contentType("application/x-www-form-urlencoded")
                .formParam("client_secret", worker.secret()).formParam("token", token).when().post("/v1/auth/introspect")
                .then().statusCode(400).body("error", equalTo("invalid_request"));
        bearer(token).contentType("application/x-www-form-urlencoded").formParam("client_id", worker.clientId())
                .formParam("client_secret", worker.secret()).formParam("token", token).when().post("/v1/auth/introspect")
                .then().statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().preemptive().basic(worker.clientId(), worker.secret()).header("X-API-Key", "wft_live_x")
                .contentType("application/x-www-form-urlencoded").formParam("token", token).when().post("/v1/auth/introspect")
                .then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void bad_requests_from_an_authenticated_client_are_400_invalid_request() {
        Client worker = clientFor(createOrg(), "introspect");
        introspectBasic(worker, "").statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().preemptive().basic(worker.clientId(), worker.secret()).contentType("text/plain").body("token=x")
                .when().post("/v1/auth/introspect").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().preemptive().basic(worker.clientId(), worker.secret()).contentType("application/json").body("{\"token\":")
                .when().post("/v1/auth/introspect").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().preemptive().basic(worker.clientId(), worker.secret()).contentType("application/x-www-form-urlencoded")
                .body("token=a&token=b").when().post("/v1/auth/introspect").then().statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void the_bearer_path_and_other_endpoints_are_not_loosened() {
        Client worker = clientFor(createOrg(), "clients:read");
        String token = accessToken(worker);
        // A bearer credential is still verified by the platform: a bad one is the API's 401, one without introspect a 403.
        bearer("not-a-token").contentType("application/x-www-form-urlencoded").formParam("token", token).when().post("/v1/auth/introspect")
                .then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        bearer(token).contentType("application/x-www-form-urlencoded").formParam("token", token).when().post("/v1/auth/introspect")
                .then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));
        // HTTP Basic is client authentication on introspection only; elsewhere it is no credential at all.
        given().auth().preemptive().basic(worker.clientId(), worker.secret()).when().get("/v1/clients")
                .then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        given().when().get("/v1/clients").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void the_metadata_names_the_introspection_endpoint_and_its_authentication_methods() {
        given().when().get("/.well-known/oauth-authorization-server").then().statusCode(200)
                .body("introspection_endpoint", equalTo("http://127.0.0.1:8080/v1/auth/introspect"))
                .body("introspection_endpoint_auth_methods_supported", hasItems("client_secret_basic", "client_secret_post", "Bearer"))
                .body("revocation_endpoint_auth_methods_supported", hasItems("client_secret_basic", "client_secret_post"));
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
