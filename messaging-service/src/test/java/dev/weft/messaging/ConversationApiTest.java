package dev.weft.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.message.MessageService;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.Events;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** /v1/conversations through the real HTTP API: seed 003's flows, the transition table, ETags, snooze, round-robin, tenancy, events. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ConversationApiTest {
    static final List<String> STATUSES = List.of("open", "pending", "snoozed", "resolved", "closed");
    static final String AGENT_1 = "usr_01HXYZ7A6B5C4D3E2F1G0H9J8K";
    static final String AGENT_2 = "usr_01HXYZ1L2M3N4P5Q6R7S8T9V0W";

    @Inject
    MessageService messages;

    @Test
    void seed_003_open_conversations_for_an_assignee_then_pending_and_closed_to_pending_refused() {
        String org = Api.newOrg();
        as(org).body(Map.of("agent_ids", List.of(AGENT_1, AGENT_2))).put("/v1/inboxes/support").then().statusCode(200)
                .body("agent_ids", equalTo(List.of(AGENT_1, AGENT_2)));
        String jane = Api.contact(org, Map.of("email", "jane@example.com"));
        List<String> ids = new ArrayList<>();
        for (String subject : List.of("Unable to update billing address", "Question about enterprise plan", "Login issue on mobile app")) {
            ids.add(as(org).body(Map.of("contact_id", jane, "channel", "whatsapp", "inbox", "support", "subject", subject)).post("/v1/conversations")
                    .then().statusCode(201).header("ETag", "\"1\"").body("id", startsWith("cnv_")).body("status", equalTo("open"))
                    .body("customer_id", equalTo(jane)).body("contact_id", equalTo(jane)).body("inbox", equalTo("support"))
                    .body("subject", equalTo(subject)).body("created_at", notNullValue()).body("updated_at", notNullValue())
                    .extract().path("id"));
        }
        // Round-robin in the inbox's order: agent 1, agent 2, agent 1.
        as(org).get("/v1/conversations/" + ids.get(0)).then().body("assignee_id", equalTo(AGENT_1));
        as(org).get("/v1/conversations/" + ids.get(1)).then().body("assignee_id", equalTo(AGENT_2));
        as(org).get("/v1/conversations/" + ids.get(2)).then().body("assignee_id", equalTo(AGENT_1));
        // GET /conversations?status=open&assignee_id=... (seed 003's first call).
        as(org).queryParam("status", "open").queryParam("assignee_id", AGENT_1).queryParam("limit", 25).get("/v1/conversations").then().statusCode(200)
                .body("data.id", equalTo(List.of(ids.get(2), ids.get(0))))
                .body("data[0].customer_id", equalTo(jane))
                .body("pagination.has_more", equalTo(false));
        // PATCH status pending with an assignee (seed 003), then closed, then closed -> pending is refused.
        as(org).body(Map.of("status", "pending", "assignee_id", AGENT_2)).patch("/v1/conversations/" + ids.get(0)).then().statusCode(200)
                .body("status", equalTo("pending")).body("assignee_id", equalTo(AGENT_2)).header("ETag", "\"2\"");
        as(org).body(Map.of("status", "closed")).patch("/v1/conversations/" + ids.get(0)).then().statusCode(200)
                .body("status", equalTo("closed")).body("resolved_at", notNullValue());
        as(org).body(Map.of("status", "pending")).patch("/v1/conversations/" + ids.get(0)).then().statusCode(409)
                .body("error.code", equalTo("INVALID_STATUS_TRANSITION"))
                .body("error.details.from", equalTo("closed")).body("error.details.to", equalTo("pending"));
        // A customer's conversations (seed 003), with a status filter.
        as(org).get("/v1/customers/" + jane + "/conversations").then().statusCode(200).body("data", hasSize(3));
        as(org).queryParam("status", "closed").get("/v1/customers/" + jane + "/conversations").then().statusCode(200)
                .body("data.id", equalTo(List.of(ids.get(0))));
        as(org).get("/v1/inboxes/support").then().statusCode(200).body("agent_ids", hasSize(2));
        as(org).get("/v1/inboxes/sales").then().statusCode(404);
    }

    @Test
    void follows_the_transition_table_exactly() {
        String org = Api.newOrg();
        String contact = Api.contact(org, Map.of("email", "t@example.com"));
        List<String> allowed = List.of("open>pending", "open>snoozed", "open>resolved", "open>closed", "pending>open", "pending>snoozed", "pending>resolved",
                "pending>closed", "snoozed>open", "snoozed>pending", "snoozed>resolved", "snoozed>closed", "resolved>open", "resolved>closed");
        for (String from : STATUSES) {
            for (String to : STATUSES) {
                String id = Api.conversation(org, contact, "telegram");
                if (!from.equals("open")) {
                    as(org).body(Map.of("status", from)).patch("/v1/conversations/" + id).then().statusCode(200);
                }
                int expected = from.equals(to) || allowed.contains(from + ">" + to) ? 200 : 409;
                as(org).body(Map.of("status", to)).patch("/v1/conversations/" + id).then().statusCode(expected);
                as(org).get("/v1/conversations/" + id).then().body("status", equalTo(expected == 200 ? to : from));
            }
        }
    }

    @Test
    void if_match_with_a_stale_etag_is_a_conflict() {
        String org = Api.newOrg();
        String id = Api.conversation(org, Api.contact(org, Map.of("email", "e@example.com")), "whatsapp");
        String etag = as(org).get("/v1/conversations/" + id).then().statusCode(200).extract().header("ETag");
        assertEquals("\"1\"", etag);
        String next = as(org).header("If-Match", etag).body(Map.of("status", "pending")).patch("/v1/conversations/" + id).then().statusCode(200)
                .extract().header("ETag");
        assertEquals("\"2\"", next);
        as(org).header("If-Match", etag).body(Map.of("status", "open")).patch("/v1/conversations/" + id).then().statusCode(409)
                .body("error.code", equalTo("CONFLICT")).body("error.details.etag", equalTo(next));
        as(org).get("/v1/conversations/" + id).then().body("status", equalTo("pending"));
        as(org).header("If-Match", "W/" + next).body(Map.of("subject", "Billing")).patch("/v1/conversations/" + id).then().statusCode(200)
                .header("ETag", "\"3\"");
        as(org).header("If-Match", "*").body(Map.of("status", "open")).patch("/v1/conversations/" + id).then().statusCode(200);
        // A message moves the conversation too (last_message_at): an ETag read before it is stale.
        String before = as(org).get("/v1/conversations/" + id).then().extract().header("ETag");
        as(org).body(Map.of("content", "note", "internal", true)).post("/v1/conversations/" + id + "/messages").then().statusCode(201);
        as(org).header("If-Match", before).body(Map.of("status", "resolved")).patch("/v1/conversations/" + id).then().statusCode(409);
        // Nothing changed: no new version.
        String current = as(org).get("/v1/conversations/" + id).then().extract().header("ETag");
        as(org).body(Map.of("status", "open")).patch("/v1/conversations/" + id).then().statusCode(200).header("ETag", current);
    }

    @Test
    void snoozes_until_a_time_or_the_contacts_next_message() {
        String org = Api.newOrg();
        String contact = Api.contact(org, Map.of("phone", "+971502222222"));
        String id = Api.conversation(org, contact, "whatsapp");
        String until = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        as(org).body(Map.of("status", "open", "snoozed_until", until)).patch("/v1/conversations/" + id).then().statusCode(400)
                .body("error.details.field", equalTo("snoozed_until"));
        as(org).body(Map.of("status", "snoozed", "snoozed_until", "2001-01-01T00:00:00Z")).patch("/v1/conversations/" + id).then().statusCode(400);
        as(org).body(Map.of("status", "snoozed", "snoozed_until", "tomorrow")).patch("/v1/conversations/" + id).then().statusCode(400);
        as(org).body(Map.of("status", "snoozed", "snoozed_until", until)).patch("/v1/conversations/" + id).then().statusCode(200)
                .body("status", equalTo("snoozed")).body("snoozed_until", equalTo(until));
        try (Events events = new Events(org)) {
            // The contact writes (as a channel adapter would record it): the conversation opens again, once.
            TenantContext.runAs(SystemPrincipal.of(org, "system:test"), () -> {
                UUID conversation = TypeId.parse("cnv", id).orElseThrow();
                messages.record(conversation, MessageService.NewMessage.inbound("text", "Hi, can you confirm my order?", "wamid.HBgMMjU0", null));
                messages.record(conversation, MessageService.NewMessage.inbound("text", "Hi, can you confirm my order?", "wamid.HBgMMjU0", null));
            });
            // The topic is read from its start: the snooze above, then the reopening (the redelivered message changed nothing).
            JsonNode reopened = events.exactly("conversation.updated", id, 2).get(1);
            assertEquals("snoozed", reopened.path("previous_status").asText());
            assertEquals("open", reopened.path("status").asText());
            events.exactly("message.created", null, 1);
        }
        as(org).get("/v1/conversations/" + id).then().body("status", equalTo("open")).body("snoozed_until", nullValue())
                .body("last_message_at", notNullValue());
        as(org).get("/v1/contacts/" + contact).then().body("activity.last_inbound_at", notNullValue()).body("activity.open_conversations", equalTo(1));
        // Leaving snoozed clears snoozed_until; snoozing without a time waits for the next message.
        as(org).body(Map.of("status", "snoozed")).patch("/v1/conversations/" + id).then().statusCode(200).body("snoozed_until", nullValue());
    }

    @Test
    void a_snooze_ends_by_itself_when_its_time_passes() throws InterruptedException {
        String org = Api.newOrg();
        String contact = Api.contact(org, Map.of("email", "alarm@example.com"));
        String soon = Api.conversation(org, contact, "whatsapp");
        String later = Api.conversation(org, contact, "telegram");
        as(org).body(Map.of("status", "snoozed", "snoozed_until", Instant.now().plus(1, ChronoUnit.DAYS).toString())).patch("/v1/conversations/" + later)
                .then().statusCode(200);
        try (Events events = new Events(org)) {
            as(org).body(Map.of("status", "snoozed", "snoozed_until", Instant.now().plusSeconds(2).toString())).patch("/v1/conversations/" + soon)
                    .then().statusCode(200).body("status", equalTo("snoozed"));
            Instant deadline = Instant.now().plusSeconds(30);
            while (!"open".equals(as(org).get("/v1/conversations/" + soon).path("status")) && Instant.now().isBefore(deadline)) {
                Thread.sleep(250);
            }
            as(org).get("/v1/conversations/" + soon).then().body("status", equalTo("open")).body("snoozed_until", nullValue());
            // The topic from its start: the snooze, then the wake-up, once.
            JsonNode woken = events.exactly("conversation.updated", soon, 2).get(1);
            assertEquals("snoozed", woken.path("previous_status").asText());
        }
        as(org).get("/v1/conversations/" + later).then().body("status", equalTo("snoozed")).body("snoozed_until", notNullValue());
    }

    @Test
    void filters_by_channel_contact_inbox_and_pages_without_repeats() {
        String org = Api.newOrg();
        String a = Api.contact(org, Map.of("email", "a@example.com"));
        String b = Api.contact(org, Map.of("email", "b@example.com"));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(as(org).body(Map.of("contact_id", i % 2 == 0 ? a : b, "channel", i < 3 ? "whatsapp" : "instagram", "inbox", i < 4 ? "support" : "sales"))
                    .post("/v1/conversations").then().statusCode(201).extract().path("id"));
        }
        as(org).queryParam("channel", "whatsapp").get("/v1/conversations").then().body("data", hasSize(3));
        as(org).queryParam("contact_id", b).get("/v1/conversations").then().body("data", hasSize(3));
        as(org).queryParam("inbox", "sales").get("/v1/conversations").then().body("data", hasSize(2));
        as(org).queryParam("inbox", "sales").queryParam("contact_id", a).get("/v1/conversations").then().body("data", hasSize(1));
        as(org).queryParam("contact_id", "contact_nope").get("/v1/conversations").then().statusCode(200).body("data", hasSize(0));
        as(org).queryParam("status", "archived").get("/v1/conversations").then().statusCode(400).body("error.details.field", equalTo("status"));
        as(org).queryParam("channel", "fax").get("/v1/conversations").then().statusCode(400);
        as(org).queryParam("limit", 0).get("/v1/conversations").then().statusCode(400);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(org).queryParam("limit", 4);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var page = request.get("/v1/conversations");
            seen.addAll(page.path("data.id"));
            cursor = page.path("pagination.next_cursor");
        } while (cursor != null);
        assertEquals(all.reversed(), seen);
    }

    @Test
    void publishes_created_updated_assigned_and_resolved_once_each() {
        String org = Api.newOrg();
        String contact = Api.contact(org, Map.of("email", "ev@example.com"));
        try (Events events = new Events(org)) {
            String id = Api.conversation(org, contact, "facebook");
            as(org).body(Map.of("assignee_id", AGENT_1)).patch("/v1/conversations/" + id).then().statusCode(200);
            as(org).body(Map.of("status", "resolved")).patch("/v1/conversations/" + id).then().statusCode(200);
            as(org).body(Map.of("status", "closed")).patch("/v1/conversations/" + id).then().statusCode(200);
            as(org).body(Map.of("status", "closed")).patch("/v1/conversations/" + id).then().statusCode(200);
            events.exactly("conversation.created", id, 1);
            JsonNode assigned = events.exactly("conversation.assigned", id, 1).get(0);
            assertEquals(AGENT_1, assigned.path("assignee_id").asText());
            assertEquals(3, events.exactly("conversation.updated", id, 3).size());
            JsonNode resolved = events.exactly("conversation.resolved", id, 1).get(0);
            assertEquals("open", resolved.path("previous_status").asText());
            assertEquals("resolved", resolved.path("status").asText());
        }
    }

    @Test
    void another_orgs_conversation_is_not_found() {
        String org = Api.newOrg();
        String id = Api.conversation(org, Api.contact(org, Map.of("email", "o@example.com")), "whatsapp");
        String other = Api.newOrg();
        as(other).get("/v1/conversations/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).body(Map.of("status", "closed")).patch("/v1/conversations/" + id).then().statusCode(404);
        as(other).get("/v1/conversations/" + id + "/messages").then().statusCode(404);
        as(other).body(Map.of("content", "hi")).post("/v1/conversations/" + id + "/messages").then().statusCode(404);
        as(other).get("/v1/conversations").then().statusCode(200).body("data", hasSize(0));
        String contact = as(org).get("/v1/conversations/" + id).then().extract().path("contact_id");
        as(other).body(Map.of("contact_id", contact, "channel", "whatsapp")).post("/v1/conversations").then().statusCode(400)
                .body("error.details.field", equalTo("contact_id"));
        as(org).get("/v1/conversations/cnv_nope").then().statusCode(404);
        as(org).get("/v1/conversations/" + id).then().statusCode(200).body("status", equalTo("open"));
    }

    @Test
    void refuses_bad_input_with_the_error_shape() {
        String org = Api.newOrg();
        String contact = Api.contact(org, Map.of("email", "bad@example.com"));
        String id = Api.conversation(org, contact, "whatsapp");
        for (String body : List.of("{not json", "[]", "{\"status\":\"archived\"}", "{\"status\":3}", "{\"surprise\":true}", "{\"assignee_id\":42}",
                "{\"assignee_id\":\"has spaces\"}", "{\"snoozed_until\":\"2999-01-01T00:00:00Z\"}", "{\"subject\":[]}")) {
            as(org).body(body).patch("/v1/conversations/" + id).then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        }
        for (String body : List.of("{}", "{\"contact_id\":\"" + contact + "\"}", "{\"contact_id\":\"" + contact + "\",\"channel\":\"fax\"}",
                "{\"contact_id\":\"contact_nope\",\"channel\":\"whatsapp\"}", "{\"contact_id\":\"" + contact + "\",\"channel\":\"whatsapp\",\"inbox\":\"Big Inbox!\"}",
                "{\"contact_id\":\"" + contact + "\",\"channel\":\"whatsapp\",\"customer_id\":\"contact_other\"}")) {
            as(org).body(body).post("/v1/conversations").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        }
        for (String body : List.of("{}", "{\"agent_ids\":\"usr_1\"}", "{\"agent_ids\":[1]}", "{\"agent_ids\":[\"a b\"]}")) {
            as(org).body(body).put("/v1/inboxes/support").then().statusCode(400);
        }
        as(org).body("{\"agent_ids\":[]}").put("/v1/inboxes/NOT_VALID").then().statusCode(400);
        as(org).get("/v1/conversations").then().body("data.id", containsInAnyOrder(id));
    }
}
