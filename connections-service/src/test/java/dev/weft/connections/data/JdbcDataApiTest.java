package dev.weft.connections.data;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data API round trip on the machine's real PostgreSQL and MariaDB. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class JdbcDataApiTest {
    private static final String TABLE = "accounts";
    /** In the default schema of a connection without {@code schema} in its config: public, or the connection's database. */
    private static final String LEADS = "leads";
    /** MariaDB's server is shared by every checkout on the machine: its second database gets a name of its own. */
    private static final String MARIADB_RAW = "weft_raw_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @BeforeAll
    static void createTables() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            try (Connection db = target.admin();
                 Statement ddl = db.createStatement()) {
                for (String sql : target.setup(TABLE)) {
                    ddl.execute(sql);
                }
                String leads = target.defaultSchemaWithoutConfig() + "." + LEADS;
                String raw = raw(target);
                boolean postgres = target.provider().equals("postgres");
                for (String sql : List.of(
                        "DROP TABLE IF EXISTS " + leads,
                        "CREATE TABLE " + leads + " (id bigint PRIMARY KEY, name varchar(100) NOT NULL)",
                        postgres ? "CREATE SCHEMA IF NOT EXISTS " + raw : "CREATE DATABASE IF NOT EXISTS " + raw,
                        "DROP TABLE IF EXISTS " + raw + ".contacts",
                        "CREATE TABLE " + raw + ".contacts (id bigint PRIMARY KEY, email varchar(200) NOT NULL, name varchar(100),"
                                + (postgres ? " updated_at timestamptz NOT NULL DEFAULT now())"
                                : " updated_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))"))) {
                    ddl.execute(sql);
                }
            }
        }
    }

    @AfterAll
    static void dropTables() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            try (Connection db = target.admin();
                 Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS " + target.defaultSchemaWithoutConfig() + "." + LEADS);
                ddl.execute(target.provider().equals("postgres") ? "DROP SCHEMA IF EXISTS " + raw(target) + " CASCADE" : "DROP DATABASE IF EXISTS " + raw(target));
            }
        }
    }

    /** The schema (database, on MariaDB) beside the connection's default one: PostgreSQL's is {@code raw}, in this module's own database. */
    private static String raw(Databases.Target target) {
        return target.provider().equals("postgres") ? "raw" : MARIADB_RAW;
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
                    .then().statusCode(200).body("summary.succeeded", equalTo(300)).body("summary.failed", equalTo(0))
                    .body("summary.created", equalTo(300)).body("summary.updated", equalTo(0)).body("results[0].created", equalTo(true));

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
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(2))
                    // Both tell an upsert's inserts from its updates: PostgreSQL from the statement, MariaDB from a look-up before it.
                    .body("summary.created", equalTo(1)).body("summary.updated", equalTo(1))
                    .body("results[0].created", equalTo(false)).body("results[1].created", equalTo(true));
            Api.as(org).body(Map.of("object", TABLE, "filter", "region = 'apac'")).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data", hasSize(2));
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", List.of(Map.of("id", 1, "name", "dup", "region", "x", "amount", 1),
                            Map.of("id", 5000, "name", "fine", "region", "x", "amount", 1))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200)
                    .body("summary.failed", equalTo(1)).body("results[0].success", equalTo(false)).body("results[1].success", equalTo(true));
            Api.as(org).body(Map.of("object", TABLE, "mode", "delete", "key", List.of("id"), "records", List.of(Map.of("id", 5000))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(1))
                    .body("results[0]", not(hasKey("code")));
            // Again: no record has the key any more, which a caller can tell from other refusals by its code.
            Api.as(org).body(Map.of("object", TABLE, "mode", "delete", "key", List.of("id"), "records", List.of(Map.of("id", 5000))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.failed", equalTo(1))
                    .body("results[0].code", equalTo("not_found")).body("results[0].error", equalTo("no record with key 5000"));
            Api.as(org).body(Map.of("object", TABLE, "mode", "delete", "key", List.of("id"), "records", List.of(Map.of("id", 5000)), "answer", "failures"))
                    .post("/internal/v1/connections/" + id + "/write").then().statusCode(200).body("failures[0].code", equalTo("not_found"));
            cleanup(target);
        }
    }

    @Test
    void a_decimal_written_and_read_through_the_data_api_keeps_every_digit_and_its_scale() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            String table = "exact_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            try (Connection db = target.admin(); Statement ddl = db.createStatement()) {
                ddl.execute("CREATE TABLE " + target.qualified(table) + " (id bigint PRIMARY KEY, big decimal(30,4), price decimal(10,2))");
            }
            try {
                // As a client sends it: JSON numbers, one of 22 significant digits, one with a trailing zero.
                String body = "{\"object\":\"" + table + "\",\"mode\":\"insert\",\"records\":["
                        + "{\"id\":1,\"big\":123456789012345678.9012,\"price\":2.50},{\"id\":2,\"big\":-99999999999999.9999,\"price\":0.10}]}";
                Api.as(org).body(body).post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(2));
                try (Connection db = target.admin(); Statement sql = db.createStatement();
                     ResultSet r = sql.executeQuery("SELECT big, price FROM " + target.qualified(table) + " ORDER BY id")) {
                    r.next();
                    assertEquals(new java.math.BigDecimal("123456789012345678.9012"), r.getBigDecimal(1), target.name());
                    assertEquals(new java.math.BigDecimal("2.50"), r.getBigDecimal(2), target.name());
                    r.next();
                    assertEquals(new java.math.BigDecimal("-99999999999999.9999"), r.getBigDecimal(1), target.name());
                }
                String read = Api.as(org).body(Map.of("object", table, "filter", "id = 1")).post("/v1/data/" + id + "/query").then().statusCode(200)
                        .extract().asString();
                assertTrue(read.contains("\"big\":123456789012345678.9012"), target.name() + ": " + read);
                assertTrue(read.contains("\"price\":2.50"), target.name() + ": " + read);
            } finally {
                try (Connection db = target.admin(); Statement ddl = db.createStatement()) {
                    ddl.execute("DROP TABLE IF EXISTS " + target.qualified(table));
                }
            }
        }
    }

    @Test
    void an_upsert_tells_each_created_record_from_each_updated_one_across_statements_and_repeated_keys() {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            List<Map<String, Object>> first = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                first.add(Map.of("id", 100_000 + 2 * i, "name", "even " + i));
            }
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", first)).post("/v1/data/" + id + "/write").then().statusCode(200)
                    .body("summary.created", equalTo(600));
            // 1,200 records (more than one statement's, or one look-up's, worth): the even ids exist, the odd ones are new.
            List<Map<String, Object>> both = new ArrayList<>();
            for (int i = 0; i < 1_200; i++) {
                both.add(Map.of("id", 100_000 + i, "name", "again " + i));
            }
            Response upsert = Api.as(org).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"), "records", both))
                    .post("/v1/data/" + id + "/write");
            upsert.then().statusCode(200).body("summary.succeeded", equalTo(1_200)).body("summary.created", equalTo(600))
                    .body("summary.updated", equalTo(600));
            List<Boolean> created = upsert.path("results.created");
            for (int i = 0; i < 1_200; i++) {
                assertEquals(i % 2 == 1, created.get(i), target.name() + " record " + i);
            }
            // Written again unchanged: all updated (MariaDB's row count says 1 for these, as for an insert).
            Api.as(org).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"), "records", both.subList(0, 10)))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.created", equalTo(0)).body("summary.updated", equalTo(10));
            // A key twice in one batch (PostgreSQL's statement refuses to touch a row twice, so that batch runs record by record).
            Api.as(org).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"), "records",
                            List.of(Map.of("id", 100_000, "name", "x"), Map.of("id", 200_000, "name", "new"), Map.of("id", 200_000, "name", "new again"))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(3))
                    .body("results.created", equalTo(List.of(false, true, false))).body("summary.created", equalTo(1)).body("summary.updated", equalTo(2));
            cleanup(target);
        }
    }

    @Test
    void a_mariadb_upsert_finds_an_existing_key_as_the_columns_collation_compares_it() throws Exception {
        Databases.Target target = Databases.targets().stream().filter(t -> t.provider().equals("mysql")).findFirst().orElseThrow();
        String org = Api.newOrg();
        String id = connect(org, target);
        String table = "codes_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (Connection db = target.admin(); Statement ddl = db.createStatement()) {
            // A case-insensitive collation: 'ABC' and 'abc' are one key.
            ddl.execute("CREATE TABLE " + target.qualified(table) + " (code varchar(20) COLLATE utf8mb4_general_ci NOT NULL, region varchar(10) NOT NULL,"
                    + " name text, PRIMARY KEY (code, region))");
        }
        try {
            Api.as(org).body(Map.of("object", table, "mode", "insert", "records", List.of(Map.of("code", "abc", "region", "eu", "name", "first"))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.created", equalTo(1));
            Api.as(org).body(Map.of("object", table, "mode", "upsert", "key", List.of("code", "region"), "records", List.of(
                            Map.of("code", "ABC", "region", "eu", "name", "same key"), Map.of("code", "abc", "region", "us", "name", "new"))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200)
                    .body("results.created", equalTo(List.of(false, true))).body("summary.created", equalTo(1)).body("summary.updated", equalTo(1));
            try (Connection db = target.admin(); Statement sql = db.createStatement();
                 ResultSet r = sql.executeQuery("SELECT COUNT(*), MAX(CASE WHEN region = 'eu' THEN name END) FROM " + target.qualified(table))) {
                r.next();
                assertEquals(2, r.getInt(1));
                assertEquals("same key", r.getString(2));
            }
        } finally {
            try (Connection db = target.admin(); Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS " + target.qualified(table));
            }
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
            int readAll = 0;
            String cursor = null;
            boolean more = true;
            // What a sync run's percent rests on: before each read, the count after its cursor is what the reads still return.
            int total = Api.as(org).body(Map.of("object", TABLE)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(200).extract().path("count");
            while (more) {
                Map<String, Object> request = new LinkedHashMap<>(Map.of("object", TABLE, "batch_size", 4000));
                if (cursor != null) {
                    request.put("cursor", cursor);
                    Api.as(org).body(Map.of("object", TABLE, "after", cursor)).post("/internal/v1/connections/" + id + "/count")
                            .then().statusCode(200).body("count", equalTo(total - readAll));
                }
                Response batch = Api.as(org).body(request).post("/internal/v1/connections/" + id + "/read");
                batch.then().statusCode(200);
                List<Map<String, Object>> data = batch.path("data");
                readAll += data.size();
                read += (int) data.stream().filter(r -> "bulk".equals(r.get("region"))).count();
                cursor = batch.path("pagination.next_cursor");
                more = batch.path("pagination.has_more");
            }
            assertEquals(10_000, read, target.name() + ": every written record streamed back");
            Api.as(org).body(Map.of("object", TABLE, "after", cursor)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(200).body("count", equalTo(0));
            // A cursor altered, or sealed for another object, is refused; so is one beside a cursor_field.
            Api.as(org).body(Map.of("object", TABLE, "after", "bm9wZQ.AAAA")).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
            Api.as(org).body(Map.of("object", LEADS, "after", cursor)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
            Api.as(org).body(Map.of("object", TABLE, "after", cursor, "cursor_field", "id", "cursor", 1)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(400).body("error.details.field", equalTo("after"));
            cleanup(target);
        }
    }

    @Test
    void a_read_follows_the_cursor_field_it_asks_for_and_its_cursors_serve_no_other_field() {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            // Describe offers the default cursor field first, then every integer, number, date or timestamp column; no text.
            Api.as(org).get("/v1/data/" + id + "/objects").then().statusCode(200)
                    .body("data.find { it.name == '" + TABLE + "' }.cursor_field", equalTo("updated_at"))
                    .body("data.find { it.name == '" + TABLE + "' }.cursor_fields", equalTo(List.of("updated_at", "id", "amount")));
            // amount runs against id, and two records have none: a read by amount returns those first, then by amount.
            List<Map<String, Object>> records = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                Map<String, Object> record = new LinkedHashMap<>(Map.of("id", i, "name", "R" + i, "region", "r"));
                record.put("amount", i == 5 || i == 12 ? null : (21 - i) * 10);
                records.add(record);
            }
            Api.as(org).body(Map.of("object", TABLE, "mode", "insert", "records", records)).post("/v1/data/" + id + "/write")
                    .then().statusCode(200).body("summary.succeeded", equalTo(20));
            List<Integer> expected = new ArrayList<>(List.of(5, 12));
            for (int i = 20; i >= 1; i--) {
                if (i != 5 && i != 12) {
                    expected.add(i);
                }
            }
            List<Integer> ids = new ArrayList<>();
            String cursor = null;
            String middle = null;
            boolean more = true;
            while (more) {
                Map<String, Object> request = new LinkedHashMap<>(Map.of("object", TABLE, "cursor_field", "AMOUNT", "batch_size", 6));
                if (cursor != null) {
                    request.put("cursor", cursor);
                }
                Response batch = Api.as(org).body(request).post("/internal/v1/connections/" + id + "/read");
                batch.then().statusCode(200);
                List<Map<String, Object>> data = batch.path("data");
                data.forEach(r -> ids.add(((Number) r.get("id")).intValue()));
                cursor = batch.path("pagination.next_cursor");
                more = batch.path("pagination.has_more");
                if (ids.size() == 12) {
                    middle = cursor;
                }
            }
            assertEquals(expected, ids, target.name() + ": null amounts first, then by amount");
            // The count after a read by amount is what the reads by amount still return.
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "amount", "after", middle)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(200).body("count", equalTo(8));
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "amount", "after", cursor)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(200).body("count", equalTo(0));

            // Changes by amount after the last cursor: a new record and one whose amount rose past the others; nothing else.
            Api.as(org).body(Map.of("object", TABLE, "mode", "upsert", "key", List.of("id"), "records", List.of(
                    Map.of("id", 21, "name", "R21", "region", "r", "amount", 500), Map.of("id", 3, "name", "R3", "region", "r", "amount", 400))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200);
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "amount", "cursor", cursor, "batch_size", 6)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(200).body("data.id", equalTo(List.of(3, 21))).body("pagination.has_more", equalTo(false));

            // A cursor serves the field it was read by: not the default read, nor a read by another field, nor a count of either.
            Api.as(org).body(Map.of("object", TABLE, "cursor", cursor)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(400).body("error.details.field", equalTo("cursor"));
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "id", "cursor", cursor)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(400).body("error.details.field", equalTo("cursor"));
            Api.as(org).body(Map.of("object", TABLE, "after", cursor)).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
            String byDefault = Api.as(org).body(Map.of("object", TABLE, "batch_size", 5)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(200).extract().path("pagination.next_cursor");
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "amount", "cursor", byDefault)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(400).body("error.details.field", equalTo("cursor"));
            // Naming the default is the default read: its cursors serve both.
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "updated_at", "cursor", byDefault, "batch_size", 5))
                    .post("/internal/v1/connections/" + id + "/read").then().statusCode(200).body("data", hasSize(5));
            // A text column, or no column, is no cursor field.
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "name")).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(400).body("error.details.field", equalTo("cursor_field"))
                    .body("error.message", containsString("[updated_at, id, amount]"));
            Api.as(org).body(Map.of("object", TABLE, "cursor_field", "colour")).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(400).body("error.details.field", equalTo("cursor_field"));
            cleanup(target);
        }
    }

    @Test
    void a_read_by_a_column_of_a_composite_key_pages_every_row_once() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            String lines = target.qualified("order_lines");
            try (Connection db = target.admin();
                 Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS " + lines);
                ddl.execute("CREATE TABLE " + lines + " (batch_no bigint NOT NULL, line_no bigint NOT NULL, note varchar(50),"
                        + " PRIMARY KEY (batch_no, line_no))");
                ddl.execute("INSERT INTO " + lines + " (batch_no, line_no, note) VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 3, 'c'), (1, 4, 'd'),"
                        + " (2, 1, 'e'), (2, 2, 'f'), (2, 3, 'g'), (3, 1, 'h'), (3, 2, 'i'), (3, 3, 'j')");
            }
            String org = Api.newOrg();
            String id = connect(org, target);
            // By the key's first column and by its second: each batch continues after the last (cursor field, key) read.
            for (String by : List.of("batch_no", "line_no")) {
                List<String> read = new ArrayList<>();
                String cursor = null;
                String afterFour = null;
                boolean more = true;
                while (more) {
                    Map<String, Object> request = new LinkedHashMap<>(Map.of("object", "order_lines", "cursor_field", by, "batch_size", 3));
                    if (cursor != null) {
                        request.put("cursor", cursor);
                    }
                    Response batch = Api.as(org).body(request).post("/internal/v1/connections/" + id + "/read");
                    batch.then().statusCode(200);
                    List<Map<String, Object>> data = batch.path("data");
                    data.forEach(r -> read.add(r.get("batch_no") + "." + r.get("line_no")));
                    cursor = batch.path("pagination.next_cursor");
                    more = batch.path("pagination.has_more");
                    if (read.size() == 3) {
                        afterFour = cursor;
                    }
                }
                List<String> expected = by.equals("batch_no")
                        ? List.of("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3")
                        : List.of("1.1", "2.1", "3.1", "1.2", "2.2", "3.2", "1.3", "2.3", "3.3", "1.4");
                assertEquals(expected, read, target.name() + ", by " + by);
                Api.as(org).body(Map.of("object", "order_lines", "cursor_field", by, "after", afterFour)).post("/internal/v1/connections/" + id + "/count")
                        .then().statusCode(200).body("count", equalTo(7));
            }
            try (Connection db = target.admin();
                 Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE " + lines);
            }
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

    @Test
    void a_connection_without_a_schema_names_its_default_schemas_tables_bare_or_qualified() {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = Api.as(org).body(target.connectionBodyWithoutSchema()).post("/v1/connections").then().statusCode(201).extract().path("id");
            String qualified = target.defaultSchemaWithoutConfig() + "." + LEADS;

            List<String> names = Api.as(org).get("/v1/data/" + id + "/objects").then().statusCode(200).extract().path("data.name");
            assertTrue(names.contains(LEADS), target.name() + ": " + names);
            assertFalse(names.contains(qualified), target.name() + ": the default schema's tables are listed bare");
            assertTrue(names.contains(raw(target) + ".contacts"), target.name() + ": " + names);

            Api.as(org).body(Map.of("object", qualified, "records", List.of(Map.of("id", 1, "name", "Ada"), Map.of("id", 2, "name", "Grace"),
                            Map.of("id", 3, "name", "Alan")))).post("/v1/data/" + id + "/write")
                    .then().statusCode(200).body("object", equalTo(LEADS)).body("summary.succeeded", equalTo(3));
            for (String name : List.of(LEADS, qualified, qualified.toUpperCase(Locale.ROOT))) {
                Api.as(org).body(Map.of("object", name, "fields", List.of("name"), "filter", "id >= 2")).post("/v1/data/" + id + "/query")
                        .then().statusCode(200).body("data.name", equalTo(List.of("Grace", "Alan")));
            }
            // one object, whatever it was called: a cursor of one spelling continues the other
            Response first = Api.as(org).body(Map.of("object", qualified, "limit", 2)).post("/v1/data/" + id + "/query");
            first.then().statusCode(200).body("data", hasSize(2)).body("pagination.has_more", equalTo(true));
            Api.as(org).body(Map.of("object", LEADS, "limit", 2, "cursor", first.path("pagination.next_cursor"))).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data.name", equalTo(List.of("Alan"))).body("pagination.has_more", equalTo(false));
            Api.as(org).body(Map.of("object", qualified, "batch_size", 10)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(200).body("data", hasSize(3));
            Api.as(org).body(Map.of("object", qualified, "mode", "delete", "records", List.of(Map.of("id", 1), Map.of("id", 2), Map.of("id", 3))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(3));
        }
    }

    @Test
    void a_table_in_another_schema_is_listed_queried_read_and_written_by_its_qualified_name() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = connect(org, target);
            String contacts = raw(target) + ".contacts";

            Response objects = Api.as(org).get("/v1/data/" + id + "/objects");
            objects.then().statusCode(200);
            List<Map<String, Object>> listed = objects.path("data");
            Map<String, Object> described = listed.stream().filter(o -> contacts.equals(o.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(target.name() + ": " + contacts + " not listed"));
            assertEquals(List.of("id"), described.get("primary_key"));
            assertEquals("updated_at", described.get("cursor_field"));
            assertEquals(List.of("id", "email", "name", "updated_at"), ((List<?>) described.get("fields")).stream()
                    .map(f -> ((Map<?, ?>) f).get("name")).toList());
            assertTrue(listed.stream().anyMatch(o -> TABLE.equals(o.get("name"))), target.name() + ": the default schema's tables stay bare");

            Api.as(org).body(Map.of("object", contacts, "records", List.of(Map.of("id", 1, "email", "ada@example.com", "name", "Ada"),
                            Map.of("id", 2, "email", "grace@example.com"))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("object", equalTo(contacts)).body("summary.succeeded", equalTo(2));
            Api.as(org).body(Map.of("object", contacts, "mode", "upsert", "key", List.of("id"), "records",
                            List.of(Map.of("id", 2, "email", "grace@example.com", "name", "Grace"), Map.of("id", 3, "email", "alan@example.com", "name", "Alan"))))
                    .post("/internal/v1/connections/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(2));
            Api.as(org).body(Map.of("object", contacts, "mode", "delete", "records", List.of(Map.of("id", 1))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(1));

            Api.as(org).body(Map.of("object", contacts, "fields", List.of("id", "name"), "filter", "email LIKE '%@example.com' AND name IS NOT NULL"))
                    .post("/v1/data/" + id + "/query").then().statusCode(200).body("data.name", equalTo(List.of("Grace", "Alan")));
            Api.as(org).body(Map.of("object", contacts.toUpperCase(Locale.ROOT), "filter", "id = 3")).post("/v1/data/" + id + "/query")
                    .then().statusCode(200).body("data[0].email", equalTo("alan@example.com"));
            Api.as(org).body(Map.of("object", contacts, "fields", List.of("id", "email"), "batch_size", 10)).post("/internal/v1/connections/" + id + "/read")
                    .then().statusCode(200).body("data", hasSize(2)).body("pagination.has_more", equalTo(false));
            Api.as(org).body(Map.of("object", contacts, "fields", List.of("phone"))).post("/v1/data/" + id + "/query")
                    .then().statusCode(400).body("error.details.field", equalTo("fields[0]"));

            try (Connection db = target.admin();
                 Statement statement = db.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id, name FROM " + contacts + " ORDER BY id")) {
                List<String> stored = new ArrayList<>();
                while (rows.next()) {
                    stored.add(rows.getLong(1) + ":" + rows.getString(2));
                }
                assertEquals(List.of("2:Grace", "3:Alan"), stored, target.name() + ": the writes landed in " + contacts);
                statement.execute("DELETE FROM " + contacts);
            }
        }
    }

    @Test
    void unknown_schemas_and_tables_and_names_carrying_sql_are_400s_that_run_nothing() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            String org = Api.newOrg();
            String id = Api.as(org).body(target.connectionBodyWithoutSchema()).post("/v1/connections").then().statusCode(201).extract().path("id");
            String schema = target.defaultSchemaWithoutConfig();
            String contacts = raw(target) + ".contacts";
            try (Connection db = target.admin(); Statement statement = db.createStatement()) {
                statement.execute("INSERT INTO " + contacts + " (id, email) VALUES (7, 'kept@example.com')");
            }
            for (String name : List.of("no_such_schema." + LEADS, raw(target) + ".no_such_table", schema + ".", "." + LEADS,
                    schema + "." + LEADS + "; drop table " + contacts, contacts + "; DELETE FROM " + contacts + "; --",
                    raw(target) + "\".\"contacts", raw(target) + "`.`contacts", schema + "." + LEADS + "\"; DROP TABLE " + contacts + "; --")) {
                Api.as(org).body(Map.of("object", name)).post("/v1/data/" + id + "/query").then().statusCode(400)
                        .body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo("object"))
                        .body("error.details.constraint", equalTo("known_object")).body("error.message", containsString(name));
                Api.as(org).body(Map.of("object", name, "mode", "delete", "key", List.of("id"), "records", List.of(Map.of("id", 7))))
                        .post("/v1/data/" + id + "/write").then().statusCode(400).body("error.details.field", equalTo("object"));
                Api.as(org).body(Map.of("object", name)).post("/internal/v1/connections/" + id + "/read").then().statusCode(400)
                        .body("error.details.field", equalTo("object"));
            }
            try (Connection db = target.admin(); Statement statement = db.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + contacts + " WHERE id = 7")) {
                rows.next();
                assertEquals(1, rows.getLong(1), target.name() + ": " + contacts + " and its row are untouched");
                statement.execute("DELETE FROM " + contacts);
            }
        }
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
