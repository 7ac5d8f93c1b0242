package dev.weft.auth;

import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class OrganizationTest extends AuthTestSupport {

    @Test
    void operator_creates_an_org_with_its_plan_limits() {
        operator().body("{\"name\":\"Acme\",\"plan\":\"professional\"}").when().post("/v1/orgs").then().statusCode(201)
                .body("id", startsWith("org_")).body("name", equalTo("Acme")).body("plan", equalTo("professional"))
                .body("limits.requests_per_minute", equalTo(300)).body("limits.requests_per_day", equalTo(100000))
                .body("limits.burst", equalTo(500));
        operator().body("{\"name\":\"Big\",\"plan\":\"enterprise\"}").when().post("/v1/orgs").then().statusCode(201)
                .body("limits.requests_per_minute", equalTo(1000)).body("limits.requests_per_day", nullValue())
                .body("limits.burst", equalTo(2000));
    }

    @Test
    void operator_reads_and_pages_through_orgs() {
        String id = createOrg();
        operator().when().get("/v1/orgs/" + id).then().statusCode(200).body("id", equalTo(id)).body("plan", equalTo("developer"))
                .body("limits.requests_per_minute", equalTo(60)).body("limits.requests_per_day", equalTo(10000));
        createOrg();
        createOrg();
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            var spec = operator().queryParam("limit", 2);
            if (cursor != null) {
                spec.queryParam("cursor", cursor);
            }
            var page = spec.when().get("/v1/orgs").then().statusCode(200).extract();
            List<String> ids = page.path("data.id");
            assertTrue(ids.size() <= 2);
            ids.forEach(seen::add);
            cursor = page.path("pagination.next_cursor");
            pages++;
        } while (cursor != null && pages < 1000);
        assertTrue(seen.contains(id));
        assertTrue(pages >= 2);
    }

    @Test
    void only_the_operator_creates_or_lists_orgs() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        bearer(token).body("{\"name\":\"Mine\",\"plan\":\"developer\"}").when().post("/v1/orgs").then().statusCode(403)
                .body("error.code", equalTo("FORBIDDEN"));
        bearer(token).when().get("/v1/orgs").then().statusCode(403).body("error.code", equalTo("FORBIDDEN"));
        given().contentType("application/json").body("{\"name\":\"x\",\"plan\":\"developer\"}").when().post("/v1/orgs")
                .then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        given().header("Authorization", "Bearer not-the-operator-token").when().get("/v1/orgs")
                .then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void an_admin_reads_its_own_org_and_gets_404_for_others() {
        Client admin = newAdmin();
        String token = accessToken(admin);
        bearer(token).when().get("/v1/orgs/" + admin.orgId()).then().statusCode(200).body("id", equalTo(admin.orgId()));
        bearer(token).when().get("/v1/orgs/" + createOrg()).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        Client reader = clientFor(admin.orgId(), "clients:read");
        bearer(accessToken(reader)).when().get("/v1/orgs/" + admin.orgId()).then().statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE"));
    }

    @Test
    void hostile_org_input_is_a_400_or_404() {
        operator().body("{\"name\":\"x\",\"plan\":\"gold\"}").when().post("/v1/orgs").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST"));
        operator().body("{\"name\":\"x\"}").when().post("/v1/orgs").then().statusCode(400)
                .body("error.details.field", equalTo("plan"));
        operator().body("{\"name\":\"x\",\"plan\":\"developer\",\"owner\":\"me\"}").when().post("/v1/orgs").then().statusCode(400)
                .body("error.details.constraint", equalTo("unknown_field"));
        operator().body("{\"name\":42,\"plan\":[]}").when().post("/v1/orgs").then().statusCode(400);
        operator().body("{\"name\":").when().post("/v1/orgs").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        operator().when().get("/v1/orgs/org_nope").then().statusCode(404);
        operator().when().get("/v1/orgs/org_01h455vb4pex5vsknk084sn02q").then().statusCode(404);
        operator().queryParam("limit", "abc").when().get("/v1/orgs").then().statusCode(400);
        operator().queryParam("cursor", "forged").when().get("/v1/orgs").then().statusCode(400);
        operator().body("{\"name\":\"c\",\"scopes\":[\"admin\"]}").when().post("/v1/orgs/org_01h455vb4pex5vsknk084sn02q/clients")
                .then().statusCode(404);
    }
}
