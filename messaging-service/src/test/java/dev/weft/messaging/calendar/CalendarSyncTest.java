package dev.weft.messaging.calendar;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.messaging.support.Events;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestEvents;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.calendar.CalendarStubs.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two-way sync against Google Calendar and Microsoft Graph stubs that check the requests as the vendors document them:
 * incremental positions, 410 Gone falling back to a full read without duplicates, If-Match writes and the 412 conflict
 * rule (the provider wins; the local change is kept as the conflict), and connection.sync_requested driving the worker.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = CalendarStubs.class, restrictToAnnotatedClass = false)
class CalendarSyncTest {
    private static final String GCAL = "/gcal/calendars/primary/events";
    private static final String GRAPH = "/msgraph/v1.0";

    @Inject
    CalendarSync worker;

    private static WireMockServer stub() {
        return ChannelStubs.server();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static String googleEvent(String id, String etag, String title, String start, String end) {
        return "{\"kind\":\"calendar#event\",\"id\":\"" + id + "\",\"etag\":\"\\\"" + etag + "\\\"\",\"status\":\"confirmed\",\"summary\":\"" + title
                + "\",\"start\":{\"dateTime\":\"" + start + "\"},\"end\":{\"dateTime\":\"" + end + "\"},"
                + "\"organizer\":{\"email\":\"owner@example.com\"},\"attendees\":[{\"email\":\"Ann@Example.com\",\"responseStatus\":\"accepted\"}]}";
    }

    private static Response sync(String org, String connection) {
        return as(org).body(Map.of("connection_id", connection)).post("/v1/integrations/calendar/sync");
    }

    private static String onlyEventId(String org, String title) {
        return as(org).get("/v1/calendar/events?start=2026-07-01&end=2026-08-01&limit=100").then().statusCode(200).extract().jsonPath()
                .getList("data.findAll { it.title == '" + title + "' }.id", String.class).getFirst();
    }

    @Test
    void google_changes_come_in_and_local_creates_updates_and_deletes_go_out_with_if_match() {
        String org = Api.newOrg();
        String u = TypeId.generate("t").substring(2, 14);
        String token = "ya29.g-" + u;
        String connection = ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        var auth = equalTo("Bearer " + token);
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", absent())
                .withQueryParam("showDeleted", equalTo("true"))
                .willReturn(ok("{\"kind\":\"calendar#events\",\"items\":[" + googleEvent("g1" + u, "1", "Kickoff", "2026-07-10T09:00:00+02:00", "2026-07-10T10:00:00+02:00")
                        + "],\"nextSyncToken\":\"s1" + u + "\"}")));
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", matching(".+")).atPriority(5)
                .willReturn(ok("{\"items\":[],\"nextSyncToken\":\"s-idle" + u + "\"}")));
        // The echo of Weft's own insert in the next incremental page is no change.
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", equalTo("s1" + u)).atPriority(1)
                .willReturn(ok("{\"items\":[" + googleEvent("g2" + u, "5", "Board", "2026-07-11T09:00:00Z", "2026-07-11T10:00:00Z") + "],\"nextSyncToken\":\"s2" + u + "\"}")));
        stub().stubFor(post(urlPathEqualTo(GCAL)).withHeader("Authorization", auth)
                .willReturn(ok(googleEvent("g2" + u, "5", "Board", "2026-07-11T09:00:00Z", "2026-07-11T10:00:00Z"))));
        stub().stubFor(patch(urlPathEqualTo(GCAL + "/g2" + u)).withHeader("Authorization", auth).withHeader("If-Match", equalTo("\"5\""))
                .willReturn(ok(googleEvent("g2" + u, "6", "Board (moved)", "2026-07-11T09:00:00Z", "2026-07-11T10:00:00Z"))));
        stub().stubFor(delete(urlPathEqualTo(GCAL + "/g2" + u)).withHeader("Authorization", auth).withHeader("If-Match", equalTo("\"6\""))
                .willReturn(aResponse().withStatus(204)));

        try (Events events = new Events(org)) {
            sync(org, connection).then().statusCode(200).body("data[0].status", is("synced"))
                    .body("data[0].created", is(1)).body("data[0].full_resync", is(false));
            String kickoff = onlyEventId(org, "Kickoff");
            as(org).get("/v1/calendar/events/" + kickoff).then().statusCode(200)
                    .body("provider", is("google")).body("provider_event_id", is("g1" + u))
                    .body("start", is("2026-07-10T07:00:00Z")).body("attendees", contains("ann@example.com"))
                    .body("organizer", is("owner@example.com")).body("sync_state", is("synced"));
            events.exactly("calendar.event_created", kickoff, 1);

            String board = as(org).body(Map.of("title", "Board", "start", "2026-07-11T09:00:00Z", "end", "2026-07-11T10:00:00Z",
                            "attendees", List.of("cfo@example.com"), "connection_id", connection))
                    .post("/v1/calendar/events").then().statusCode(201).body("sync_state", is("pending")).extract().path("id");
            sync(org, connection).then().statusCode(200).body("data[0].pushed", is(1))
                    .body("data[0].created", is(0)).body("data[0].updated", is(0));
            stub().verify(1, postRequestedFor(urlPathEqualTo(GCAL)).withHeader("Authorization", auth)
                    .withRequestBody(matchingJsonPath("$.summary", equalTo("Board")))
                    .withRequestBody(matchingJsonPath("$.start.dateTime", equalTo("2026-07-11T09:00:00Z")))
                    .withRequestBody(matchingJsonPath("$.end.dateTime", equalTo("2026-07-11T10:00:00Z")))
                    .withRequestBody(matchingJsonPath("$.attendees[0].email", equalTo("cfo@example.com"))));
            as(org).get("/v1/calendar/events/" + board).then().body("provider_event_id", is("g2" + u))
                    .body("etag", is("\"5\"")).body("sync_state", is("synced"));
            assertEquals(2, as(org).get("/v1/calendar/events?start=2026-07-01&end=2026-08-01").jsonPath().getList("data").size(), "the echo stored nothing twice");

            as(org).body("{\"title\":\"Board (moved)\"}").patch("/v1/calendar/events/" + board).then().statusCode(200)
                    .body("sync_state", is("pending"));
            sync(org, connection).then().statusCode(200).body("data[0].pushed", is(1));
            stub().verify(1, patchRequestedFor(urlPathEqualTo(GCAL + "/g2" + u)).withHeader("If-Match", equalTo("\"5\""))
                    .withRequestBody(matchingJsonPath("$.summary", equalTo("Board (moved)"))));

            as(org).delete("/v1/calendar/events/" + board).then().statusCode(204);
            sync(org, connection).then().statusCode(200).body("data[0].pushed", is(1));
            stub().verify(1, deleteRequestedFor(urlPathEqualTo(GCAL + "/g2" + u)).withHeader("If-Match", equalTo("\"6\"")));

            events.exactly("calendar.event_created", board, 1);
            events.exactly("calendar.event_updated", board, 1);
            events.exactly("calendar.event_deleted", board, 1);
        }
    }

    @Test
    void an_expired_google_sync_token_falls_back_to_a_full_read_without_duplicates() {
        String org = Api.newOrg();
        String u = TypeId.generate("t").substring(2, 14);
        String token = "ya29.r-" + u;
        String connection = ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        var auth = equalTo("Bearer " + token);
        String g1 = googleEvent("g1" + u, "1", "Weekly", "2026-07-14T09:00:00Z", "2026-07-14T10:00:00Z");
        String g3 = googleEvent("g3" + u, "1", "New one", "2026-07-15T09:00:00Z", "2026-07-15T10:00:00Z");
        String scenario = "full-" + u;
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", absent())
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .willReturn(ok("{\"items\":[" + g1 + "],\"nextSyncToken\":\"s1" + u + "\"}")));
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", absent())
                .inScenario(scenario).whenScenarioStateIs("second")
                .willReturn(ok("{\"items\":[" + g1 + "," + g3 + "],\"nextSyncToken\":\"s9" + u + "\"}")));
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", equalTo("s1" + u))
                .willReturn(aResponse().withStatus(410).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"errors\":[{\"domain\":\"global\",\"reason\":\"fullSyncRequired\"}],\"code\":410,\"message\":\"Sync token is no longer valid.\"}}")));

        try (Events events = new Events(org)) {
            sync(org, connection).then().statusCode(200).body("data[0].created", is(1));
            String weekly = onlyEventId(org, "Weekly");
            sync(org, connection).then().statusCode(200).body("data[0].status", is("synced"))
                    .body("data[0].full_resync", is(true)).body("data[0].created", is(1))
                    .body("data[0].updated", is(0));
            as(org).get("/v1/calendar/events?start=2026-07-01&end=2026-08-01").then().statusCode(200)
                    .body("data.title", containsInAnyOrder("Weekly", "New one"));
            events.exactly("calendar.event_created", weekly, 1);
            events.exactly("calendar.event_created", onlyEventId(org, "New one"), 1);
        }
    }

    @Test
    void a_google_412_keeps_the_provider_s_version_and_records_the_local_change_as_the_conflict() {
        String org = Api.newOrg();
        String u = TypeId.generate("t").substring(2, 14);
        String token = "ya29.c-" + u;
        String connection = ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        var auth = equalTo("Bearer " + token);
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", absent())
                .willReturn(ok("{\"items\":[" + googleEvent("g4" + u, "1", "Original", "2026-07-16T09:00:00Z", "2026-07-16T10:00:00Z")
                        + "],\"nextSyncToken\":\"s1" + u + "\"}")));
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", auth).withQueryParam("syncToken", matching(".+"))
                .willReturn(ok("{\"items\":[],\"nextSyncToken\":\"s2" + u + "\"}")));
        stub().stubFor(patch(urlPathEqualTo(GCAL + "/g4" + u)).withHeader("If-Match", equalTo("\"1\""))
                .willReturn(aResponse().withStatus(412).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":412,\"message\":\"Precondition Failed\"}}")));
        stub().stubFor(get(urlPathEqualTo(GCAL + "/g4" + u)).withHeader("Authorization", auth)
                .willReturn(ok(googleEvent("g4" + u, "2", "Provider edit", "2026-07-16T11:00:00Z", "2026-07-16T12:00:00Z"))));

        sync(org, connection).then().statusCode(200);
        String id = onlyEventId(org, "Original");
        try (Events events = new Events(org)) {
            as(org).body("{\"title\":\"Local edit\"}").patch("/v1/calendar/events/" + id).then().statusCode(200);
            sync(org, connection).then().statusCode(200).body("data[0].conflicts", is(1))
                    .body("data[0].pushed", is(0));
            stub().verify(1, patchRequestedFor(urlPathEqualTo(GCAL + "/g4" + u)).withHeader("If-Match", equalTo("\"1\"")));
            as(org).get("/v1/calendar/events/" + id).then().statusCode(200)
                    .body("title", is("Provider edit")).body("start", is("2026-07-16T11:00:00Z"))
                    .body("etag", is("\"2\"")).body("sync_state", is("synced"))
                    .body("conflict.rule", is("provider_wins"))
                    .body("conflict.discarded_local_change.title", is("Local edit"))
                    .body("conflict.discarded_local_change.change", is("update"));
            // One event for the local edit, one for the provider's version replacing it.
            events.exactly("calendar.event_updated", id, 2);
        }
    }

    @Test
    void microsoft_graph_delta_410_resyncs_fully_and_writes_go_out_with_if_match_on_the_change_key() {
        String org = Api.newOrg();
        String u = TypeId.generate("t").substring(2, 14);
        String token = "eyJ0.m-" + u;
        String connection = ChannelStubs.connection(org, "microsoft", Map.of(), Map.of("access_token", token));
        var auth = equalTo("Bearer " + token);
        String base = stub().baseUrl() + GRAPH;
        String m1 = "{\"@odata.etag\":\"W/\\\"ck1\\\"\",\"id\":\"m1" + u + "\",\"changeKey\":\"ck1\",\"subject\":\"Sync call\","
                + "\"body\":{\"contentType\":\"text\",\"content\":\"Agenda\"},\"isAllDay\":false,\"isCancelled\":false,\"showAs\":\"busy\","
                + "\"start\":{\"dateTime\":\"2026-07-12T09:00:00.0000000\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2026-07-12T09:30:00.0000000\",\"timeZone\":\"UTC\"},"
                + "\"location\":{\"displayName\":\"Teams\"},\"attendees\":[{\"type\":\"required\",\"emailAddress\":{\"name\":\"Bob\",\"address\":\"bob@example.com\"}}],"
                + "\"organizer\":{\"emailAddress\":{\"address\":\"owner@example.com\"}}}";
        String scenario = "delta-" + u;
        var initial = get(urlPathEqualTo(GRAPH + "/me/calendarView/delta")).withHeader("Authorization", auth)
                .withHeader("Prefer", containing("outlook.timezone=\"UTC\"")).withQueryParam("startDateTime", matching("\\d{4}-.+Z"))
                .withQueryParam("endDateTime", matching("\\d{4}-.+Z"));
        stub().stubFor(initial.inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("resynced")
                .willReturn(ok("{\"value\":[" + m1 + "],\"@odata.deltaLink\":\"" + base + "/me/calendarView/delta?$deltatoken=d1" + u + "\"}")));
        stub().stubFor(get(urlPathEqualTo(GRAPH + "/me/calendarView/delta")).withHeader("Authorization", auth).withHeader("Prefer", containing("outlook.timezone=\"UTC\""))
                .withQueryParam("startDateTime", matching("\\d{4}-.+Z")).inScenario(scenario).whenScenarioStateIs("resynced")
                .willReturn(ok("{\"value\":[" + m1 + "],\"@odata.deltaLink\":\"" + base + "/me/calendarView/delta?$deltatoken=d2" + u + "\"}")));
        stub().stubFor(get(urlPathEqualTo(GRAPH + "/me/calendarView/delta")).withHeader("Authorization", auth).withQueryParam("$deltatoken", equalTo("d1" + u))
                .willReturn(aResponse().withStatus(410).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"SyncStateNotFound\",\"message\":\"The sync state generation is not found.\"}}")));
        stub().stubFor(get(urlPathEqualTo(GRAPH + "/me/calendarView/delta")).withHeader("Authorization", auth).withQueryParam("$deltatoken", equalTo("d2" + u))
                .willReturn(ok("{\"value\":[],\"@odata.deltaLink\":\"" + base + "/me/calendarView/delta?$deltatoken=d2" + u + "\"}")));
        stub().stubFor(post(urlPathEqualTo(GRAPH + "/me/events")).withHeader("Authorization", auth)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(m1.replace("m1" + u, "m2" + u).replace("ck1", "ck2").replace("Sync call", "Renewal"))));
        stub().stubFor(patch(urlPathEqualTo(GRAPH + "/me/events/m2" + u)).withHeader("If-Match", equalTo("W/\"ck2\""))
                .willReturn(aResponse().withStatus(412).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"ErrorIrresolvableConflict\",\"message\":\"The change key passed in the request does not match the current change key for the item.\"}}")));
        stub().stubFor(get(urlPathEqualTo(GRAPH + "/me/events/m2" + u)).withHeader("Authorization", auth)
                .willReturn(ok(m1.replace("m1" + u, "m2" + u).replace("ck1", "ck3").replace("Sync call", "Renewal (their edit)"))));

        try (Events events = new Events(org)) {
            sync(org, connection).then().statusCode(200).body("data[0].provider", is("microsoft"))
                    .body("data[0].created", is(1));
            String call = onlyEventId(org, "Sync call");
            as(org).get("/v1/calendar/events/" + call).then().body("start", is("2026-07-12T09:00:00Z"))
                    .body("location", is("Teams")).body("attendees", contains("bob@example.com"))
                    .body("etag", is("W/\"ck1\"")).body("description", is("Agenda"));
            sync(org, connection).then().statusCode(200).body("data[0].full_resync", is(true))
                    .body("data[0].created", is(0)).body("data[0].updated", is(0));
            events.exactly("calendar.event_created", call, 1);

            String renewal = as(org).body(Map.of("title", "Renewal", "start", "2026-07-13T09:00:00Z", "end", "2026-07-13T09:30:00Z",
                    "attendees", List.of("bob@example.com"), "connection_id", connection)).post("/v1/calendar/events").then().statusCode(201).extract().path("id");
            sync(org, connection).then().statusCode(200).body("data[0].pushed", is(1))
                    .body("data[0].full_resync", is(false));
            stub().verify(1, postRequestedFor(urlPathEqualTo(GRAPH + "/me/events")).withHeader("Authorization", auth)
                    .withRequestBody(matchingJsonPath("$.subject", equalTo("Renewal")))
                    .withRequestBody(matchingJsonPath("$.start.dateTime", equalTo("2026-07-13T09:00")))
                    .withRequestBody(matchingJsonPath("$.start.timeZone", equalTo("UTC")))
                    .withRequestBody(matchingJsonPath("$.attendees[0].emailAddress.address", equalTo("bob@example.com"))));

            as(org).body("{\"title\":\"Renewal (our edit)\"}").patch("/v1/calendar/events/" + renewal).then().statusCode(200);
            sync(org, connection).then().statusCode(200).body("data[0].conflicts", is(1));
            stub().verify(1, patchRequestedFor(urlPathEqualTo(GRAPH + "/me/events/m2" + u)).withHeader("If-Match", equalTo("W/\"ck2\"")));
            as(org).get("/v1/calendar/events/" + renewal).then().body("title", is("Renewal (their edit)"))
                    .body("etag", is("W/\"ck3\"")).body("conflict.discarded_local_change.title", is("Renewal (our edit)"));
        }
    }

    @Test
    void connection_sync_requested_marks_the_calendar_due_and_the_worker_syncs_it() throws InterruptedException {
        String org = Api.newOrg();
        String u = TypeId.generate("t").substring(2, 14);
        String token = "ya29.e-" + u;
        String connection = ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        stub().stubFor(get(urlPathEqualTo(GCAL)).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(ok("{\"items\":[" + googleEvent("g5" + u, "1", "From the event", "2026-07-20T09:00:00Z", "2026-07-20T10:00:00Z")
                        + "],\"nextSyncToken\":\"s1" + u + "\"}")));
        TestEvents.publish(Topics.CONNECTIONS, "connection.sync_requested", org, connection, "{\"id\":\"" + TypeId.generate("csr") + "\",\"org_id\":\"" + org
                + "\",\"connection_id\":\"" + connection + "\",\"provider\":\"google\",\"type\":\"all\",\"requested_at\":\"" + Instant.now() + "\"}");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        List<String> titles = List.of();
        while (titles.isEmpty() && Instant.now().isBefore(deadline)) {
            worker.poll();
            titles = as(org).get("/v1/calendar/events?start=2026-07-01&end=2026-08-01").jsonPath().getList("data.title", String.class);
            if (titles.isEmpty()) {
                Thread.sleep(300);
            }
        }
        assertEquals(List.of("From the event"), titles, "the worker synced the calendar the event asked for");
    }
}
