package dev.weft.auth;

import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ClientManagementTest extends AuthTestSupport {

    @Test
    void admin_creates_a_client_whose_secret_is_shown_once() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        var created = bearer(token).body("{\"name\":\"sync worker\",\"scopes\":[\"syncs:write\",\"syncs:read\"]}")
                .when().post("/v1/clients").then().statusCode(201)
                .body("client_id", startsWith("cli_")).body("client_secret", startsWith("wcs_"))
                .body("scopes", contains("syncs:read", "syncs:write")).extract();
        String id = created.path("client_id");
        bearer(token).when().get("/v1/clients/" + id).then().statusCode(200).body("id", equalTo(id))
                .body("name", equalTo("sync worker")).body("client_secret", nullValue());
        bearer(token).when().get("/v1/clients").then().statusCode(200).body("data.id", hasItem(id))
                .body("data.client_secret", not(hasItem(notNullValue())));
        // The new client can get a token with its secret.
        tokenJson(id, created.path("client_secret")).statusCode(200).body("scope", equalTo("syncs:read syncs:write"));
    }

    @Test
    void rotating_the_secret_retires_the_old_one() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        Client worker = clientFor(admin.orgId(), "syncs:read");
        String newSecret = bearer(token).when().post("/v1/clients/" + worker.clientId() + "/rotate-secret").then().statusCode(200)
                .body("client_secret", startsWith("wcs_")).body("secret_rotated_at", notNullValue()).extract().path("client_secret");
        tokenJson(worker.clientId(), worker.secret()).statusCode(401).body("error", equalTo("invalid_client"));
        tokenJson(worker.clientId(), newSecret).statusCode(200);
    }

    @Test
    void deleting_a_client_stops_its_tokens() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        Client worker = clientFor(admin.orgId(), "syncs:read");
        bearer(token).when().delete("/v1/clients/" + worker.clientId()).then().statusCode(204);
        bearer(token).when().get("/v1/clients/" + worker.clientId()).then().statusCode(404);
        bearer(token).when().delete("/v1/clients/" + worker.clientId()).then().statusCode(404);
        tokenJson(worker.clientId(), worker.secret()).statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void a_client_cannot_grant_scopes_it_does_not_hold() {
        Client admin = newAdmin();
        Client manager = clientFor(admin.orgId(), "clients:write", "clients:read", "syncs:read");
        String token = accessToken(manager);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"admin\"]}").when().post("/v1/clients").then().statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE")).body("error.details.scope", equalTo("admin"));
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"syncs:write\"]}").when().post("/v1/clients").then().statusCode(403);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"syncs:read\"]}").when().post("/v1/clients").then().statusCode(201);
        Client reader = clientFor(admin.orgId(), "clients:read");
        bearer(accessToken(reader)).body("{\"name\":\"x\",\"scopes\":[\"clients:read\"]}").when().post("/v1/clients").then()
                .statusCode(403).body("error.details.required_scope", equalTo("clients:write"));
        bearer(accessToken(clientFor(admin.orgId(), "syncs:read"))).when().get("/v1/clients").then().statusCode(403);
    }

    @Test
    void hostile_client_input_is_a_4xx_in_the_error_shape() {
        String token = accessToken(newAdmin());
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"operator\"]}").when().post("/v1/clients").then().statusCode(400)
                .body("error.details.field", equalTo("scopes"));
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"Not A Scope\"]}").when().post("/v1/clients").then().statusCode(400);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[]}").when().post("/v1/clients").then().statusCode(400);
        bearer(token).body("{\"name\":\"x\"}").when().post("/v1/clients").then().statusCode(400).body("error.details.field", equalTo("scopes"));
        bearer(token).body("{\"name\":\"x\",\"scopes\":\"admin\"}").when().post("/v1/clients").then().statusCode(400);
        bearer(token).body("{\"name\":\"x\",\"scopes\":[\"admin\"],\"secret\":\"mine\"}").when().post("/v1/clients").then().statusCode(400)
                .body("error.details.constraint", equalTo("unknown_field"));
        bearer(token).body("[1,2").when().post("/v1/clients").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        bearer(token).when().get("/v1/clients/cli_garbage").then().statusCode(404);
        bearer(token).when().get("/v1/clients/org_01h455vb4pex5vsknk084sn02q").then().statusCode(404);
        bearer(token).when().post("/v1/clients/cli_01h455vb4pex5vsknk084sn02q/rotate-secret").then().statusCode(404);
        bearer(token).queryParam("limit", 1000).when().get("/v1/clients").then().statusCode(400);
    }

    @Test
    void another_orgs_admin_gets_404_for_every_client_endpoint() {
        Client adminA = newAdmin();
        Client workerA = clientFor(adminA.orgId(), "syncs:read");
        String tokenB = accessToken(newAdmin());
        bearer(tokenB).when().get("/v1/clients/" + workerA.clientId()).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        bearer(tokenB).when().post("/v1/clients/" + workerA.clientId() + "/rotate-secret").then().statusCode(404);
        bearer(tokenB).when().delete("/v1/clients/" + workerA.clientId()).then().statusCode(404);
        bearer(tokenB).when().get("/v1/clients").then().statusCode(200)
                .body("data.id", not(hasItem(workerA.clientId()))).body("data.id", not(hasItem(adminA.clientId())));
        bearer(tokenB).when().get("/v1/orgs/" + adminA.orgId()).then().statusCode(404);
        // Org A's client is untouched.
        tokenJson(workerA.clientId(), workerA.secret()).statusCode(200);
        bearer(accessToken(adminA)).when().get("/v1/clients").then().statusCode(200)
                .body("data.id", containsInAnyOrder(adminA.clientId(), workerA.clientId()));
    }

    @Test
    void clients_page_with_cursors() {
        Client admin = newAdmin();
        for (int i = 0; i < 3; i++) {
            clientFor(admin.orgId(), "syncs:read");
        }
        String token = accessToken(admin);
        var first = bearer(token).queryParam("limit", 3).when().get("/v1/clients").then().statusCode(200)
                .body("pagination.has_more", equalTo(true)).extract();
        List<String> firstIds = first.path("data.id");
        bearer(token).queryParam("limit", 3).queryParam("cursor", (String) first.path("pagination.next_cursor"))
                .when().get("/v1/clients").then().statusCode(200).body("data.size()", equalTo(1))
                .body("data.id", not(hasItem(firstIds.get(0)))).body("pagination.has_more", equalTo(false));
    }
}
