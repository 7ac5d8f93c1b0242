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

    /**
     * The connection a batch call names is reused between calls only while its row is unchanged: a change made through
     * the API is what the very next call works with, and a deleted connection is a 404 at once.
     */
    @Test
    void each_batch_call_sees_the_connection_as_last_changed() throws Exception {
        Databases.Target pg = Databases.postgres();
        try (Connection db = pg.admin(); Statement ddl = db.createStatement()) {
            for (String sql : pg.setup(TABLE)) {
                ddl.execute(sql);
            }
            ddl.execute("INSERT INTO " + pg.qualified(TABLE) + " (id, name) VALUES (1, 'Ada'), (2, 'Grace')");
            ddl.execute("CREATE SCHEMA IF NOT EXISTS internal_elsewhere");
            ddl.execute("DROP TABLE IF EXISTS internal_elsewhere." + TABLE);
            ddl.execute("CREATE TABLE internal_elsewhere." + TABLE + " (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
            ddl.execute("INSERT INTO internal_elsewhere." + TABLE + " (id, name) VALUES (7, 'Barbara')");
        }
        String org = Api.newOrg();
        String id = Api.as(org).body(pg.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        String token = ConnectionsStubs.INTERNAL_TOKEN;
        Map<String, Object> read = Map.of("object", TABLE, "fields", List.of("id", "name"), "batch_size", 10);
        for (int call = 0; call < 3; call++) {
            internal(org, token).body(read).post("/internal/v1/connections/" + id + "/read").then().statusCode(200)
                    .body("data.name", equalTo(List.of("Ada", "Grace")));
        }

        // Another schema: the next read is of that schema's table.
        Map<String, Object> config = Map.of("host", pg.host(), "port", pg.port(), "database", pg.database(), "schema", "internal_elsewhere",
                "ssl_mode", "disable");
        Api.as(org).body(Map.of("config", config)).put("/v1/connections/" + id).then().statusCode(200);
        internal(org, token).body(read).post("/internal/v1/connections/" + id + "/read").then().statusCode(200)
                .body("data.name", equalTo(List.of("Barbara")));

        Api.as(org).delete("/v1/connections/" + id).then().statusCode(204);
        internal(org, token).body(read).post("/internal/v1/connections/" + id + "/read").then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"));
    }
}
