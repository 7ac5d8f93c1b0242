package dev.weft.connections.data;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

/**
 * The internal endpoints as sync-service calls them, with the service-to-service credential and no user: describe,
 * read and write a real PostgreSQL table of the named org's connection; another org's connection is a 404, and the
 * same credential on the public data API is refused.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class InternalEndpointsTest {
    private static final String TABLE = "internal_people";

    private static RequestSpecification internal(String org, String token) {
        return RestAssured.given().header("Authorization", "Weft-Internal " + token).header("X-Weft-Org", org)
                .header("X-Weft-Caller", "sync-service").contentType("application/json");
    }

    @Test
    void sync_service_describes_reads_and_writes_as_the_named_org() throws Exception {
        Databases.Target pg = Databases.postgres();
        try (Connection db = pg.admin(); Statement ddl = db.createStatement()) {
            for (String sql : pg.setup(TABLE)) {
                ddl.execute(sql);
            }
        }
        String org = Api.newOrg();
        String id = Api.as(org).body(pg.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        String token = ConnectionsStubs.INTERNAL_TOKEN;

        internal(org, token).get("/internal/v1/connections/" + id + "/objects").then().statusCode(200)
                .body("data.name", hasItem(TABLE));
        internal(org, token).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"), "records", List.of(
                        Map.of("id", 1, "name", "Ada"), Map.of("id", 2, "name", "Grace"), Map.of("id", 3, "name", "Edsger"))))
                .post("/internal/v1/connections/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(3));
        internal(org, token).body(Map.of("object", TABLE, "fields", List.of("id", "name"), "batch_size", 2))
                .post("/internal/v1/connections/" + id + "/read").then().statusCode(200)
                .body("data", hasSize(2)).body("pagination.has_more", equalTo(true));

        // Another org, the same connection id: as unknown as a made-up one.
        internal(Api.newOrg(), token).get("/internal/v1/connections/" + id + "/objects").then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"));
        // A wrong token, and the right one on a public path.
        internal(org, token + "-not").get("/internal/v1/connections/" + id + "/objects").then().statusCode(401);
        internal(org, token).get("/v1/data/" + id + "/objects").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        internal(org, token).get("/v1/connections/" + id).then().statusCode(401);
    }
}
