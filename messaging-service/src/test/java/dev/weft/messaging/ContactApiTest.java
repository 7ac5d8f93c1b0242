package dev.weft.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** /v1/contacts through the real HTTP API: seed 001's body, deduplication and its conflicts, phones, merge, tenancy, events. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ContactApiTest {
    static final String SEED_001 = """
            {"firstName": "Sara", "lastName": "Hussein", "phone": "+971500000000", "email": "sara@example.com", "tags": ["lead", "expo"],
             "channel": "instagram", "properties": {"source": "Expo booth", "language": "en", "externalId": "crm_8740"}}""";

    @Test
    void creates_seed_001s_contact_as_written_and_reads_it_with_activity() {
        String org = Api.newOrg();
        try (Events events = new Events(org)) {
            String id = as(org).body(SEED_001).post("/v1/contacts").then().statusCode(201)
                    .body("id", startsWith("contact_"))
                    .body("first_name", equalTo("Sara"))
                    .body("last_name", equalTo("Hussein"))
                    .body("phone", equalTo("+971500000000"))
                    .body("email", equalTo("sara@example.com"))
                    .body("external_id", equalTo("crm_8740"))
                    .body("channel", equalTo("instagram"))
                    .body("tags", equalTo(List.of("lead", "expo")))
                    .body("properties.source", equalTo("Expo booth"))
                    .body("properties.externalId", equalTo("crm_8740"))
                    .body("org_id", equalTo(org))
                    .body("created_at", notNullValue())
                    .extract().path("id");
            as(org).get("/v1/contacts/" + id).then().statusCode(200)
                    .body("id", equalTo(id)).body("first_name", equalTo("Sara"))
                    .body("activity.open_conversations", equalTo(0))
                    .body("activity.last_inbound_at", nullValue());
            // The same body again matches (by external id) and changes nothing: 200, no contact.updated.
            as(org).body(SEED_001).post("/v1/contacts").then().statusCode(200).body("id", equalTo(id));
            JsonNode created = events.exactly("contact.created", id, 1).get(0);
            assertEquals("crm_8740", created.path("external_id").asText());
            events.exactly("contact.updated", id, 0);
        }
    }

    @Test
    void deduplicates_by_external_id_then_email_then_phone() {
        String org = Api.newOrg();
        String a = Api.contact(org, Map.of("external_id", "crm_1", "email", "ann@example.com", "first_name", "Ann"));
        // external_id wins: the same person with a new email is updated, not created.
        as(org).body(Map.of("external_id", "crm_1", "email", "ann.new@example.com")).post("/v1/contacts").then().statusCode(200)
                .body("id", equalTo(a)).body("email", equalTo("ann.new@example.com")).body("first_name", equalTo("Ann"));
        // Email compares case-insensitively (and keeps the stored spelling).
        as(org).body(Map.of("email", "ANN.NEW@Example.COM", "lastName", "Lee")).post("/v1/contacts").then().statusCode(200)
                .body("id", equalTo(a)).body("email", equalTo("ann.new@example.com")).body("last_name", equalTo("Lee"));
        // Phone last: a contact known only by phone is found by it, in another spelling.
        String b = Api.contact(org, Map.of("phone", "+4915112345678", "first_name", "Ben"));
        as(org).body(Map.of("phone", "+49 151 1234 5678", "email", "ben@example.com")).post("/v1/contacts").then().statusCode(200)
                .body("id", equalTo(b)).body("email", equalTo("ben@example.com")).body("phone", equalTo("+4915112345678"));
        // An email of one contact and the phone of another: 409 DUPLICATE naming both, nothing changed.
        as(org).body(Map.of("email", "ann.new@example.com", "phone", "+4915112345678")).post("/v1/contacts").then().statusCode(409)
                .body("error.code", equalTo("DUPLICATE"))
                .body("error.details.contact_ids", containsInAnyOrder(a, b))
                .body("error.details.matched_by.email", equalTo(a))
                .body("error.details.matched_by.phone", equalTo(b));
        as(org).body(Map.of("external_id", "crm_1", "phone", "+4915112345678")).post("/v1/contacts").then().statusCode(409)
                .body("error.details.matched_by.external_id", equalTo(a)).body("error.details.matched_by.phone", equalTo(b));
        // An email found on a contact your system knows under another external id is not the same person.
        as(org).body(Map.of("external_id", "crm_2", "email", "ann.new@example.com")).post("/v1/contacts").then().statusCode(409)
                .body("error.code", equalTo("DUPLICATE")).body("error.message", containsString("crm_1"));
        as(org).get("/v1/contacts").then().statusCode(200).body("data", hasSize(2));
        as(org).get("/v1/contacts/" + b).then().body("external_id", nullValue()).body("email", equalTo("ben@example.com"));
    }

    @Test
    void racing_requests_for_one_person_make_one_contact() throws Exception {
        String org = Api.newOrg();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            // The same person by email, and half of them also by a phone spelled two ways.
            Map<String, Object> body = i % 2 == 0 ? Map.of("email", "Race@Example.com", "first_name", "R" + i)
                    : Map.of("email", "race@example.com", "phone", i % 4 == 1 ? "+55 11 98765-0000" : "+55 11 8765-0000");
            statuses.add(pool.submit(() -> as(org).body(body).post("/v1/contacts").statusCode()));
        }
        List<Integer> codes = new ArrayList<>();
        for (var status : statuses) {
            codes.add(status.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(1, codes.stream().filter(c -> c == 201).count(), "one created: " + codes);
        assertEquals(15, codes.stream().filter(c -> c == 200).count(), "the others matched it: " + codes);
        as(org).get("/v1/contacts").then().body("data", hasSize(1));
    }

    @Test
    void normalises_phones_to_e164_and_folds_brazils_ninth_digit() {
        String org = Api.newOrg();
        String uae = Api.contact(org, Map.of("phone", "+971500000000"));
        for (String spelling : List.of("+971 50 000 0000", "+971-50-000-0000", "00971500000000", "(+971) 500 000 000", " +971.50.000.0000 ")) {
            as(org).body(Map.of("phone", spelling)).post("/v1/contacts").then().statusCode(200).body("id", equalTo(uae))
                    .body("phone", equalTo("+971500000000"));
        }
        // Brazil: +55 11 9XXXX-XXXX and +55 11 XXXX-XXXX are one mobile line, whichever came first.
        String mobile = as(org).body(Map.of("phone", "+55 11 98765-1234")).post("/v1/contacts").then().statusCode(201)
                .body("phone", equalTo("+5511987651234")).extract().path("id");
        as(org).body(Map.of("phone", "+55 11 8765-1234", "first_name", "Lia")).post("/v1/contacts").then().statusCode(200)
                .body("id", equalTo(mobile)).body("phone", equalTo("+5511987651234")).body("first_name", equalTo("Lia"));
        String older = as(org).body(Map.of("phone", "+55 21 8765-4321")).post("/v1/contacts").then().statusCode(201).extract().path("id");
        as(org).body(Map.of("phone", "+5521987654321")).post("/v1/contacts").then().statusCode(200).body("id", equalTo(older));
        // A landline (2-5 after the area code) is not the mobile with a 9 in front of it.
        String landline = as(org).body(Map.of("phone", "+55 11 2345-6789")).post("/v1/contacts").then().statusCode(201).extract().path("id");
        as(org).body(Map.of("phone", "+55 11 92345-6789")).post("/v1/contacts").then().statusCode(201)
                .body("id", not(equalTo(landline)));
        for (String bad : List.of("12345", "0501234567", "+abc", "hello", "+1 2", "+999 123456789", "+971500000000 ext. 12")) {
            as(org).body(Map.of("phone", bad)).post("/v1/contacts").then().statusCode(400)
                    .body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo("phone"));
        }
    }

    @Test
    void patches_deletes_and_refuses_a_key_another_contact_holds() {
        String org = Api.newOrg();
        String id = as(org).body(SEED_001).post("/v1/contacts").then().statusCode(201).extract().path("id");
        String other = Api.contact(org, Map.of("email", "omar@example.com"));
        try (Events events = new Events(org)) {
            as(org).body("{\"tags\":[\"customer\"],\"properties\":{\"language\":null,\"tier\":\"gold\"},\"lastName\":\"Hussein-Khan\"}")
                    .patch("/v1/contacts/" + id).then().statusCode(200)
                    .body("tags", equalTo(List.of("customer")))
                    .body("properties.language", nullValue())
                    .body("properties.tier", equalTo("gold"))
                    .body("properties.source", equalTo("Expo booth"))
                    .body("last_name", equalTo("Hussein-Khan"))
                    .body("email", equalTo("sara@example.com"));
            JsonNode updated = events.exactly("contact.updated", id, 1).get(0);
            Set<String> changed = new HashSet<>();
            updated.path("changed_fields").forEach(f -> changed.add(f.asText()));
            assertEquals(Set.of("tags", "properties.language", "properties.tier", "last_name"), changed);
        }
        as(org).body(Map.of("email", "Omar@example.com")).patch("/v1/contacts/" + id).then().statusCode(409)
                .body("error.code", equalTo("DUPLICATE")).body("error.details.contact_ids", containsInAnyOrder(id, other));
        as(org).body(Map.of("phone", "not a phone")).patch("/v1/contacts/" + id).then().statusCode(400).body("error.details.field", equalTo("phone"));
        as(org).body("{\"email\":null}").patch("/v1/contacts/" + id).then().statusCode(200).body("email", nullValue());
        as(org).body(Map.of("email", "sara@example.com")).post("/v1/contacts").then().statusCode(201);
        try (Events events = new Events(org)) {
            as(org).delete("/v1/contacts/" + other).then().statusCode(204);
            assertEquals("omar@example.com", events.exactly("contact.deleted", other, 1).get(0).path("email").asText());
        }
        as(org).get("/v1/contacts/" + other).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(org).delete("/v1/contacts/" + other).then().statusCode(404);
    }

    @Test
    void lists_by_tag_channel_and_text_with_cursor_paging() {
        String org = Api.newOrg();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(Api.contact(org, Map.of("email", "p" + i + "@example.com", "first_name", i % 2 == 0 ? "Even" + i : "Odd" + i,
                    "tags", i % 2 == 0 ? List.of("even", "all") : List.of("all"), "channel", i < 3 ? "whatsapp" : "telegram")));
        }
        as(org).queryParam("tag", "even").get("/v1/contacts").then().statusCode(200).body("data", hasSize(4));
        as(org).queryParam("channel", "whatsapp").get("/v1/contacts").then().statusCode(200).body("data", hasSize(3));
        as(org).queryParam("channel", "telegram").queryParam("tag", "even").get("/v1/contacts").then().body("data", hasSize(2));
        as(org).queryParam("q", "odd").get("/v1/contacts").then().body("data", hasSize(3));
        as(org).queryParam("q", "P6@EXAMPLE").get("/v1/contacts").then().body("data", hasSize(1)).body("data[0].id", equalTo(ids.get(6)));
        as(org).queryParam("q", "%").get("/v1/contacts").then().body("data", hasSize(0));
        as(org).queryParam("channel", "pigeon").get("/v1/contacts").then().statusCode(400).body("error.details.field", equalTo("channel"));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(org).queryParam("limit", 3).queryParam("tag", "all");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/v1/contacts");
            page.then().statusCode(200);
            seen.addAll(page.path("data.id"));
            cursor = page.path("pagination.next_cursor");
        } while (cursor != null);
        assertEquals(ids.reversed(), seen, "newest first, each once");
        as(org).queryParam("cursor", "forged.cursor").get("/v1/contacts").then().statusCode(400).body("error.details.field", equalTo("cursor"));
    }

    @Test
    void merges_another_contact_moving_its_conversations_tags_and_properties() {
        String org = Api.newOrg();
        String keep = Api.contact(org, Map.of("external_id", "crm_9", "tags", List.of("lead"), "properties", Map.of("tier", "gold")));
        String gone = Api.contact(org, Map.of("email", "dup@example.com", "phone", "+971501111111", "first_name", "Dee", "tags", List.of("vip", "lead"),
                "properties", Map.of("tier", "silver", "language", "ar")));
        String kept = Api.conversation(org, keep, "whatsapp");
        String moved = Api.conversation(org, gone, "telegram");
        as(org).body(Map.of("content", "prefers Arabic", "internal", true)).post("/v1/conversations/" + moved + "/messages").then().statusCode(201);
        try (Events events = new Events(org)) {
            as(org).body(Map.of("contact_id", gone)).post("/v1/contacts/" + keep + "/merge").then().statusCode(200)
                    .body("id", equalTo(keep))
                    .body("external_id", equalTo("crm_9"))
                    .body("email", equalTo("dup@example.com"))
                    .body("phone", equalTo("+971501111111"))
                    .body("first_name", equalTo("Dee"))
                    .body("tags", equalTo(List.of("lead", "vip")))
                    .body("properties.tier", equalTo("gold"))
                    .body("properties.language", equalTo("ar"))
                    .body("channels", hasItems("whatsapp", "telegram"));
            JsonNode merged = events.exactly("contact.merged", keep, 1).get(0);
            assertEquals(gone, merged.path("merged_contact_id").asText());
            assertEquals(1, merged.path("moved_conversations").asInt());
            events.exactly("conversation.updated", moved, 1);
        }
        as(org).get("/v1/contacts/" + gone).then().statusCode(404);
        as(org).get("/v1/customers/" + keep + "/conversations").then().statusCode(200).body("data.id", containsInAnyOrder(kept, moved));
        as(org).get("/v1/conversations/" + moved + "/messages").then().statusCode(200).body("data[0].contact_id", equalTo(keep));
        as(org).get("/v1/contacts/" + keep).then().body("activity.open_conversations", equalTo(2));
        // The merged contact's keys now find the survivor.
        as(org).body(Map.of("email", "DUP@example.com")).post("/v1/contacts").then().statusCode(200).body("id", equalTo(keep));
        as(org).body(Map.of("contact_id", gone)).post("/v1/contacts/" + keep + "/merge").then().statusCode(400).body("error.details.field", equalTo("contact_id"));
        as(org).body(Map.of("contact_id", keep)).post("/v1/contacts/" + keep + "/merge").then().statusCode(400);
    }

    @Test
    void another_orgs_contact_is_not_found() {
        String org = Api.newOrg();
        String id = as(org).body(SEED_001).post("/v1/contacts").then().statusCode(201).extract().path("id");
        String other = Api.newOrg();
        as(other).get("/v1/contacts/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).body(Map.of("first_name", "Mine")).patch("/v1/contacts/" + id).then().statusCode(404);
        as(other).delete("/v1/contacts/" + id).then().statusCode(404);
        as(other).get("/v1/contacts").then().statusCode(200).body("data", hasSize(0));
        as(other).get("/v1/customers/" + id + "/conversations").then().statusCode(404);
        String mine = Api.contact(other, Map.of("email", "x@example.com"));
        as(other).body(Map.of("contact_id", id)).post("/v1/contacts/" + mine + "/merge").then().statusCode(400);
        // The same keys in another org are another contact.
        as(other).body(SEED_001).post("/v1/contacts").then().statusCode(201).body("id", not(equalTo(id)));
        as(org).get("/v1/contacts/contact_notanid").then().statusCode(404);
        as(org).get("/v1/contacts/" + id).then().statusCode(200).body("first_name", equalTo("Sara"));
    }

    @Test
    void refuses_bad_input_with_the_error_shape() {
        String org = Api.newOrg();
        for (String body : List.of("{not json", "[]", "\"text\"", "{}", "{\"first_name\":\"No key\"}", "{\"email\":42}", "{\"email\":\"not-an-email\"}",
                "{\"email\":\"a@b.co\",\"surprise\":1}", "{\"email\":\"a@b.co\",\"tags\":\"lead\"}", "{\"email\":\"a@b.co\",\"tags\":[1]}",
                "{\"email\":\"a@b.co\",\"properties\":[]}", "{\"email\":\"a@b.co\",\"channel\":\"fax\"}",
                "{\"email\":\"a@b.co\",\"first_name\":\"A\",\"firstName\":\"B\"}",
                "{\"external_id\":\"crm_1\",\"properties\":{\"externalId\":\"crm_2\"}}", "{\"phone\":null,\"email\":null}")) {
            as(org).body(body).post("/v1/contacts").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                    .body("error.request_id", notNullValue());
        }
        as(org).contentType("text/plain").body("email=a@b.co").post("/v1/contacts").then().statusCode(415);
        as(org).get("/v1/contacts").then().body("data", hasSize(0));
        io.restassured.RestAssured.given().header("Authorization", dev.weft.testing.TestCredentials.bearer(org, "contacts:read"))
                .contentType("application/json").body("{\"email\":\"a@b.co\"}").post("/v1/contacts").then().statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE"));
        io.restassured.RestAssured.given().contentType("application/json").body("{\"email\":\"a@b.co\"}").post("/v1/contacts").then().statusCode(401);
    }
}
