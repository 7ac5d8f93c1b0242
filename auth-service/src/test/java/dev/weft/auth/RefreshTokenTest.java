package dev.weft.auth;

import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class RefreshTokenTest extends AuthTestSupport {

    private static io.restassured.response.ValidatableResponse refresh(Client client, String refreshToken) {
        return form(client).formParam("grant_type", "refresh_token").formParam("refresh_token", refreshToken)
                .when().post("/v1/auth/token").then();
    }

    @Test
    void each_refresh_issues_a_new_refresh_token() {
        Client admin = newAdmin();
        String first = (String) tokens(admin).get("refresh_token");
        Map<String, Object> second = refresh(admin, first).statusCode(200).header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer")).body("refresh_token", startsWith("wrt_"))
                .body("refresh_token", not(equalTo(first))).body("scope", equalTo("admin")).extract().as(Map.class);
        bearer((String) second.get("access_token")).when().get("/v1/clients").then().statusCode(200);
        String third = refresh(admin, (String) second.get("refresh_token")).statusCode(200).extract().path("refresh_token");
        assertNotEquals(second.get("refresh_token"), third);
    }

    @Test
    void reusing_a_used_refresh_token_revokes_the_whole_family() {
        Client admin = newAdmin();
        String first = (String) tokens(admin).get("refresh_token");
        String second = refresh(admin, first).statusCode(200).extract().path("refresh_token");
        refresh(admin, first).statusCode(400).body("error", equalTo("invalid_grant"));
        // The legitimate holder's newer token died with the family.
        refresh(admin, second).statusCode(400).body("error", equalTo("invalid_grant"));
        // A fresh client-credentials grant starts a new family.
        String other = (String) tokens(admin).get("refresh_token");
        refresh(admin, other).statusCode(200);
    }

    @Test
    void unknown_missing_or_foreign_refresh_tokens_are_refused() {
        Client admin = newAdmin();
        refresh(admin, "wrt_made_up").statusCode(400).body("error", equalTo("invalid_grant"));
        form(admin).formParam("grant_type", "refresh_token").when().post("/v1/auth/token").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        Client other = clientFor(admin.orgId(), "admin");
        String mine = (String) tokens(admin).get("refresh_token");
        refresh(other, mine).statusCode(400).body("error", equalTo("invalid_grant"));
        // Presenting it from the wrong client did not consume it.
        refresh(admin, mine).statusCode(200);
        Client wrongSecret = new Client(admin.orgId(), admin.clientId(), "wcs_wrong");
        refresh(wrongSecret, (String) tokens(admin).get("refresh_token")).statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void refresh_may_narrow_the_scope_but_not_widen_it() {
        Client admin = newAdmin();
        Client worker = clientFor(admin.orgId(), "clients:read", "syncs:read");
        String refreshToken = (String) tokens(worker).get("refresh_token");
        refreshToken = form(worker).formParam("grant_type", "refresh_token").formParam("refresh_token", refreshToken)
                .formParam("scope", "syncs:read").when().post("/v1/auth/token").then().statusCode(200)
                .body("scope", equalTo("syncs:read")).extract().path("refresh_token");
        form(worker).formParam("grant_type", "refresh_token").formParam("refresh_token", refreshToken)
                .formParam("scope", "syncs:write").when().post("/v1/auth/token").then().statusCode(400)
                .body("error", equalTo("invalid_scope"));
        // A refused scope did not consume the token; the family keeps its original scope.
        refresh(worker, refreshToken).statusCode(200).body("scope", equalTo("clients:read syncs:read"));
    }

    @Test
    void deleting_the_client_kills_its_refresh_tokens() {
        Client admin = newAdmin();
        Client worker = clientFor(admin.orgId(), "syncs:read");
        String refreshToken = (String) tokens(worker).get("refresh_token");
        bearer(accessToken(admin)).when().delete("/v1/clients/" + worker.clientId()).then().statusCode(204);
        refresh(worker, refreshToken).statusCode(401).body("error", equalTo("invalid_client"));
    }
}
