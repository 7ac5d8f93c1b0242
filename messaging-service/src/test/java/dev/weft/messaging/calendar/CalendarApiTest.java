package dev.weft.messaging.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.weft.messaging.calendar.CalendarStubs.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Calendar events through the API: seed 002's body as written, validation, ranges and paging, entity links, tenancy. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = CalendarStubs.class, restrictToAnnotatedClass = false)
class CalendarApiTest {
    private static final String SEED = """
            {"title":"Client Meeting","start":"2026-07-01T14:00:00Z","end":"2026-07-01T15:00:00Z",
             "description":"Quarterly review","attendees":["contact@company.com"]}""";

    private static String event(String org, String title, String start, String end) {
        return as(org).body(Map.of("title", title, "start", start, "end", end)).post("/v1/calendar/events").then().statusCode(201).extract().path("id");
    }

    @Test
    void seed_002_body_works_as_written_under_the_integrations_path_and_publishes_event_created_once() {
        String org = Api.newOrg();
        try (Events events = new Events(org)) {
            Response created = as(org).body(SEED).post("/v1/integrations/calendar/events");
            created.then().statusCode(201)
                    .body("id", startsWith("cev_")).body("title", equalTo("Client Meeting"))
                    .body("start", equalTo("2026-07-01T14:00:00Z")).body("end", equalTo("2026-07-01T15:00:00Z"))
                    .body("description", equalTo("Quarterly review")).body("attendees", contains("contact@company.com"))
                    .body("all_day", equalTo(false)).body("status", equalTo("confirmed")).body("sync_state", equalTo("local"))
                    .body("connection_id", nullValue());
            String id = created.path("id");
            as(org).get("/v1/integrations/calendar/events/" + id).then().statusCode(200).body("title", equalTo("Client Meeting"));
            as(org).get("/v1/calendar/events/" + id).then().statusCode(200).body("id", equalTo(id));

            List<JsonNode> seen = events.exactly("calendar.event_created", id, 1);
            assertEquals("Client Meeting", seen.get(0).path("title").asText());
            assertEquals(org, seen.get(0).path("org_id").asText());
        }
    }

