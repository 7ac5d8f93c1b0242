package dev.weft.sync.transform;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** /v1/transforms through the HTTP API: seed 000's transform as written, JSONata, errors placed in the code, the sandbox. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class TransformApiTest {
    /** Seed 000's "Format Phone Numbers" body exactly as the seed prints it: the code between backticks, not JSON-quoted. */
    static final String SEED_BODY = "{ \"name\": \"Format Phone Numbers\", \"type\": \"javascript\", \"code\": ` module.exports = (record) => { "
            + "if (record.Phone) { record.Phone = record.Phone.replace(/[^0-9]/g, ''); if (record.Phone.length === 10) { "
            + "record.Phone = '+1' + record.Phone; } } return record; }; ` }";

    static String newOrg() {
        return TypeId.generate("org");
    }

    static RequestSpecification as(String org) {
        return RestAssured.given().header("Authorization", TestCredentials.bearer(org, "syncs:read", "syncs:write")).contentType(ContentType.JSON);
    }

    static String create(String org, Object body) {
        return as(org).body(body).post("/v1/transforms").then().statusCode(201).extract().path("id");
    }

    static Response test(String org, String id, List<Map<String, Object>> records) {
        return as(org).body(Map.of("records", records)).post("/v1/transforms/" + id + "/test");
    }

    @Test
    void the_seed_transform_is_created_as_written_and_formats_phone_numbers() {
        String org = newOrg();
        Response created = as(org).body(SEED_BODY).post("/v1/transforms");
        created.then().statusCode(201).body("id", startsWith("tfm_")).body("name", equalTo("Format Phone Numbers"))
                .body("type", equalTo("javascript")).body("code", containsString("module.exports = (record) =>"))
                .body("created_at", notNullValue());
        String id = created.path("id");
        Map<String, Object> noPhone = new LinkedHashMap<>();
        noPhone.put("Email", "grace@example.com");
        noPhone.put("Title", null);
        test(org, id, List.of(Map.of("Phone", "(555) 123-4567", "Email", "ada@example.com"), Map.of("Phone", "+44 20 7946 0958"), noPhone))
                .then().statusCode(200).body("transform_id", equalTo(id)).body("succeeded", equalTo(3)).body("failed", equalTo(0))
                .body("results[0].status", equalTo("ok"))
                .body("results[0].output.Phone", equalTo("+15551234567")).body("results[0].output.Email", equalTo("ada@example.com"))
                .body("results[1].output.Phone", equalTo("442079460958"))
                .body("results[2].output.Email", equalTo("grace@example.com")).body("results[2].output", hasKey("Title"));
        // The same code sent as an ordinary JSON string, and with its backticks inside the string, works the same.
        String quoted = create(org, Map.of("name", "quoted", "type", "javascript",
                "code", "module.exports = (record) => { record.Phone = record.Phone.replace(/[^0-9]/g, ''); return record; };"));
        test(org, quoted, List.of(Map.of("Phone", "555-000-1111"))).then().statusCode(200).body("results[0].output.Phone", equalTo("5550001111"));
        String backticked = create(org, Map.of("name", "backticked", "type", "javascript",
                "code", "`\nmodule.exports = (record) => ({ ...record, Name: `${record.First} ${record.Last}` });\n`"));
        test(org, backticked, List.of(Map.of("First", "Ada", "Last", "Lovelace"))).then().statusCode(200)
                .body("results[0].output.Name", equalTo("Ada Lovelace"));
    }

    @Test
    void creating_with_an_idempotency_key_twice_makes_one_transform() {
        String org = newOrg();
        String key = "tfm-" + java.util.UUID.randomUUID();
        String first = as(org).header("Idempotency-Key", key).body(SEED_BODY).post("/v1/transforms").then().statusCode(201).extract().path("id");
        as(org).header("Idempotency-Key", key).body(SEED_BODY).post("/v1/transforms").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first));
        as(org).get("/v1/transforms").then().statusCode(200).body("data.size()", equalTo(1));
    }

    @Test
    void jsonata_maps_records_and_skips_what_it_filters_out() {
        String org = newOrg();
        String id = create(org, Map.of("name", "contact row", "type", "jsonata", "description", "to the warehouse",
                "code", "Email ? { \"email_address\": $lowercase(Email), \"first_name\": FirstName } : undefined"));
        as(org).get("/v1/transforms/" + id).then().statusCode(200).body("type", equalTo("jsonata")).body("description", equalTo("to the warehouse"));
        test(org, id, List.of(Map.of("Email", "ADA@Example.com", "FirstName", "Ada"), Map.of("FirstName", "NoMail"))).then().statusCode(200)
                .body("succeeded", equalTo(1)).body("skipped", equalTo(1))
                .body("results[0].output.email_address", equalTo("ada@example.com")).body("results[0].output.first_name", equalTo("Ada"))
                .body("results[1].status", equalTo("skipped")).body("results[1].output", nullValue());
    }

    @Test
    void syntax_errors_are_400_with_line_and_column() {
        String org = newOrg();
        as(org).body(Map.of("name", "broken", "type", "javascript", "code", "module.exports = (record) => {\n  record.x = ;\n  return record;\n};"))
                .post("/v1/transforms").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                .body("error.details.field", equalTo("code")).body("error.details.constraint", equalTo("syntax"))
                .body("error.details.line", equalTo(2)).body("error.details.column", equalTo(14))
                .body("error.message", containsString("line 2, column 14"));
        as(org).body(Map.of("name", "broken", "type", "jsonata", "code", "{\n  \"a\": $uppercase(Email\n}"))
                .post("/v1/transforms").then().statusCode(400).body("error.details.constraint", equalTo("syntax"))
                .body("error.details.line", equalTo(3)).body("error.details.column", equalTo(1));
        // Nesting thousands deep exhausts the JSONata parser's stack: still the author's syntax, a 400.
        as(org).body(Map.of("name", "deep", "type", "jsonata", "code", "(".repeat(5_000) + "1" + ")".repeat(5_000)))
                .post("/v1/transforms").then().statusCode(400).body("error.details.constraint", equalTo("syntax"))
                .body("error.message", containsString("nests too deeply"));
        as(org).body(Map.of("name", "no export", "type", "javascript", "code", "const x = 1;"))
                .post("/v1/transforms").then().statusCode(400).body("error.message", containsString("module.exports"));
        // Nothing half-made was stored.
        as(org).get("/v1/transforms").then().statusCode(200).body("data.size()", equalTo(0));
        // A replace with broken code leaves the stored transform as it was.
        String id = create(org, Map.of("name", "fine", "type", "jsonata", "code", "$"));
        as(org).body(Map.of("name", "fine", "type", "jsonata", "code", "$uppercase(")).put("/v1/transforms/" + id).then().statusCode(400);
        as(org).get("/v1/transforms/" + id).then().statusCode(200).body("code", equalTo("$"));
    }

    @Test
    void runtime_errors_are_reported_per_record_with_line_and_column() {
        String org = newOrg();
        String id = create(org, Map.of("name", "picky", "type", "javascript",
                "code", "module.exports = (record) => {\n  if (!record.Email) {\n    throw new Error('Email is required');\n  }\n  return record;\n};"));
        test(org, id, List.of(Map.of("Email", "a@example.com"), Map.of("Name", "x"))).then().statusCode(200)
                .body("succeeded", equalTo(1)).body("failed", equalTo(1))
                .body("results[1].status", equalTo("error")).body("results[1].error.kind", equalTo("runtime"))
                .body("results[1].error.message", equalTo("Error: Email is required"))
                .body("results[1].error.line", equalTo(3)).body("results[1].error.column", equalTo(11));
    }

    @Test
    void an_endless_loop_is_stopped_and_the_other_records_still_run() {
        String org = newOrg();
        String id = create(org, Map.of("name", "spins", "type", "javascript",
                "code", "module.exports = (record) => {\n  if (record.spin) {\n    while (true) {}\n  }\n  return record;\n};"));
        test(org, id, List.of(Map.of("spin", true), Map.of("spin", false))).then().statusCode(200)
                .body("results[0].status", equalTo("error")).body("results[0].error.kind", equalTo("limit"))
                .body("results[0].error.message", containsString("statement limit")).body("results[0].error.line", equalTo(3))
                .body("results[1].status", equalTo("ok")).body("results[1].output.spin", equalTo(false));
        // At the top level it never gets stored.
        as(org).body(Map.of("name", "spins at load", "type", "javascript", "code", "while (true) {}\nmodule.exports = (r) => r;"))
                .post("/v1/transforms").then().statusCode(400).body("error.details.constraint", equalTo("limit"));
    }

    @Test
    void java_runtime_and_files_are_refused() {
        String org = newOrg();
        String[] attempts = {
                "Java.type('java.lang.Runtime').getRuntime().exec('touch /tmp/weft-pwned')",
                "java.lang.Runtime.getRuntime().exec('id')",
                "Java.type('java.io.File')",
                "Java.type('java.nio.file.Files').readAllLines(Java.type('java.nio.file.Path').of('/etc/passwd'))",
                "require('fs').readFileSync('/etc/passwd', 'utf8')",
                "load('/etc/passwd')",
        };
        List<Map<String, Object>> one = List.of(Map.of("a", 1));
        for (String attempt : attempts) {
            String id = create(org, Map.of("name", "sneaky", "type", "javascript", "code", "module.exports = (record) => {\n  record.x = " + attempt + ";\n  return record;\n};"));
            test(org, id, one).then().statusCode(200).body("failed", equalTo(1))
                    .body("results[0].error.kind", equalTo("refused")).body("results[0].error.message", containsString("sandbox"))
                    .body("results[0].error.line", equalTo(2));
        }
        assertFalse(new java.io.File("/tmp/weft-pwned").exists());
        // Reaching for them at the top level is refused when the transform is created.
        as(org).body(Map.of("name", "sneaky", "type", "javascript", "code", "const Runtime = Java.type('java.lang.Runtime');\nmodule.exports = (r) => r;"))
                .post("/v1/transforms").then().statusCode(400).body("error.details.constraint", equalTo("refused")).body("error.details.line", equalTo(1));
    }

    @Test
    void another_orgs_transform_is_not_found() {
        String owner = newOrg();
        String id = create(owner, Map.of("name", "mine", "type", "jsonata", "code", "$"));
        String other = newOrg();
        as(other).get("/v1/transforms/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).body(Map.of("name", "x", "type", "jsonata", "code", "$")).put("/v1/transforms/" + id).then().statusCode(404);
        test(other, id, List.of(Map.of("a", 1))).then().statusCode(404);
        as(other).delete("/v1/transforms/" + id).then().statusCode(404);
        as(other).get("/v1/transforms").then().statusCode(200).body("data.size()", equalTo(0));
        as(owner).get("/v1/transforms/" + id).then().statusCode(200).body("name", equalTo("mine"));
        as(owner).get("/v1/transforms/tfm_nonsense").then().statusCode(404);
        as(owner).get("/v1/transforms/" + TypeId.generate("tfm")).then().statusCode(404);
    }

    @Test
    void crud_and_keyset_pages() {
        String org = newOrg();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(create(org, Map.of("name", "t" + i, "type", "jsonata", "code", "$")));
        }
        Set<String> seen = new HashSet<>();
        Response first = as(org).get("/v1/transforms?limit=2");
        first.then().statusCode(200).body("data.size()", equalTo(2)).body("pagination.has_more", equalTo(true));
        seen.addAll(first.path("data.id"));
        String cursor = first.path("pagination.next_cursor");
        while (cursor != null) {
            Response page = as(org).queryParam("cursor", cursor).get("/v1/transforms?limit=2");
            page.then().statusCode(200);
            seen.addAll(page.path("data.id"));
            cursor = page.path("pagination.next_cursor");
        }
        assertEquals(new HashSet<>(ids), seen);
        as(org).get("/v1/transforms?cursor=forged").then().statusCode(400).body("error.details.field", equalTo("cursor"));

        String id = ids.get(0);
        as(org).body(Map.of("name", "renamed", "type", "javascript", "code", "module.exports = (r) => r;", "description", "now JS"))
                .put("/v1/transforms/" + id).then().statusCode(200).body("name", equalTo("renamed")).body("type", equalTo("javascript"))
                .body("description", equalTo("now JS"));
        as(org).get("/v1/transforms/" + id).then().body("type", equalTo("javascript"));
        as(org).delete("/v1/transforms/" + id).then().statusCode(204);
        as(org).get("/v1/transforms/" + id).then().statusCode(404);
        as(org).get("/v1/transforms").then().body("data.id", not(hasItem(id)));
    }

    @Test
    void bad_bodies_are_400_never_500() {
        String org = newOrg();
        as(org).body("{\"name\":").post("/v1/transforms").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).body("[1,2]").post("/v1/transforms").then().statusCode(400);
        as(org).body("{\"name\": \"x\", \"type\": \"javascript\", \"code\": `never closed").post("/v1/transforms").then().statusCode(400);
        as(org).body(Map.of("name", "x", "type", "python", "code", "print(1)")).post("/v1/transforms").then().statusCode(400)
                .body("error.details.field", equalTo("type"));
        as(org).body(Map.of("name", "x", "type", "jsonata")).post("/v1/transforms").then().statusCode(400)
                .body("error.details.field", equalTo("code"));
        as(org).body(Map.of("type", "jsonata", "code", "$")).post("/v1/transforms").then().statusCode(400)
                .body("error.details.field", equalTo("name"));
        as(org).body(Map.of("name", List.of(1), "type", "jsonata", "code", "$")).post("/v1/transforms").then().statusCode(400)
                .body("error.details.field", equalTo("name"));
        as(org).body(Map.of("name", "x", "type", 7, "code", Map.of("a", 1))).post("/v1/transforms").then().statusCode(400);
        as(org).body(Map.of("name", "x", "type", "jsonata", "code", "$", "extra", true)).post("/v1/transforms").then().statusCode(400)
                .body("error.details.field", equalTo("extra"));
        as(org).body(Map.of("name", "x", "type", "jsonata", "code", "$".repeat(TransformDtos.MAX_CODE + 1))).post("/v1/transforms").then().statusCode(400)
                .body("error.details.field", equalTo("code"));
        String id = create(org, Map.of("name", "ok", "type", "jsonata", "code", "$"));
        test(org, id, List.of()).then().statusCode(400).body("error.details.field", equalTo("records"));
        as(org).body(Map.of("records", List.of(1, "two"))).post("/v1/transforms/" + id + "/test").then().statusCode(400);
        as(org).body(Map.of("records", "nope")).post("/v1/transforms/" + id + "/test").then().statusCode(400);
        as(org).body("{}").post("/v1/transforms/" + id + "/test").then().statusCode(400).body("error.details.field", equalTo("records"));
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i <= TransformDtos.MAX_TEST_RECORDS; i++) {
            tooMany.add(Map.of("i", i));
        }
        test(org, id, tooMany).then().statusCode(400);
    }

    @Test
    void scopes_are_enforced() {
        String org = newOrg();
        String id = create(org, Map.of("name", "ok", "type", "jsonata", "code", "$"));
        RequestSpecification reader = RestAssured.given().header("Authorization", TestCredentials.bearer(org, "syncs:read")).contentType(ContentType.JSON);
        reader.get("/v1/transforms/" + id).then().statusCode(200);
        RestAssured.given().header("Authorization", TestCredentials.bearer(org, "syncs:read")).contentType(ContentType.JSON)
                .body(Map.of("name", "x", "type", "jsonata", "code", "$")).post("/v1/transforms").then().statusCode(403);
        RestAssured.given().header("Authorization", TestCredentials.bearer(org, "webhooks:manage")).get("/v1/transforms").then().statusCode(403);
        RestAssured.given().get("/v1/transforms").then().statusCode(401);
    }
}
