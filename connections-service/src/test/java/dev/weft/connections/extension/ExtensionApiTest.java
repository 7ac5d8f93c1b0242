package dev.weft.connections.extension;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.ExampleExtension;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/** A customer's extension registered through the API and used through the same data API as built-in connectors. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class ExtensionApiTest {

    @Test
    void a_registered_extension_works_through_the_data_api() throws Exception {
        String org = Api.newOrg();
        int port = ExampleExtension.freePort();
        Response registered = Api.as(org).body(Map.of("name", "Inventory", "key", "inventory", "base_url", "http://127.0.0.1:" + port))
                .post("/v1/extensions");
        registered.then().statusCode(201).body("provider", equalTo("ext_inventory")).body("secret", startsWith("whsec_"));
        String extensionId = registered.path("id");
        Api.as(org).get("/v1/extensions/" + extensionId).then().statusCode(200).body("secret", nullValue());
        Api.as(org).get("/v1/extensions").then().statusCode(200).body("data.id", hasItem(extensionId));

        try (ExampleExtension running = ExampleExtension.start(port, registered.path("secret"))) {
            String id = Api.as(org).body(Map.of("provider", "ext_inventory", "name", "North warehouse", "config", Map.of(), "credentials", Map.of()))
                    .post("/v1/connections").then().statusCode(201).extract().path("id");
            Api.as(org).get("/v1/connections/" + id + "/status?check=true").then().statusCode(200).body("status", equalTo("healthy"));
            // The extension lists the fields a read may follow: describe passes them on, default first.
            Api.as(org).get("/v1/data/" + id + "/objects").then().statusCode(200)
                    .body("data.find { it.name == 'items' }.cursor_field", equalTo("updated_at"))
                    .body("data.find { it.name == 'items' }.cursor_fields", equalTo(List.of("updated_at", "created_at")));
            Api.as(org).body(Map.of("object", "items", "mode", "upsert", "key", List.of("sku"), "records", List.of(
                            Map.of("sku", "A-1", "name", "Anvil", "quantity", 3), Map.of("sku", "B-2", "name", "Bolt", "quantity", 250))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(2));
            // A sync's read by created_at, the other field the extension lists: both items in the order they were made,
            // and an update (which moves updated_at) is not read again by it. quantity is no field a read can follow.
            Response made = Api.as(org).body(Map.of("object", "items", "cursor_field", "created_at", "batch_size", 10))
                    .post("/internal/v1/connections/" + id + "/read");
            made.then().statusCode(200).body("data.sku", equalTo(List.of("A-1", "B-2")));
            // The extension counts (a sync's percent): all items, and none left after that read's cursor.
            Api.as(org).body(Map.of("object", "items")).post("/internal/v1/connections/" + id + "/count").then().statusCode(200)
                    .body("count", equalTo(2));
            Api.as(org).body(Map.of("object", "items", "cursor_field", "created_at", "after", made.path("pagination.next_cursor")))
                    .post("/internal/v1/connections/" + id + "/count").then().statusCode(200).body("count", equalTo(0));
            Api.as(org).body(Map.of("object", "items", "filter", "quantity > 100")).post("/internal/v1/connections/" + id + "/count")
                    .then().statusCode(200).body("count", equalTo(1));
            Api.as(org).body(Map.of("object", "items", "mode", "upsert", "key", List.of("sku"), "records", List.of(Map.of("sku", "A-1", "quantity", 4))))
                    .post("/v1/data/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(1));
            Api.as(org).body(Map.of("object", "items", "cursor_field", "created_at", "cursor", made.path("pagination.next_cursor"), "batch_size", 10))
                    .post("/internal/v1/connections/" + id + "/read").then().statusCode(200).body("data", hasSize(0));
            Api.as(org).body(Map.of("object", "items", "cursor_field", "quantity", "batch_size", 10))
                    .post("/internal/v1/connections/" + id + "/read").then().statusCode(400).body("error.details.field", equalTo("cursor_field"));
            Api.as(org).body(Map.of("object", "items", "fields", List.of("sku", "quantity"), "filter", "quantity > 100"))
                    .post("/v1/data/" + id + "/query").then().statusCode(200)
                    .body("data", hasSize(1)).body("data[0].sku", equalTo("B-2"));
            Api.as(org).body(Map.of("object", "widgets")).post("/v1/data/" + id + "/query").then().statusCode(400)
                    .body("error.details.field", equalTo("object"));
            Api.as(org).delete("/v1/extensions/" + extensionId).then().statusCode(409);
        }
    }

    @Test
    void registration_is_checked() {
        String org = Api.newOrg();
        Api.as(org).body(Map.of("name", "Bad", "key", "Bad Key!", "base_url", "http://127.0.0.1:1")).post("/v1/extensions")
                .then().statusCode(400).body("error.details.field", equalTo("key"));
        Api.as(org).body(Map.of("name", "Bad", "key", "ftp", "base_url", "ftp://example.com")).post("/v1/extensions")
                .then().statusCode(400).body("error.details.field", equalTo("base_url"));
        Api.as(org).body(Map.of("name", "One", "key", "dup", "base_url", "http://127.0.0.1:1")).post("/v1/extensions").then().statusCode(201);
        Api.as(org).body(Map.of("name", "Two", "key", "dup", "base_url", "http://127.0.0.1:1")).post("/v1/extensions")
                .then().statusCode(409).body("error.code", equalTo("DUPLICATE"));
        Api.as(Api.newOrg()).body(Map.of("provider", "ext_dup", "name", "x", "credentials", Map.of())).post("/v1/connections")
                .then().statusCode(400).body("error.details.field", equalTo("provider"));
    }
}
