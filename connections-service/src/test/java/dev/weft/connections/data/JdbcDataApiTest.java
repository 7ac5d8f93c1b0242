package dev.weft.connections.data;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data API round trip on the machine's real PostgreSQL and MariaDB. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class JdbcDataApiTest {
    private static final String TABLE = "accounts";

    @BeforeAll
    static void createTables() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            try (Connection db = target.admin();
                 Statement ddl = db.createStatement()) {
                for (String sql : target.setup(TABLE)) {
                    ddl.execute(sql);
                }
            }
        }
    }

    private static String connect(String org, Databases.Target target) {
        return Api.as(org).body(target.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    @Test
    void writes_and_queries_round_trip_with_filters_and_cursors() {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            List<Map<String, Object>> records = new ArrayList<>();
            for (int i = 1; i <= 300; i++) {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("id", i);
                record.put("name", "Account " + i);
                record.put("region", i % 3 == 0 ? "emea" : "amer");
                record.put("amount", i * 10);
                records.add(record);
            }
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", records)).post("/v1/data/" + id + "/write")
                    .then().statusCode(200).body("summary.succeeded", equalTo(300)).body("summary.failed", equalTo(0));

            Set<Object> seen = new HashSet<>();
            String cursor = null;
            int pages = 0;
            do {
                Map<String, Object> query = new LinkedHashMap<>();
                query.put("object", TABLE);
                query.put("fields", List.of("id", "name", "amount"));
                query.put("filter", "region = 'emea' AND amount > 1000");
                query.put("limit", 30);
                if (cursor != null) {
                    query.put("cursor", cursor);
                }
                Response page = Api.as(org).body(query).post("/v1/data/" + id + "/query");
                page.then().statusCode(200);
                List<Map<String, Object>> data = page.path("data");
                data.forEach(r -> assertTrue(seen.add(r.get("id")), target.name() + ": no record twice"));
                data.forEach(r -> assertTrue(((Number) r.get("amount")).intValue() > 1000));
                cursor = page.path("pagination.has_more") ? page.path("pagination.next_cursor") : null;
                pages++;
            } while (cursor != null);
            // ids 3..300 step 3 with amount > 1000 are ids 102..300: 67 records.
            assertEquals(67, seen.size(), target.name());
            assertEquals(3, pages, target.name());

            Api.as(org).body(Map.of("object", TABLE, "filter", "id IN (3, 6, 7) AND name LIKE 'Account %'")).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data", hasSize(3)).body("pagination.next_cursor", nullValue());
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", List.of(Map.of("id", 2000, "name", "No region"))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200);
            Response nulls = Api.as(org).body(Map.of("object", TABLE, "fields", List.of("id", "region"), "filter", "region IS NULL"))
                    .post("/v1/data/" + id + "/query");
            nulls.then().statusCode(200).body("data", hasSize(1));
            assertTrue(nulls.asString().contains("\"region\":null"), target.name() + ": a NULL column is a null field, not a missing one: " + nulls.asString());
            Api.as(org).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"),
                            "records", List.of(Map.of("id", 3, "name", "Renamed", "region", "apac", "amount", 5), Map.of("id", 1001, "name", "New", "region", "apac", "amount", 7))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(2));
            Api.as(org).body(Map.of("object", TABLE, "filter", "region = 'apac'")).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data", hasSize(2));
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", List.of(Map.of("id", 1, "name", "dup", "region", "x", "amount", 1),
                            Map.of("id", 5000, "name", "fine", "region", "x", "amount", 1))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200)
                    .body("summary.failed", equalTo(1)).body("results[0].success", equalTo(false)).body("results[1].success", equalTo(true));
            Api.as(org).body(Map.of("object", TABLE, "mode", "delete", "key", List.of("id"), "records", List.of(Map.of("id", 5000))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(1));
            cleanup(target);
        }
    }

    @Test
    void ten_thousand_records_write_and_stream_back() {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            List<Map<String, Object>> records = new ArrayList<>(10_000);
            for (int i = 1; i <= 10_000; i++) {
                records.add(Map.of("id", 100_000 + i, "name", "Bulk " + i, "region", "bulk", "amount", i));
            }
            Api.as(org).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"), "records", records)).post("/v1/data/" + id + "/write")
                    .then().statusCode(200).body("summary.succeeded", equalTo(10_000));

            int read = 0;
            String cursor = null;
            boolean more = true;
            while (more) {
                Map<String, Object> request = new LinkedHashMap<>(Map.of("object", TABLE, "batch_size", 4000));
                if (cursor != null) {
                    request.put("cursor", cursor);
                }
                Response batch = Api.as(org).body(request).post("/internal/v1/connections/" + id + "/read");
                batch.then().statusCode(200);
                List<Map<String, Object>> data = batch.path("data");
                read += (int) data.stream().filter(r -> "bulk".equals(r.get("region"))).count();
                cursor = batch.path("pagination.next_cursor");
                more = batch.path("pagination.has_more");
            }
            assertEquals(10_000, read, target.name() + ": every written record streamed back");
            cleanup(target);
        }
    }

    @Test
    void sql_in_a_filter_is_a_literal_or_a_400_never_executed() {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", List.of(Map.of("id", 42, "name", "victim", "region", "x", "amount", 1))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200);
            Api.as(org).body(Map.of("object", TABLE, "filter", "name = 'x''; DROP TABLE " + TABLE + "; --'")).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data", hasSize(0));
            for (String hostile : List.of("name = 'a'; DROP TABLE " + TABLE, "name = 'a' OR pg_sleep(5) IS NULL", "id IN (SELECT id FROM " + TABLE + ")",
                    "name = region", "1 = 1 UNION SELECT 1")) {
                Api.as(org).body(Map.of("object", TABLE, "filter", hostile)).post("/v1/data/" + id + "/query")
                        .then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo("filter"));
            }
            Api.as(org).body(Map.of("object", TABLE, "filter", "id = 42")).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data[0].name", equalTo("victim"));
            cleanup(target);
        }
    }

    @Test
    void unknown_objects_fields_and_tampered_cursors_are_400s() {
        Databases.Target target = Databases.targets().get(0);
        String org = Api.newOrg();
        String id = connect(org, target);
        Api.as(org).body(Map.of("object", "no_such_table")).post("/v1/data/" + id + "/query").then().statusCode(400)
                .body("error.details.field", equalTo("object"));
        Api.as(org).body(Map.of("object", TABLE, "fields", List.of("id", "password"))).post("/v1/data/" + id + "/query").then().statusCode(400)
                .body("error.details.field", equalTo("fields[1]"));
        Api.as(org).body(Map.of("object", TABLE, "filter", "secret = 1")).post("/v1/data/" + id + "/query").then().statusCode(400)
                .body("error.details.field", equalTo("filter")).body("error.message", containsString("secret"));
        Api.as(org).body(Map.of("object", TABLE, "cursor", "bm9wZQ.AAAA")).post("/v1/data/" + id + "/query").then().statusCode(400)
                .body("error.details.field", equalTo("cursor"));
        Api.as(org).body(Map.of("object", TABLE, "limit", 0)).post("/v1/data/" + id + "/query").then().statusCode(400)
                .body("error.details.field", equalTo("limit"));
        Api.as(org).body(Map.of("object", TABLE, "mode", "update", "records", List.of(Map.of("name", "no key")))).post("/v1/data/" + id + "/write")
                .then().statusCode(400).body("error.details.field", equalTo("records[0].id"));
        Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", List.of(Map.of("id", 1, "colour", "red")))).post("/v1/data/" + id + "/write")
                .then().statusCode(400).body("error.details.field", equalTo("records[0].colour"));
        Api.as(org).body("{\"object\":\"" + TABLE + "\",\"mode\":\"merge\",\"records\":[{}]}").post("/v1/data/" + id + "/write")
                .then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
    }

    private static void cleanup(Databases.Target target) {
        try (Connection db = target.admin();
             Statement delete = db.createStatement()) {
            delete.execute("DELETE FROM " + target.qualified(TABLE));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
