package dev.weft.webhook.endpoint;

import dev.weft.testing.WeftInfraResource;
import dev.weft.webhook.support.Api;
import dev.weft.webhook.support.Receiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class EndpointApiTest {

    @Test
    void registers_an_endpoint_and_shows_its_secret_once() {
        String org = Api.newOrg();
        Response created = Api.as(org).body(Map.of("url", Receiver.url("/a"), "events", List.of("sync.completed", "sync.failed", "connection.*"),
                "description", "ops", "rate_limit", 50, "headers", Map.of("X-Team", "ops"))).post("/v1/webhooks");
        created.then().statusCode(201)
                .body("id", startsWith("whk_")).body("secret", startsWith("whsec_")).body("status", equalTo("active"))
                .body("events", containsInAnyOrder("sync.completed", "sync.failed", "connection.*"))
                .body("rate_limit", equalTo(50)).body("headers.X-Team", equalTo("ops"));
        String id = created.path("id");
        Response fetched = Api.as(org).get("/v1/webhooks/" + id);
        fetched.then().statusCode(200).body("secret", nullValue()).body("description", equalTo("ops"));
        assertFalse(fetched.asString().contains("whsec_"));
        Api.as(org).get("/v1/webhooks").then().statusCode(200).body("data.id", hasItem(id));
        Api.as(org).body(Map.of("events", List.of("*"), "active", false)).patch("/v1/webhooks/" + id).then().statusCode(200)
                .body("events", equalTo(List.of("*"))).body("status", equalTo("paused"));
        Api.as(org).delete("/v1/webhooks/" + id).then().statusCode(204);
        Api.as(org).get("/v1/webhooks/" + id).then().statusCode(404);
    }

    @Test
    void the_seed_examples_register_as_written() {
        String org = Api.newOrg();
        // Seed 003: url, events, active (the host need not resolve yet: each delivery checks the address it connects to).
        Api.as(org).body("{\"url\":\"https://crm.example.com/webhooks/helpthread\",\"events\":[\"conversation.created\",\"conversation.updated\",\"message.created\"],\"active\":true}")
                .post("/v1/webhooks").then().statusCode(201).body("active", equalTo(true)).body("secret", startsWith("whsec_"));
        // Seed 001: url, events and an optional secret of one's own.
        String own = "whsec_" + java.util.Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        Api.as(org).body(Map.of("url", Receiver.url("/seed001"), "events", List.of("message.created", "contact.created"), "secret", own))
                .post("/v1/webhooks").then().statusCode(201).body("secret", equalTo(own));
        Api.as(org).body(Map.of("url", Receiver.url("/seed001"), "events", List.of("message.created"), "secret", "hunter2"))
                .post("/v1/webhooks").then().statusCode(400).body("error.details.field", equalTo("secret"))
                .body(Matchers.not(Matchers.containsString("hunter2")));
    }

    @Test
    void refuses_unknown_events_bad_urls_and_reserved_headers() {
        String org = Api.newOrg();
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of("connection.created", "connection.exploded"))).post("/v1/webhooks")
                .then().statusCode(400).body("error.details.field", equalTo("events[1]"));
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of("nosuch.*"))).post("/v1/webhooks")
                .then().statusCode(400).body("error.details.field", equalTo("events[0]"));
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of())).post("/v1/webhooks")
                .then().statusCode(400).body("error.details.field", equalTo("events"));
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of("*"), "headers", Map.of("webhook-signature", "forged")))
                .post("/v1/webhooks").then().statusCode(400).body("error.details.field", equalTo("headers.webhook-signature"));
        // Weft's own idempotency header, a name HTTP cannot carry, and a value with a line break are refused alike.
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of("*"), "headers", Map.of("Idempotency-Key", "mine")))
                .post("/v1/webhooks").then().statusCode(400).body("error.details.constraint", equalTo("header_name"));
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of("*"), "headers", Map.of("X Team", "ops")))
                .post("/v1/webhooks").then().statusCode(400).body("error.details.field", equalTo("headers.X Team"));
        Api.as(org).body(Map.of("url", Receiver.url("/b"), "events", List.of("*"), "headers", Map.of("X-Team", "ops\r\nX-Injected: 1")))
                .post("/v1/webhooks").then().statusCode(400).body("error.details.constraint", equalTo("header_value"));
        Api.as(org).body(Map.of("url", "ftp://example.com/x", "events", List.of("*"))).post("/v1/webhooks")
                .then().statusCode(400).body("error.details.field", equalTo("url"));
        Api.as(org).body("{\"url\":").post("/v1/webhooks").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        Api.as(org).get("/v1/webhooks").then().body("data.size()", equalTo(0));
    }

    @Test
    void refuses_urls_that_reach_private_addresses() {
        String org = Api.newOrg();
        // Tests allow 127.0.0.1/32 only (as bin/weft up does); every other non-public address stays refused.
        for (String url : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
                "http://100.64.0.1/hook", "http://192.168.1.10/hook", "http://0.0.0.0/hook", "http://[::ffff:10.0.0.1]/hook")) {
            Api.as(org).body(Map.of("url", url, "events", List.of("*"))).post("/v1/webhooks").then().statusCode(400)
                    .body("error.details.field", equalTo("url")).body("error.details.constraint", equalTo("public_address"));
        }
    }

    @Test
    void another_orgs_webhook_is_not_found() {
        String id = Api.as(Api.newOrg()).body(Map.of("url", Receiver.url("/c"), "events", List.of("*"))).post("/v1/webhooks")
                .then().statusCode(201).extract().path("id");
        String intruder = Api.newOrg();
        Api.as(intruder).get("/v1/webhooks/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        Api.as(intruder).body(Map.of("description", "mine")).patch("/v1/webhooks/" + id).then().statusCode(404);
        Api.as(intruder).delete("/v1/webhooks/" + id).then().statusCode(404);
        Api.as(intruder).post("/v1/webhooks/" + id + "/rotate-secret").then().statusCode(404);
        Api.as(intruder).post("/v1/webhooks/" + id + "/test").then().statusCode(404);
        Api.as(intruder).get("/v1/webhooks/" + id + "/deliveries").then().statusCode(404);
        Api.as(intruder).get("/v1/deliveries/dlv_01h455vb4pex5vsknk084sn02q").then().statusCode(404);
    }

    @Test
    void the_event_type_catalog_lists_every_type_with_a_schema() {
        Api.as(Api.newOrg()).get("/v1/event-types").then().statusCode(200)
                .body("data.type", hasItems("connection.created", "connection.health_changed", "sync.completed", "record.created",
                        "workflow.triggered", "contact.created", "conversation.assigned", "message.created", "email.received",
                        "calendar.event_created", "document.uploaded", "endpoint.disabled"))
                .body("data.find { it.type == 'connection.health_changed' }.schema.properties.status", notNullValue());
    }
}
