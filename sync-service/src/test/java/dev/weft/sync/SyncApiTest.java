package dev.weft.sync;

import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/** /v1/syncs through the real HTTP API: the seed's body, validation against both connections' describe, tenancy. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
@SuppressWarnings("unchecked")
class SyncApiTest {

    @Test
    void creates_the_seed_sync_as_written() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = Api.warehouse(org);
        Response created = as(org).body(Api.seedSync(source.id, destination.id, "realtime")).post("/v1/syncs");
        created.then().statusCode(201)
                .body("id", startsWith("sync_"))
                .body("name", equalTo("SF Contacts to Snowflake"))
                .body("source.connection_id", equalTo(source.id))
                .body("source.object", equalTo("Contact"))
                .body("destination.table", equalTo("raw.contacts"))
                .body("destination.mode", equalTo("insert"))
                .body("schedule", equalTo("realtime"))
                .body("field_mappings", hasSize(2))
                .body("field_mappings[0].source", equalTo("Email"))
                .body("field_mappings[0].destination", equalTo("email_address"))
                .body("enabled", equalTo(true))
                .body("created_at", notNullValue());
        String id = created.path("id");
        as(org).get("/v1/syncs/" + id).then().statusCode(200).body("id", equalTo(id)).body("destination.table", equalTo("raw.contacts"));
        as(org).get("/v1/syncs").then().statusCode(200).body("data", hasSize(1)).body("data[0].id", equalTo(id))
                .body("pagination.has_more", equalTo(false));
    }

    @Test
    void creates_a_missing_destination_table_typed_from_the_source() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = ConnectionsStub.connection(org);
        Map<String, Object> body = with(Api.seedSync(source.id, destination.id, "daily"), "field_mappings", List.of(
                Map.of("source", "Email", "destination", "email_address"), Map.of("source", "AnnualRevenue", "destination", "annual_revenue")));
        as(org).body(body).post("/v1/syncs").then().statusCode(201).body("destination.table", equalTo("raw.contacts"));
        var described = destination.objects().getFirst();
        assertEquals("raw.contacts", described.get("name"));
        assertEquals(List.of(Map.of("name", "email_address", "type", "string"), Map.of("name", "annual_revenue", "type", "number")),
                ((List<Map<String, Object>>) described.get("fields")).stream().map(f -> Map.of("name", f.get("name"), "type", f.get("type"))).toList());
        // A system that cannot create tables: the unknown table is a 400 that says so.
        var saas = ConnectionsStub.connection(org);
        saas.creatable = false;
        invalid(org, Api.seedSync(source.id, saas.id, "daily"), "destination.table", "has no object raw.contacts, and it cannot be created");
    }

    @Test
    void names_each_unknown_object_field_or_connection() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = Api.warehouse(org);
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "source", Map.of("connection_id", source.id, "object", "Contcat")),
                "source.object", "has no object Contcat");
        destination.creatable = false;
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "destination", Map.of("connection_id", destination.id, "table", "raw.contact")),
                "destination.table", "has no object raw.contact");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "field_mappings",
                List.of(Map.of("source", "Emial", "destination", "email_address"))), "field_mappings[0].source", "has no field Emial");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "field_mappings",
                List.of(Map.of("source", "Email", "destination", "mail"))), "field_mappings[0].destination", "has no field mail");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "filters", List.of("Industry = 'Tech'", "Revenue > 5")),
                "filters[1]", "unknown field Revenue");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "filters", List.of("Industry = ")), "filters[0]", "not a valid condition");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "source",
                Map.of("connection_id", source.id, "object", "Contact", "fields", List.of("Email", "Nope"))), "source.fields[1]", "has no field Nope");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "destination",
                Map.of("connection_id", destination.id, "table", "raw.contacts", "mode", "upsert")), "destination.key", "needs a key");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "destination",
                Map.of("connection_id", destination.id, "table", "raw.contacts", "mode", "replace")), "destination.mode", "insert, upsert or mirror");
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "destination",
                Map.of("connection_id", destination.id, "table", "raw.contacts", "key", List.of("last_name"), "mode", "upsert")),
                "destination.key[0]", "gets no value");
        // A cursor field is one describe offers (cursor_fields; here only cursor_field), never one the read would not use.
        invalid(org, with(Api.seedSync(source.id, destination.id, "hourly"), "source",
                Map.of("connection_id", source.id, "object", "Contact", "cursor_field", "Email")), "source.cursor_field", "cursor_field must be one of [SystemModstamp]");
        invalid(org, with(Api.seedSync(destination.id, destination.id, "hourly"), "source",
                Map.of("connection_id", destination.id, "object", "raw.contacts", "cursor_field", "loaded_at")), "source.cursor_field", "cannot be read by a cursor field");
        invalid(org, Api.seedSync("conn_nope", destination.id, "hourly"), "source.connection_id", "not a connection id");
        invalid(org, Api.seedSync(dev.weft.platform.id.TypeId.generate("conn"), destination.id, "hourly"), "source.connection_id", "no connection");
        // Another org's connection is as unknown as one that does not exist.
        var foreign = Api.warehouse(Api.newOrg());
        invalid(org, Api.seedSync(source.id, foreign.id, "hourly"), "destination.connection_id", "no connection");
    }

    @Test
    void refuses_invalid_schedules_naming_the_problem() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = Api.warehouse(org);
        invalid(org, Api.seedSync(source.id, destination.id, "61 * * * *"), "schedule", "61");
        invalid(org, Api.seedSync(source.id, destination.id, "every hour"), "schedule", "is not");
        invalid(org, Api.seedSync(source.id, destination.id, "0 0 30 2 *"), "schedule", "never fires");
        invalid(org, with(Api.seedSync(source.id, destination.id, "daily"), "timezone", "Mars/Olympus"), "timezone", "IANA");
        as(org).get("/v1/syncs").then().statusCode(200).body("data", hasSize(0));
    }

    @Test
    void refuses_malformed_bodies_with_the_error_shape() {
        String org = Api.newOrg();
        as(org).body("{not json").post("/v1/syncs").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).body("{\"name\":1,\"source\":\"x\"}").post("/v1/syncs").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).body("{\"name\":\"x\",\"surprise\":true}").post("/v1/syncs").then().statusCode(400);
        as(org).body("[]").post("/v1/syncs").then().statusCode(400);
        as(org).body("{}").post("/v1/syncs").then().statusCode(400).body("error.details.field", equalTo("name"));
        as(org).body("{\"name\":\"x\"}").post("/v1/syncs").then().statusCode(400).body("error.details.field", equalTo("source"));
    }

    @Test
    void patches_and_deletes_and_keeps_schedules_in_step() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = Api.warehouse(org);
        String id = as(org).body(Api.seedSync(source.id, destination.id, "hourly")).post("/v1/syncs").then().statusCode(201)
                .body("next_run_at", notNullValue()).extract().path("id");
        as(org).body("{\"name\":\"renamed\",\"filters\":[\"Industry = 'Technology'\"]}").patch("/v1/syncs/" + id).then().statusCode(200)
                .body("name", equalTo("renamed")).body("filters[0]", equalTo("Industry = 'Technology'")).body("schedule", equalTo("hourly"));
        as(org).body("{\"enabled\":false}").patch("/v1/syncs/" + id).then().statusCode(200)
                .body("enabled", equalTo(false)).body("next_run_at", nullValue());
        as(org).body("{\"enabled\":true,\"schedule\":\"30 2 * * *\",\"timezone\":\"Europe/Berlin\"}").patch("/v1/syncs/" + id).then().statusCode(200)
                .body("enabled", equalTo(true)).body("schedule", equalTo("30 2 * * *")).body("next_run_at", notNullValue());
        as(org).body("{\"schedule\":\"bad\"}").patch("/v1/syncs/" + id).then().statusCode(400).body("error.details.field", equalTo("schedule"));
        // Fields the body cannot have, or of the wrong type: named as a POST names them, without Java's class names.
        as(org).body("{\"realtime\":{\"written\":99}}").patch("/v1/syncs/" + id).then().statusCode(400)
                .body("error.message", equalTo("the patched sync is not valid: Unknown field realtime"))
                .body("error.details.field", equalTo("realtime")).body("error.details.constraint", equalTo("unknown_field"));
        as(org).body("{\"source\":{\"x\":1}}").patch("/v1/syncs/" + id).then().statusCode(400)
                .body("error.details.field", equalTo("source.x")).body("error.message", not(containsString("dev.weft")));
        as(org).body("{\"field_mappings\":\"x\"}").patch("/v1/syncs/" + id).then().statusCode(400)
                .body("error.message", equalTo("the patched sync is not valid: field_mappings must be an array"))
                .body("error.details.field", equalTo("field_mappings"));
        as(org).body("{\"field_mappings\":[{\"source\":\"Nope\",\"destination\":\"first_name\"}]}").patch("/v1/syncs/" + id)
                .then().statusCode(400).body("error.details.field", equalTo("field_mappings[0].source"));
        as(org).body("{\"schedule\":null}").patch("/v1/syncs/" + id).then().statusCode(200).body("schedule", nullValue());
        as(org).get("/v1/syncs/" + id).then().statusCode(200).body("name", equalTo("renamed"));
        as(org).delete("/v1/syncs/" + id).then().statusCode(204);
        as(org).get("/v1/syncs/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
    }

    @Test
    void another_orgs_sync_is_not_found() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = Api.warehouse(org);
        String id = as(org).body(Api.seedSync(source.id, destination.id, "daily")).post("/v1/syncs").then().statusCode(201).extract().path("id");
        String other = Api.newOrg();
        as(other).get("/v1/syncs/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).body("{\"name\":\"mine\"}").patch("/v1/syncs/" + id).then().statusCode(404);
        as(other).delete("/v1/syncs/" + id).then().statusCode(404);
        as(other).get("/v1/syncs").then().statusCode(200).body("data", hasSize(0));
        as(org).get("/v1/syncs/sync_notanid").then().statusCode(404);
        as(org).get("/v1/syncs/" + id).then().statusCode(200);
    }

    @Test
    void needs_the_sync_scopes() {
        String org = Api.newOrg();
        io.restassured.RestAssured.given().header("Authorization", dev.weft.testing.TestCredentials.bearer(org, "syncs:read"))
                .contentType("application/json").body("{}").post("/v1/syncs").then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));
        io.restassured.RestAssured.given().get("/v1/syncs").then().statusCode(401);
    }

    static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.put(field, value);
        return copy;
    }

    static void invalid(String org, Map<String, Object> body, String field, String message) {
        as(org).body(body).post("/v1/syncs").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST"))
                .body("error.details.field", equalTo(field))
                .body("error.message", containsString(message));
    }
}
