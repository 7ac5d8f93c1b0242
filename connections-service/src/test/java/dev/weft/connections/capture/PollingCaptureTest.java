package dev.weft.connections.capture;

import dev.weft.connections.support.EventCatalog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.weft.connections.connector.salesforce.SalesforceStub;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.SalesforceFixture;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change capture by polling SaaS APIs (Salesforce, HubSpot, the generic HTTP connector), against WireMock stubs that
 * answer only the requests the vendors document (Salesforce's queryAll SOQL, HubSpot's search and archived list), onto
 * the real weft.records.events topic. Polled streams without a poll_interval of their own look every half second here.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class PollingCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY_ALL = "/services/data/" + SalesforceStub.API_VERSION + "/queryAll";
    private static final String SF_BEARER = "Bearer " + SalesforceStub.ACCESS_TOKEN;
    private static final DateTimeFormatter SF_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final String CONTACT_SELECT = "SELECT Id, FirstName, LastName, Email, IsDeleted, CreatedDate, SystemModstamp FROM Contact";
    private static final String HUBSPOT_TOKEN = "Bearer pat-na1-test";

    @Inject
    StreamSupervisor supervisor;

    // ---- Salesforce ----

    @Test
    void salesforce_creates_updates_and_deletes_arrive_once_in_order_through_queryAll() throws Exception {
        String org = Api.newOrg();
        String connection = salesforce(org);
        String stream = createStream(org, connection, Map.of("object", "Contact"));
        Instant start = Instant.parse(awaitStarted(org, connection, stream));
        Instant t1 = start.plusSeconds(1);
        Instant t2 = start.plusSeconds(2);
        Instant t3 = start.plusSeconds(3);
        String a = "003Dn0000000001AAA";
        String b = "003Dn0000000002AAA";
        String c = "003Dn0000000003AAA";
        WireMockServer salesforce = SalesforceFixture.stub().server();
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            // The first poll's query, from the stream's start; Salesforce answers it in two batches.
            String locator = "/services/data/v58.0/queryAll/01gD0000002HU6KIAW-2000";
            stubQuery(soql("SystemModstamp >= " + start), """
                    {"totalSize":3,"done":false,"nextRecordsUrl":"%s","records":[%s,%s]}""".formatted(locator,
                    contact(a, "Ada", t1, t1, false), contact(b, "Grace", start.minusSeconds(3600), t2, false)));
            salesforce.stubFor(get(urlPathEqualTo(locator)).atPriority(1).withHeader("Authorization", equalTo(SF_BEARER))
                    .willReturn(okJson("""
                            {"totalSize":3,"done":true,"records":[%s]}""".formatted(contact(c, "Linus", start.minusSeconds(7200), t2, true)))));
            // Then from the last record seen: after (t2, c), the tie on t2 broken by Id.
            stubQuery(soql("SystemModstamp > " + t2 + " OR (SystemModstamp = " + t2 + " AND Id > '" + c + "')"), """
                    {"totalSize":1,"done":true,"records":[%s]}""".formatted(contact(a, "Ada Lovelace", t1, t3, false)));

            Predicate<ConsumerRecord<String, byte[]>> ofStream = r -> stream.equals(data(r).path("stream_id").asText());
            List<ConsumerRecord<String, byte[]>> events = records.await(ofStream, 4, Duration.ofSeconds(30));
            assertEquals(4, events.size(), "events: " + summary(events));
            assertEquals(List.of("record.created", "record.updated"), typesOf(events, "Id", a));
            assertEquals(List.of("record.updated"), typesOf(events, "Id", b));
            assertEquals(List.of("record.deleted"), typesOf(events, "Id", c));
            JsonNode updated = data(byKey(events, "Id", a).get(1));
            assertEquals("Ada Lovelace", updated.path("record").path("FirstName").asText());
            assertEquals(a, updated.path("record_id").asText());
            assertTrue(updated.path("previous").isMissingNode(), "Salesforce gives no previous values");
            assertEquals("poll", updated.path("source").path("kind").asText());
            assertEquals(t3 + " " + a, updated.path("source").path("position").asText());
            assertEquals("Linus", data(byKey(events, "Id", c).getFirst()).path("record").path("FirstName").asText(), "the deleted row");
            for (ConsumerRecord<String, byte[]> event : events) {
                assertEquals(Set.of(), EventCatalog.violations(TopicProbe.header(event, "ce_type"), data(event)));
            }
            assertEquals(4, records.drain(ofStream, Duration.ofSeconds(2)).size(), "each once, however often it polls");
        }
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200)
                .body("kind", Matchers.equalTo("poll")).body("status", Matchers.equalTo("streaming")).body("events_published", Matchers.equalTo(4))
                .body("position", Matchers.equalTo(t3 + " " + a));
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
    }

    @Test
    void salesforce_resumes_after_a_restart_from_the_last_committed_page_without_losing_or_repeating_a_tie() throws Exception {
        String org = Api.newOrg();
        String connection = salesforce(org);
        String stream = createStream(org, connection, Map.of("object", "Contact"));
        UUID id = TypeId.parse("strm", stream).orElseThrow();
        Instant start = Instant.parse(awaitStarted(org, connection, stream));
        Instant t1 = start.plusSeconds(1);
        Instant t2 = start.plusSeconds(2);
        Instant t3 = start.plusSeconds(3);
        String d = "003Dn0000000004AAA";
        String e = "003Dn0000000005AAA";
        String f = "003Dn0000000006AAA";
        WireMockServer salesforce = SalesforceFixture.stub().server();
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            // The first batch arrives; the second fails (Salesforce is down): the first batch stays committed.
            String locator = "/services/data/v58.0/queryAll/01gD0000002RESTAAA-2000";
            stubQuery(soql("SystemModstamp >= " + start), """
                    {"totalSize":3,"done":false,"nextRecordsUrl":"%s","records":[%s,%s]}""".formatted(locator,
                    contact(d, "Dora", t1, t1, false), contact(e, "Emmy", t2, t2, false)));
            salesforce.stubFor(get(urlPathEqualTo(locator)).atPriority(1).willReturn(aResponse().withStatus(500)
                    .withHeader("Content-Type", "application/json").withBody("[{\"message\":\"try again\",\"errorCode\":\"UNKNOWN_EXCEPTION\"}]")));
            Predicate<ConsumerRecord<String, byte[]>> ofStream = r -> stream.equals(data(r).path("stream_id").asText());
            assertEquals(2, records.await(ofStream, 2, Duration.ofSeconds(30)).size());
            awaitField(org, connection, stream, "position", t2 + " " + e);

            // The stream stops and starts again (a restart): it resumes from the stored cursor, (t2, e).
            Api.as(org).when().post("/v1/connections/" + connection + "/streams/" + stream + "/pause").then().statusCode(200);
            awaitStopped(id);
            stubQuery(soql("SystemModstamp > " + t2 + " OR (SystemModstamp = " + t2 + " AND Id > '" + e + "')"), """
                    {"totalSize":2,"done":true,"records":[%s,%s]}""".formatted(contact(f, "Fay", t2, t2, false), contact(d, "Dora", t1, t3, true)));
            Api.as(org).when().post("/v1/connections/" + connection + "/streams/" + stream + "/resume").then().statusCode(200);

            List<ConsumerRecord<String, byte[]>> events = records.await(ofStream, 4, Duration.ofSeconds(30));
            List<ConsumerRecord<String, byte[]>> all = records.drain(ofStream, Duration.ofSeconds(2));
            assertEquals(4, all.size(), "nothing repeated: " + summary(all));
            assertEquals(List.of("record.created", "record.deleted"), typesOf(events, "Id", d));
            assertEquals(List.of("record.created"), typesOf(events, "Id", e));
            assertEquals(List.of("record.created"), typesOf(events, "Id", f), "the record sharing e's second, after the restart");
        }
        assertTrue(salesforce.findAll(getRequestedFor(urlPathEqualTo(QUERY_ALL)).withQueryParam("q",
                equalTo(soql("SystemModstamp > " + t2 + " OR (SystemModstamp = " + t2 + " AND Id > '" + e + "')")))).size() >= 1,
                "polls after the failure start after the last committed record");
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
    }

    @Test
    void a_snapshot_publishes_what_is_there_as_created_and_skips_what_was_deleted() throws Exception {
        String org = Api.newOrg();
        String connection = salesforce(org);
        Instant old = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(86_400);
        String g = "003Dn0000000007AAA";
        String h = "003Dn0000000008AAA";
        // The whole object, from the beginning: no cursor yet.
        stubQuery(CONTACT_SELECT + " ORDER BY SystemModstamp, Id LIMIT 10000", """
                {"totalSize":2,"done":true,"records":[%s,%s]}""".formatted(contact(g, "Gert", old, old.plusSeconds(60), false),
                contact(h, "Hedy", old, old.plusSeconds(120), true)));
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            String stream = createStream(org, connection, Map.of("object", "Contact", "snapshot", true));
            Predicate<ConsumerRecord<String, byte[]>> ofStream = r -> stream.equals(data(r).path("stream_id").asText());
            List<ConsumerRecord<String, byte[]>> events = records.await(ofStream, 1, Duration.ofSeconds(30));
            awaitField(org, connection, stream, "status", "streaming");
            assertEquals(List.of("record.created"), typesOf(records.drain(ofStream, Duration.ofSeconds(2)), "Id", g));
            assertEquals(1, records.drain(ofStream, Duration.ofMillis(500)).size(), "the deleted record is not in a snapshot: " + summary(events));
            Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
        }
    }

    @Test
    void poll_interval_has_a_minimum_and_only_capturing_providers_take_streams() {
        String org = Api.newOrg();
        String connection = salesforce(org);
        Api.as(org).body(Map.of("object", "Contact", "poll_interval", 4)).when().post("/v1/connections/" + connection + "/streams").then()
                .statusCode(400).body("error.code", Matchers.equalTo("INVALID_REQUEST")).body("error.details.field", Matchers.equalTo("poll_interval"))
                .body("error.message", containsString("at least 5 seconds"));
        Api.as(org).body(Map.of("object", "Contact", "poll_interval", "often")).when().post("/v1/connections/" + connection + "/streams").then()
                .statusCode(400);
        String stream = Api.as(org).body(Map.of("object", "Contact", "poll_interval", 5)).when().post("/v1/connections/" + connection + "/streams")
                .then().statusCode(201).body("kind", Matchers.equalTo("poll")).body("poll_interval", Matchers.equalTo(5)).extract().path("id");
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
        Api.as(org).body(Map.of("object", "Nope")).when().post("/v1/connections/" + connection + "/streams").then().statusCode(400)
                .body("error.details.field", Matchers.equalTo("object"));
        String slack = Api.as(org).body("""
                {"provider":"slack","name":"Slack","config":{},"credentials":{"auth_type":"bot_token","bot_token":"xoxb-test"}}""")
                .post("/v1/connections").then().statusCode(201).extract().path("id");
        Api.as(org).body(Map.of("object", "channels")).when().post("/v1/connections/" + slack + "/streams").then().statusCode(400)
                .body("error.details.field", Matchers.equalTo("connection_id")).body("error.message", containsString("no change capture"));
    }

    // ---- HubSpot ----

    @Test
    void hubspot_search_pages_ties_and_archived_records_arrive_once_in_order() throws Exception {
        String org = Api.newOrg();
        WireMockServer hubspot = ConnectionsStubs.vendors();
        stubHubspotProperties();
        String connection = Api.as(org).body("""
                {"provider":"hubspot","name":"CRM","config":{},"credentials":{"auth_type":"private_app","access_token":"pat-na1-test"}}""")
                .post("/v1/connections").then().statusCode(201).extract().path("id");
        String stream = createStream(org, connection, Map.of("object", "contacts"));
        Instant after = Instant.parse(awaitStarted(org, connection, stream));
        Instant t = after.plusSeconds(1);
        Instant tie = t.plusMillis(200);
        // One full page (100): 98 records at distinct times, then two at the same millisecond, which goes on beyond it.
        List<String> page = new ArrayList<>();
        for (int i = 1; i <= 98; i++) {
            page.add(hubspotContact(1000 + i, t.plusMillis(i), t.plusMillis(i)));
        }
        page.add(hubspotContact(1099, tie, tie));
        page.add(hubspotContact(1100, tie, tie));
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            stubSearch(hubspot, search("lastmodifieddate", "GT", after, null, "lastmodifieddate"), results(page));
            // The records of the cut millisecond, in id order: one more than the page showed.
            stubSearch(hubspot, search("lastmodifieddate", "EQ", tie, null, "hs_object_id"), results(List.of(hubspotContact(1099, tie, tie),
                    hubspotContact(1100, tie, tie), hubspotContact(1101, tie, tie))));
            // After the tie: contact 1001 updated.
            stubSearch(hubspot, search("lastmodifieddate", "GT", tie, null, "lastmodifieddate"),
                    results(List.of(hubspotContact(1001, t.plusMillis(1), tie.plusSeconds(1)))));
            // Archived: one archived before the stream started (not a change it saw), two after, over two pages.
            hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).atPriority(1).withQueryParam("archived", equalTo("true"))
                    .withQueryParam("after", com.github.tomakehurst.wiremock.client.WireMock.absent())
                    .withHeader("Authorization", equalTo(HUBSPOT_TOKEN)).willReturn(okJson("""
                            {"results":[%s,%s],"paging":{"next":{"after":"2051","link":"?after=2051"}}}""".formatted(
                            archived(2050, after.minusSeconds(60)), archived(2051, tie.plusSeconds(3))))));
            hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).atPriority(1).withQueryParam("archived", equalTo("true"))
                    .withQueryParam("after", equalTo("2051")).withHeader("Authorization", equalTo(HUBSPOT_TOKEN))
                    .willReturn(okJson("{\"results\":[" + archived(2052, tie.plusSeconds(2)) + "]}")));

            Predicate<ConsumerRecord<String, byte[]>> ofStream = r -> stream.equals(data(r).path("stream_id").asText());
            List<ConsumerRecord<String, byte[]>> events = records.await(ofStream, 104, Duration.ofSeconds(40));
            List<ConsumerRecord<String, byte[]>> all = records.drain(ofStream, Duration.ofSeconds(2));
            assertEquals(104, all.size(), "101 created, 1 updated, 2 deleted, each once");
            assertEquals(List.of("record.created", "record.updated"), typesOf(events, "hs_object_id", 1001));
            for (int i = 1002; i <= 1101; i++) {
                assertEquals(List.of("record.created"), typesOf(events, "hs_object_id", i), "contact " + i);
            }
            assertEquals(List.of("record.deleted"), typesOf(events, "hs_object_id", 2052));
            assertEquals(List.of("record.deleted"), typesOf(events, "hs_object_id", 2051));
            assertEquals(List.of(), typesOf(events, "hs_object_id", 2050));
            JsonNode created = data(byKey(events, "hs_object_id", 1050).getFirst());
            assertEquals("c1050@example.com", created.path("record").path("email").asText());
            assertEquals("1050", created.path("record_id").asText());
        }
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
    }

    // ---- HTTP ----

    @Test
    void http_changes_by_the_configured_cursor_field_arrive_once_in_order_and_resume_after_a_takeover() throws Exception {
        String org = Api.newOrg();
        WireMockServer api = ConnectionsStubs.vendors();
        String path = "/poll-http/" + Long.toString(System.nanoTime(), 36) + "/tickets";
        stubTickets(api, path, List.of(ticket(1, "2026-01-01T00:00:01Z"), ticket(2, "2026-01-01T00:00:02Z")));
        String connection = Api.as(org).body(Map.of("provider", "http", "name", "Tickets",
                "config", Map.of("base_url", api.baseUrl(), "objects", Map.of("tickets", Map.of("path", path, "records_path", "data",
                        "updated_field", "updated_at", "pagination", Map.of("style", "page", "page_size", 2)))),
                "credentials", Map.of("auth_type", "bearer", "token", "tick-token"))).post("/v1/connections").then().statusCode(201).extract().path("id");
        String stream = createStream(org, connection, Map.of("object", "tickets"));
        UUID id = TypeId.parse("strm", stream).orElseThrow();
        // Started after the latest change there was: (2026-01-01T00:00:02Z, 2).
        assertEquals("2026-01-01T00:00:02Z 2", awaitStarted(org, connection, stream));
        try (TopicProbe records = new TopicProbe(Topics.RECORDS)) {
            // Three changes, two sharing a time, over pages that list them in no order.
            stubTickets(api, path, List.of(ticket(5, "2026-01-01T00:00:04Z"), ticket(1, "2026-01-01T00:00:01Z"), ticket(4, "2026-01-01T00:00:03Z"),
                    ticket(2, "2026-01-01T00:00:02Z"), ticket(3, "2026-01-01T00:00:03Z")));
            Predicate<ConsumerRecord<String, byte[]>> ofStream = r -> stream.equals(data(r).path("stream_id").asText());
            List<ConsumerRecord<String, byte[]>> events = records.await(ofStream, 3, Duration.ofSeconds(30));
            assertEquals(3, events.size());
            awaitField(org, connection, stream, "position", "2026-01-01T00:00:04Z 5");

            // The replica running it is gone (its lease taken away): another takes the stream over from its cursor.
            stealLease(id);
            stubTickets(api, path, List.of(ticket(5, "2026-01-01T00:00:04Z"), ticket(1, "2026-01-01T00:00:05Z"), ticket(4, "2026-01-01T00:00:03Z"),
                    ticket(2, "2026-01-01T00:00:02Z"), ticket(3, "2026-01-01T00:00:03Z")));
            records.await(ofStream, 4, Duration.ofSeconds(30));
            List<ConsumerRecord<String, byte[]>> all = records.drain(ofStream, Duration.ofSeconds(2));
            assertEquals(4, all.size(), "nothing repeated after the takeover: " + summary(all));
            assertEquals(Set.of("3", "4", "5", "1"), new HashSet<>(all.stream().map(r -> data(r).path("record_id").asText()).toList()));
            assertEquals(Set.of("record.updated"), new HashSet<>(all.stream().map(r -> TopicProbe.header(r, "ce_type")).toList()),
                    "the HTTP connector cannot tell a create from an update");
            assertEquals(List.of("2026-01-01T00:00:03Z 3", "2026-01-01T00:00:03Z 4", "2026-01-01T00:00:04Z 5", "2026-01-01T00:00:05Z 1"),
                    all.stream().map(r -> data(r).path("source").path("position").asText()).sorted().toList());
        }
        api.verify(getRequestedFor(urlPathEqualTo(path)).withHeader("Authorization", equalTo("Bearer tick-token")));
        Api.as(org).when().delete("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(204);
    }

    @Test
    void an_http_object_without_a_cursor_field_fails_the_stream_with_a_reason() throws Exception {
        String org = Api.newOrg();
        WireMockServer api = ConnectionsStubs.vendors();
        String path = "/poll-http/" + Long.toString(System.nanoTime(), 36) + "/notes";
        stubTickets(api, path, List.of(ticket(1, "2026-01-01T00:00:01Z")));
        String connection = Api.as(org).body(Map.of("provider", "http", "name", "Notes",
                "config", Map.of("base_url", api.baseUrl(), "objects", Map.of("notes", Map.of("path", path, "records_path", "data",
                        "pagination", Map.of("style", "page", "page_size", 2)))),
                "credentials", Map.of("auth_type", "bearer", "token", "tick-token"))).post("/v1/connections").then().statusCode(201).extract().path("id");
        String stream = createStream(org, connection, Map.of("object", "notes"));
        awaitField(org, connection, stream, "status", "failed");
        Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then()
                .body("status_reason", containsString("updated_field"));
    }

    // ---- helpers ----

    private static String salesforce(String org) {
        WireMockServer salesforce = SalesforceFixture.stub().server();
        salesforce.stubFor(get(urlPathEqualTo("/services/data/" + SalesforceStub.API_VERSION + "/sobjects/Contact/describe")).atPriority(1)
                .withHeader("Authorization", equalTo(SF_BEARER)).willReturn(okJson("""
                        {"name":"Contact","label":"Contact","queryable":true,"createable":true,"updateable":true,"deletable":true,"fields":[
                          {"name":"Id","type":"id","nillable":false,"createable":false,"updateable":false},
                          {"name":"FirstName","type":"string","nillable":true,"createable":true,"updateable":true},
                          {"name":"LastName","type":"string","nillable":false,"createable":true,"updateable":true},
                          {"name":"Email","type":"email","nillable":true,"createable":true,"updateable":true},
                          {"name":"IsDeleted","type":"boolean","nillable":false,"createable":false,"updateable":false},
                          {"name":"CreatedDate","type":"datetime","nillable":false,"createable":false,"updateable":false},
                          {"name":"SystemModstamp","type":"datetime","nillable":false,"createable":false,"updateable":false}]}""")));
        // Anything else asked of queryAll: nothing changed.
        salesforce.stubFor(get(urlPathEqualTo(QUERY_ALL)).atPriority(9).withHeader("Authorization", equalTo(SF_BEARER))
                .willReturn(okJson("{\"totalSize\":0,\"done\":true,\"records\":[]}")));
        return Api.as(org).body("""
                {"provider":"salesforce","name":"Production Salesforce","config":{"sandbox":false,"api_version":"v58.0"},
                 "credentials":{"oauth_flow":"jwt_bearer","consumer_key":"3MVG9...","private_key_id":"key_abc123"}}""")
                .post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    private static String soql(String where) {
        return CONTACT_SELECT + " WHERE " + where + " ORDER BY SystemModstamp, Id LIMIT 10000";
    }

    private static void stubQuery(String soql, String body) {
        SalesforceFixture.stub().server().stubFor(get(urlPathEqualTo(QUERY_ALL)).atPriority(1).withHeader("Authorization", equalTo(SF_BEARER))
                .withQueryParam("q", equalTo(soql)).willReturn(okJson(body)));
    }

    /** A Contact as queryAll answers it. */
    private static String contact(String id, String firstName, Instant created, Instant modified, boolean deleted) {
        return """
                {"attributes":{"type":"Contact","url":"/services/data/v58.0/sobjects/Contact/%s"},"Id":"%s","FirstName":"%s","LastName":"Tester",
                 "Email":"%s@example.com","IsDeleted":%s,"CreatedDate":"%s","SystemModstamp":"%s"}""".formatted(id, id, firstName,
                firstName.toLowerCase().replace(' ', '.'), deleted, SF_TIME.format(created), SF_TIME.format(modified));
    }

    private static void stubHubspotProperties() {
        ConnectionsStubs.vendors().stubFor(get(urlPathMatching("/crm/v3/properties/.*")).atPriority(1).willReturn(okJson("""
                {"results":[{"name":"email","label":"Email","type":"string","fieldType":"text"},
                            {"name":"firstname","label":"First name","type":"string","fieldType":"text"},
                            {"name":"hs_object_id","label":"Record ID","type":"number","fieldType":"number"},
                            {"name":"createdate","label":"Create date","type":"datetime","fieldType":"date"},
                            {"name":"lastmodifieddate","label":"Last modified","type":"datetime","fieldType":"date"},
                            {"name":"hs_lastmodifieddate","label":"Last modified","type":"datetime","fieldType":"date"}]}""")));
        ConnectionsStubs.vendors().stubFor(post(urlPathMatching("/crm/v3/objects/[a-z]+/search")).atPriority(9)
                .withHeader("Authorization", equalTo(HUBSPOT_TOKEN)).willReturn(okJson("{\"total\":0,\"results\":[]}")));
        ConnectionsStubs.vendors().stubFor(get(urlPathMatching("/crm/v3/objects/[a-z]+")).atPriority(9).withQueryParam("archived", equalTo("true"))
                .withHeader("Authorization", equalTo(HUBSPOT_TOKEN)).willReturn(okJson("{\"results\":[]}")));
    }

    /** A search body as HubSpot documents it: one filter group, one sort, the properties, a page of 100. */
    private static String search(String property, String operator, Instant at, String afterId, String sortBy) {
        String filters = "{\"propertyName\":\"" + property + "\",\"operator\":\"" + operator + "\",\"value\":\"" + at.toEpochMilli() + "\"}"
                + (afterId == null ? "" : ",{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":\"" + afterId + "\"}");
        return """
                {"filterGroups":[{"filters":[%s]}],"sorts":[{"propertyName":"%s","direction":"ASCENDING"}],
                 "properties":["email","firstname","hs_object_id","createdate","lastmodifieddate","hs_lastmodifieddate"],"limit":100}"""
                .formatted(filters, sortBy);
    }

    private static void stubSearch(WireMockServer hubspot, String body, String answer) {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search")).atPriority(1).withHeader("Authorization", equalTo(HUBSPOT_TOKEN))
                .withRequestBody(equalToJson(body, true, false)).willReturn(okJson(answer)));
    }

    private static String results(List<String> results) {
        return "{\"total\":" + results.size() + ",\"results\":[" + String.join(",", results) + "]}";
    }

    private static String hubspotContact(int id, Instant created, Instant modified) {
        return """
                {"id":"%d","properties":{"email":"c%d@example.com","firstname":"C%d","hs_object_id":"%d","createdate":"%s",
                 "lastmodifieddate":"%s"},"createdAt":"%s","updatedAt":"%s","archived":false}""".formatted(id, id, id, id, created, modified,
                created, modified);
    }

    private static String archived(int id, Instant at) {
        return """
                {"id":"%d","properties":{"email":"c%d@example.com","hs_object_id":"%d"},"createdAt":"2024-01-01T00:00:00Z",
                 "updatedAt":"%s","archived":true,"archivedAt":"%s"}""".formatted(id, id, id, at, at);
    }

    private static void stubTickets(WireMockServer api, String path, List<String> tickets) {
        for (int page = 1; page <= tickets.size() / 2 + 1; page++) {
            List<String> slice = tickets.subList(Math.min(tickets.size(), (page - 1) * 2), Math.min(tickets.size(), page * 2));
            api.stubFor(get(urlPathEqualTo(path)).atPriority(1).withQueryParam("page", equalTo(String.valueOf(page)))
                    .withQueryParam("per_page", equalTo("2")).withHeader("Authorization", equalTo("Bearer tick-token"))
                    .willReturn(okJson("{\"data\":[" + String.join(",", slice) + "]}")));
        }
    }

    private static String ticket(int id, String updatedAt) {
        return "{\"id\":" + id + ",\"subject\":\"Ticket " + id + "\",\"updated_at\":\"" + updatedAt + "\"}";
    }

    private void awaitStopped(UUID id) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (supervisor.runs(id) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertFalse(supervisor.runs(id), "the paused stream stopped");
    }

    private static void stealLease(UUID id) throws Exception {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(dev.weft.testing.WeftTestInfra.jdbcUrl(),
                dev.weft.testing.WeftTestInfra.username(), dev.weft.testing.WeftTestInfra.password());
             java.sql.PreparedStatement steal = db.prepareStatement(
                     "UPDATE connections.streams SET leased_by = 'replica-gone', leased_until = now() - interval '1 second' WHERE id = ?")) {
            steal.setObject(1, id);
            assertEquals(1, steal.executeUpdate());
        }
    }

    private static String createStream(String org, String connection, Map<String, Object> body) {
        return Api.as(org).body(body).when().post("/v1/connections/" + connection + "/streams").then().statusCode(201)
                .body("kind", Matchers.equalTo("poll")).extract().path("id");
    }

    /** Waits for the stream to stream from its stored starting cursor; returns its position. */
    private static String awaitStarted(String org, String connection, String stream) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            var view = Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200).extract();
            String position = view.path("position");
            if ("streaming".equals(view.path("status")) && position != null) {
                return position;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("stream " + stream + " did not start: "
                + Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().extract().asString());
    }

    private static void awaitField(String org, String connection, String stream, String field, String value) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        Object current = null;
        while (Instant.now().isBefore(deadline)) {
            current = Api.as(org).when().get("/v1/connections/" + connection + "/streams/" + stream).then().statusCode(200).extract().path(field);
            if (value.equals(current)) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(value, current, field);
    }

    private static List<ConsumerRecord<String, byte[]>> byKey(List<ConsumerRecord<String, byte[]>> events, String field, Object value) {
        return events.stream().filter(r -> String.valueOf(value).equals(data(r).path("key").path(field).asText())).toList();
    }

    private static List<String> typesOf(List<ConsumerRecord<String, byte[]>> events, String field, Object value) {
        return byKey(events, field, value).stream().map(r -> TopicProbe.header(r, "ce_type")).toList();
    }

    private static String summary(List<ConsumerRecord<String, byte[]>> events) {
        return events.stream().map(r -> TopicProbe.header(r, "ce_type") + ":" + data(r).path("record_id").asText()).toList().toString();
    }

    private static JsonNode data(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }
}
