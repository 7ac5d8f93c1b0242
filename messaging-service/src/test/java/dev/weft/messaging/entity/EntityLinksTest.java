package dev.weft.messaging.entity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contacts and conversations carry a CRM entity link (entity_type, entity_id) and are listed per entity. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class EntityLinksTest {

    @Test
    void a_contact_links_to_an_entity_with_seed_002_s_numeric_id_and_is_found_by_it() {
        String org = Api.newOrg();
        String linked = Api.as(org).body("{\"email\":\"lina@example.com\",\"entityType\":\"contact\",\"entityId\":42}").post("/v1/contacts")
                .then().statusCode(201).body("entity_type", equalTo("contact")).body("entity_id", equalTo(42)).extract().path("id");
        Api.contact(org, Map.of("email", "other@example.com"));
        Api.as(org).get("/v1/contacts?entity_type=contact&entity_id=42").then().statusCode(200).body("data.id", contains(linked));
        Api.as(org).get("/v1/contacts?entity_type=contact&entity_id=43").then().statusCode(200).body("data.size()", equalTo(0));
        Api.as(Api.newOrg()).get("/v1/contacts?entity_type=contact&entity_id=42").then().statusCode(200).body("data.size()", equalTo(0));
        Api.as(org).get("/v1/contacts?entity_type=contact").then().statusCode(400).body("error.details.field", equalTo("entity_id"));
        Api.as(org).get("/v1/contacts?entity_type=Bad%20Type&entity_id=1").then().statusCode(400).body("error.details.field", equalTo("entity_type"));
        Api.as(org).body("{\"email\":\"x@example.com\",\"entity_type\":\"deal\",\"entity_id\":4.2}").post("/v1/contacts").then().statusCode(400)
                .body("error.details.field", equalTo("entity_id"));

        try (Events events = new Events(org)) {
            Api.as(org).body("{\"entity_type\":\"account\",\"entity_id\":\"0015g00000XyZ\"}").patch("/v1/contacts/" + linked).then().statusCode(200)
                    .body("entity_type", equalTo("account")).body("entity_id", equalTo("0015g00000XyZ"));
            JsonNode updated = events.exactly("contact.updated", linked, 1).get(0);
            List<String> changed = StreamSupport.stream(updated.path("changed_fields").spliterator(), false).map(JsonNode::asText).toList();
            assertTrue(changed.containsAll(List.of("entity_type", "entity_id")), changed.toString());
        }
        Api.as(org).get("/v1/contacts?entity_type=account&entity_id=0015g00000XyZ").then().body("data.id", contains(linked));
        Api.as(org).body("{\"entity_type\":null,\"entity_id\":null}").patch("/v1/contacts/" + linked).then().statusCode(200)
                .body("entity_type", nullValue()).body("entity_id", nullValue());
        Api.as(org).get("/v1/contacts?entity_type=account&entity_id=0015g00000XyZ").then().body("data.size()", equalTo(0));
    }

    @Test
    void a_conversation_links_to_an_entity_and_is_found_by_it() {
        String org = Api.newOrg();
        String contact = Api.contact(org, Map.of("email", "sam@example.com"));
        String linked = Api.as(org).body(Map.of("contact_id", contact, "channel", "whatsapp", "entityType", "deal", "entityId", 42))
                .post("/v1/conversations").then().statusCode(201).body("entity_type", equalTo("deal")).body("entity_id", equalTo(42)).extract().path("id");
        Api.conversation(org, contact, "telegram");
        Api.as(org).get("/v1/conversations?entity_type=deal&entity_id=42").then().statusCode(200).body("data.id", contains(linked));
        Api.as(org).get("/v1/conversations?entity_id=42").then().statusCode(400).body("error.details.field", equalTo("entity_type"));

        Api.as(org).body("{\"entity_type\":\"deal\",\"entity_id\":43}").patch("/v1/conversations/" + linked).then().statusCode(200)
                .body("entity_id", equalTo(43));
        Api.as(org).get("/v1/conversations?entity_type=deal&entity_id=42").then().body("data.size()", equalTo(0));
        Api.as(org).get("/v1/conversations?entity_type=deal&entity_id=43").then().body("data.id", contains(linked));
        Api.as(org).body("{\"entity_type\":\"deal\"}").patch("/v1/conversations/" + linked).then().statusCode(400)
                .body("error.details.field", equalTo("entity_id"));
    }
}