    @Test
    void invalid_bodies_are_400_naming_the_field() {
        String org = Api.newOrg();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\"}", "title");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T15:00:00Z\",\"end\":\"2026-07-01T14:00:00Z\"}", "end");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T15:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\"}", "end");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01 14:00\",\"end\":\"2026-07-01T15:00:00Z\"}", "start");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00\",\"end\":\"2026-07-01T15:00:00Z\"}", "start");
        bad.put("{\"title\":\"x\",\"start\":1751378400,\"end\":\"2026-07-01T15:00:00Z\"}", "start");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2028-07-01T15:00:00Z\"}", "end");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\",\"attendees\":[\"not-an-email\"]}", "attendees");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\",\"attendees\":\"a@b.co\"}", "attendees");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\",\"attendees\":[42]}", "attendees");
        bad.put("{\"title\":\"" + "t".repeat(501) + "\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\"}", "title");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\",\"colour\":\"red\"}", "colour");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\",\"entityType\":\"deal\"}", "entity_id");
        bad.put("{\"title\":\"x\",\"start\":\"2026-07-01T14:00:00Z\",\"end\":\"2026-07-01T15:00:00Z\",\"connection_id\":\"conn_nope\"}", "connection_id");
        bad.put("[\"title\"]", "body");
        bad.forEach((body, field) -> as(org).body(body).post("/v1/calendar/events").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo(field)));
        as(org).body("{\"title\":").post("/v1/calendar/events").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));

        String id = event(org, "Valid", "2026-07-01T14:00:00Z", "2026-07-01T15:00:00Z");
        as(org).body("{\"end\":\"2026-07-01T13:00:00Z\"}").patch("/v1/calendar/events/" + id).then().statusCode(400).body("error.details.field", equalTo("end"));
        as(org).body("{}").patch("/v1/calendar/events/" + id).then().statusCode(400);
        as(org).body("{\"title\":null}").patch("/v1/calendar/events/" + id).then().statusCode(400).body("error.details.field", equalTo("title"));
    }

    @Test
    void the_range_is_required_valid_and_bounded() {
        String org = Api.newOrg();
        as(org).get("/v1/calendar/events").then().statusCode(400).body("error.details.field", equalTo("start"));
        as(org).get("/v1/calendar/events?start=2026-07-01T00:00:00Z").then().statusCode(400).body("error.details.field", equalTo("end"));
        as(org).get("/v1/calendar/events?start=yesterday&end=2026-07-01T00:00:00Z").then().statusCode(400).body("error.details.field", equalTo("start"));
        as(org).get("/v1/calendar/events?start=2026-07-02T00:00:00Z&end=2026-07-01T00:00:00Z").then().statusCode(400).body("error.details.field", equalTo("end"));
        as(org).get("/v1/calendar/events?start=2026-01-01T00:00:00Z&end=2028-01-01T00:00:00Z").then().statusCode(400).body("error.details.constraint", equalTo("max_range"));
        as(org).get("/v1/calendar/events?start=2026-07-01&end=2026-07-02&page=0").then().statusCode(400).body("error.details.field", equalTo("page"));
    }

    @Test
    void lists_events_in_a_range_in_start_order_with_cursor_and_page_paging() {
        String org = Api.newOrg();
        String third = event(org, "third", "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z");
        String first = event(org, "first", "2026-07-01T09:00:00Z", "2026-07-01T10:00:00Z");
        String second = event(org, "second", "2026-07-02T09:00:00+02:00", "2026-07-02T10:00:00+02:00");
        event(org, "outside", "2026-08-01T09:00:00Z", "2026-08-01T10:00:00Z");

        Response page1 = as(org).get("/v1/calendar/events?start=2026-07-01T00:00:00Z&end=2026-07-31T00:00:00Z&limit=2");
        page1.then().statusCode(200).body("data.id", contains(first, second)).body("pagination.has_more", equalTo(true))
                .body("data[1].start", equalTo("2026-07-02T07:00:00Z"));
        String cursor = page1.path("pagination.next_cursor");
        as(org).queryParam("cursor", cursor).get("/v1/calendar/events?start=2026-07-01T00:00:00Z&end=2026-07-31T00:00:00Z&limit=2")
                .then().statusCode(200).body("data.id", contains(third)).body("pagination.has_more", equalTo(false));
        // Seed 002's page/limit, through the long path: the query string survives the reroute.
        as(org).get("/v1/integrations/calendar/events?start=2026-07-01&end=2026-07-31&page=2&limit=2")
                .then().statusCode(200).body("data.id", contains(third));
        as(org).get("/v1/integrations/calendar/events?start=2026-07-01&end=2026-07-31&limit=1")
                .then().statusCode(200).body("data.id", contains(first)).body("pagination.has_more", equalTo(true));
        // An event overlapping the start of the range is in it.
        as(org).get("/v1/calendar/events?start=2026-07-01T09:30:00Z&end=2026-07-01T09:45:00Z").then().statusCode(200).body("data.id", contains(first));
    }

    @Test
    void events_link_to_a_crm_entity_with_seed_002_s_numeric_id() {
        String org = Api.newOrg();
        String id = as(org).body("{\"title\":\"Deal review\",\"start\":\"2026-07-05T10:00:00Z\",\"end\":\"2026-07-05T11:00:00Z\",\"entityType\":\"deal\",\"entityId\":42}")
                .post("/v1/calendar/events").then().statusCode(201).body("entity_type", equalTo("deal")).body("entity_id", equalTo(42)).extract().path("id");
        event(org, "unlinked", "2026-07-05T12:00:00Z", "2026-07-05T13:00:00Z");
        as(org).get("/v1/integrations/calendar/events/entity/deal/42").then().statusCode(200).body("data.id", contains(id)).body("data[0].entity_id", equalTo(42));
        as(org).get("/v1/calendar/events/entity/deal/43").then().statusCode(200).body("data.size()", equalTo(0));
        as(org).get("/v1/calendar/events/entity/DEAL!/42").then().statusCode(400);
        as(Api.newOrg()).get("/v1/calendar/events/entity/deal/42").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void update_and_delete_publish_once_each_and_another_org_gets_404() {
        String org = Api.newOrg();
        String id = event(org, "Standup", "2026-07-06T09:00:00Z", "2026-07-06T09:15:00Z");
        try (Events events = new Events(org)) {
            as(org).body("{\"title\":\"Standup (moved)\",\"start\":\"2026-07-06T10:00:00Z\",\"end\":\"2026-07-06T10:15:00Z\",\"location\":\"Room 4\"}")
                    .patch("/v1/integrations/calendar/events/" + id).then().statusCode(200).body("title", equalTo("Standup (moved)"))
                    .body("location", equalTo("Room 4"));
            JsonNode updated = events.exactly("calendar.event_updated", id, 1).get(0);
            assertEquals(List.of("title", "location", "start", "end"),
                    java.util.stream.StreamSupport.stream(updated.path("changed_fields").spliterator(), false).map(JsonNode::asText).toList());

            String other = Api.newOrg();
            as(other).get("/v1/calendar/events/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
            as(other).body("{\"title\":\"mine\"}").patch("/v1/calendar/events/" + id).then().statusCode(404);
            as(other).delete("/v1/calendar/events/" + id).then().statusCode(404);
            as(org).get("/v1/calendar/events/cev_nope").then().statusCode(404);

            as(org).delete("/v1/integrations/calendar/events/" + id).then().statusCode(204);
            events.exactly("calendar.event_deleted", id, 1);
            as(org).get("/v1/calendar/events/" + id).then().statusCode(404);
            as(org).delete("/v1/calendar/events/" + id).then().statusCode(404);
            as(org).get("/v1/calendar/events?start=2026-07-06&end=2026-07-07").then().statusCode(200).body("data.id", not(hasItem(id)));
        }
    }

    @Test
    void calendar_scopes_are_required() {
        String org = Api.newOrg();
        Api.as(org).get("/v1/calendar/events?start=2026-07-01&end=2026-07-02").then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));
        io.restassured.RestAssured.given().get("/v1/integrations/calendar/events?start=2026-07-01&end=2026-07-02").then().statusCode(401)
                .body("error.request_id", notNullValue());
    }
}
