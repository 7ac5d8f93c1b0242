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
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    @jakarta.inject.Inject
    ReadAhead readAhead;
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
     * A run's next batch is read ahead once a batch's answer is made, and taken by the request that asks for exactly it:
     * the reads of a run give every row once, in order; a request with other fields or another batch size after the same
     * cursor reads itself; and a connection changed since the batch was read ahead is read again, as it now is.
     */
    @Test
    void the_next_batch_is_read_ahead_and_taken_only_by_the_request_it_answers() throws Exception {
        Databases.Target pg = Databases.postgres();
        String table = "internal_ahead";
        try (Connection db = pg.admin(); Statement ddl = db.createStatement()) {
            for (String sql : pg.setup(table)) {
                ddl.execute(sql);
            }
            ddl.execute("INSERT INTO " + pg.qualified(table) + " (id, name, updated_at) SELECT g, 'n' || g, now() - interval '1 hour'"
                    + " FROM generate_series(1, 7) g");
            tableElsewhere(ddl, "internal_ahead_elsewhere", table, "(5, 'elsewhere', now() + interval '1 hour')");
        }
        String org = Api.newOrg();
        String id = Api.as(org).body(pg.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        String token = ConnectionsStubs.INTERNAL_TOKEN;
        String path = "/internal/v1/connections/" + id + "/read";

        // Every row once, in order, two at a time; a batch held ahead while more are left, none after the last.
        List<Object> names = new java.util.ArrayList<>();
        String cursor = null;
        boolean more = true;
        while (more) {
            Map<String, Object> request = new java.util.HashMap<>(Map.of("object", table, "fields", List.of("id", "name"), "batch_size", 2));
            request.put("cursor", cursor);
            var page = internal(org, token).body(request).post(path).then().statusCode(200).extract();
            names.addAll(page.path("data.name"));
            cursor = page.path("pagination.next_cursor");
            more = page.path("pagination.has_more");
            assertEquals(more ? 1 : 0, readAhead.heldFor(id), "batches held ahead after " + names);
        }
        assertEquals(List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7"), names);

        // After the first batch: other fields and another batch size are read as asked, not taken from the batch ahead.
        String first = internal(org, token).body(Map.of("object", table, "fields", List.of("id", "name"), "batch_size", 2)).post(path)
                .then().statusCode(200).extract().path("pagination.next_cursor");
        internal(org, token).body(Map.of("object", table, "fields", List.of("id"), "batch_size", 3, "cursor", first)).post(path)
                .then().statusCode(200).body("data", equalTo(List.of(Map.of("id", 3), Map.of("id", 4), Map.of("id", 5))));
        assertEquals(2, readAhead.heldFor(id), "the batches after each of the two requests");
        // The connection now names another schema: the batch read ahead from the old one is not used.
        switchSchema(org, id, pg, "internal_ahead_elsewhere");
        internal(org, token).body(Map.of("object", table, "fields", List.of("id", "name"), "batch_size", 2, "cursor", first)).post(path)
                .then().statusCode(200).body("data.name", equalTo(List.of("elsewhere")));
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
            tableElsewhere(ddl, "internal_elsewhere", TABLE, "(7, 'Barbara', now())");
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
        switchSchema(org, id, pg, "internal_elsewhere");
        internal(org, token).body(read).post("/internal/v1/connections/" + id + "/read").then().statusCode(200)
                .body("data.name", equalTo(List.of("Barbara")));

        Api.as(org).delete("/v1/connections/" + id).then().statusCode(204);
        internal(org, token).body(read).post("/internal/v1/connections/" + id + "/read").then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"));
    }

    /** A table of the same name in another schema, holding one row: what the connection reads once switched there. */
    private static void tableElsewhere(Statement ddl, String schema, String table, String row) throws java.sql.SQLException {
        ddl.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        ddl.execute("DROP TABLE IF EXISTS " + schema + "." + table);
        ddl.execute("CREATE TABLE " + schema + "." + table + " (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
        ddl.execute("INSERT INTO " + schema + "." + table + " (id, name, updated_at) VALUES " + row);
    }

    /** Points the connection at another schema of the same database, through the API. */
    private static void switchSchema(String org, String id, Databases.Target pg, String schema) {
        Map<String, Object> config = Map.of("host", pg.host(), "port", pg.port(), "database", pg.database(), "schema", schema, "ssl_mode", "disable");
        Api.as(org).body(Map.of("config", config)).put("/v1/connections/" + id).then().statusCode(200);
    }
}
