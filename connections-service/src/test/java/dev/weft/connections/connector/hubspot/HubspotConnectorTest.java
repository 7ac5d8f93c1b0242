package dev.weft.connections.connector.hubspot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubspotConnectorTest {
    private static final String TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectSchema CONTACTS = new ObjectSchema("contacts", "Contacts", List.of(
            new FieldSchema("id", "string", "id", false, true), FieldSchema.of("email", "string"), FieldSchema.of("firstname", "string"),
            new FieldSchema("num_employees", "number", "number", true, false), new FieldSchema("hs_object_id", "number", "number", true, true),
            new FieldSchema("lastmodifieddate", "datetime", "datetime", true, true)),
            List.of("hs_object_id"), "lastmodifieddate", Set.of(WriteMode.values()));

    private WireMockServer hubspot;
    private HubspotConnector connector;

    @BeforeEach
    void start() {
        hubspot = new WireMockServer(options().dynamicPort());
        hubspot.start();
        connector = new HubspotConnector();
    }

    @AfterEach
    void stop() {
        hubspot.stop();
    }

    private ConnectorContext context() {
        return MapCredentials.context("hubspot", Map.of(), MapCredentials.of(Map.of("auth_type", "private_app", "access_token", TOKEN)),
                Map.of("base-url", hubspot.baseUrl()));
    }

    @Test
    void or_of_ands_becomes_filter_groups() throws Exception {
        List<Map<String, Object>> groups = HubspotFilterRenderer.filterGroups(FilterParser.parse("a = 1 OR (b = 2 AND c > 3)"));

        assertEquals(JSON.readTree("""
                [{"filters":[{"propertyName":"a","operator":"EQ","value":"1"}]},
                 {"filters":[{"propertyName":"b","operator":"EQ","value":"2"},{"propertyName":"c","operator":"GT","value":"3"}]}]
                """), JSON.valueToTree(groups));
    }

    @Test
    void and_distributes_over_or_and_not_flips_operators() throws Exception {
        List<Map<String, Object>> groups = HubspotFilterRenderer.filterGroups(FilterParser.parse(
                "(a = 1 OR b IS NULL) AND NOT (c > 3 OR d LIKE '%acme%') AND e IS NOT NULL"));

        assertEquals(JSON.readTree("""
                [{"filters":[{"propertyName":"a","operator":"EQ","value":"1"},{"propertyName":"c","operator":"LTE","value":"3"},
                             {"propertyName":"d","operator":"NOT_CONTAINS_TOKEN","value":"acme"},{"propertyName":"e","operator":"HAS_PROPERTY"}]},
                 {"filters":[{"propertyName":"b","operator":"NOT_HAS_PROPERTY"},{"propertyName":"c","operator":"LTE","value":"3"},
                             {"propertyName":"d","operator":"NOT_CONTAINS_TOKEN","value":"acme"},{"propertyName":"e","operator":"HAS_PROPERTY"}]}]
                """), JSON.valueToTree(groups));
        assertEquals(JSON.readTree("""
                [{"filters":[{"propertyName":"a","operator":"NOT_IN","values":["x","y"]},{"propertyName":"b","operator":"CONTAINS_TOKEN","value":"*@acme.com"}]}]
                """), JSON.valueToTree(HubspotFilterRenderer.filterGroups(new Filter.And(List.of(
                new Filter.Not(new Filter.In("a", List.of("x", "y"), false)), new Filter.Compare("b", Filter.Op.LIKE, "%@acme.com"))))));
    }

    @Test
    void filters_beyond_hubspot_limits_are_invalid() {
        List<String> tooMany = List.of(
                "a = 1 OR a = 2 OR a = 3 OR a = 4 OR a = 5 OR a = 6",
                "a = 1 AND b = 1 AND c = 1 AND d = 1 AND e = 1 AND f = 1 AND g = 1",
                "(a = 1 OR a = 2 OR a = 3 OR a = 4 OR a = 5) AND b = 1 AND c = 1 AND d = 1",
                "(a = 1 OR a = 2 OR a = 3) AND (b = 1 OR b = 2)",
                "name LIKE 'a_c'");
        for (String filter : tooMany) {
            ConnectorException e = assertThrows(ConnectorException.class, () -> HubspotFilterRenderer.filterGroups(FilterParser.parse(filter)), filter);
            assertEquals(ConnectorException.Kind.INVALID, e.kind());
            assertEquals("filter", e.details().get("field"));
        }
        assertEquals(5, HubspotFilterRenderer.filterGroups(FilterParser.parse("a = 1 OR a = 2 OR a = 3 OR a = 4 OR a = 5")).size());
    }

    @Test
    void filtered_query_searches_and_pages_with_after() {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalToJson("""
                        {"filterGroups":[{"filters":[{"propertyName":"email","operator":"CONTAINS_TOKEN","value":"acme.com"}]}],
                         "properties":["email","num_employees"],"limit":2}"""))
                .willReturn(okJson("""
                        {"total":3,"results":[
                          {"id":"101","properties":{"createdate":"2024-01-01T00:00:00.000Z","email":"ann@acme.com","hs_object_id":"101","num_employees":"12"},
                           "createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-02-01T00:00:00.000Z","archived":false},
                          {"id":"102","properties":{"email":"bob@acme.com","hs_object_id":"102","num_employees":null},
                           "createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-02-01T00:00:00.000Z","archived":false}],
                         "paging":{"next":{"after":"2","link":"?after=2"}}}""")));
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search"))
                .withRequestBody(matchingJsonPath("$.after", equalTo("2")))
                .willReturn(okJson("{\"total\":3,\"results\":[{\"id\":\"103\",\"properties\":{\"email\":\"cy@acme.com\",\"num_employees\":\"3\"}}]}")));

        QuerySpec query = new QuerySpec("contacts", List.of("id", "email", "num_employees"), FilterParser.parse("email LIKE '%acme.com%'"), 2, null, CONTACTS);
        RecordPage first = connector.query(context(), query);
        RecordPage second = connector.query(context(), new QuerySpec("contacts", query.fields(), query.filter(), 2, first.nextCursor(), CONTACTS));

        assertEquals(List.of(
                Map.of("id", "101", "email", "ann@acme.com", "num_employees", new BigDecimal("12")),
                new java.util.LinkedHashMap<>(java.util.Collections.singletonMap("id", (Object) "102")) {{
                    put("email", "bob@acme.com");
                    put("num_employees", null);
                }}), first.records());
        assertEquals("2", first.nextCursor());
        assertTrue(first.hasMore());
        assertEquals("103", second.records().getFirst().get("id"));
        assertFalse(second.hasMore());
    }

    @Test
    void unfiltered_query_lists_objects() {
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/companies")).withQueryParam("limit", equalTo("100"))
                .withQueryParam("properties", equalTo("name,domain"))
                .willReturn(okJson("{\"results\":[{\"id\":\"9\",\"properties\":{\"name\":\"Acme\",\"domain\":\"acme.com\",\"hs_object_id\":\"9\"}}]}")));

        RecordPage page = connector.query(context(), new QuerySpec("companies", List.of("name", "domain"), null, 500, null, null));

        assertEquals(List.of(Map.of("id", "9", "name", "Acme", "domain", "acme.com")), page.records());
        assertFalse(page.hasMore());
    }

    @Test
    void retries_after_retry_after_on_429() {
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("throttled")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\",\"errorType\":\"RATE_LIMIT\",\"correlationId\":\"c-1\",\"policyName\":\"SECONDLY\"}")));
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).inScenario("throttle").whenScenarioStateIs("throttled")
                .willReturn(okJson("{\"results\":[]}")));

        long started = System.nanoTime();
        CheckResult result = connector.check(context());

        assertEquals(CheckResult.Outcome.OK, result.outcome(), result.message());
        assertTrue((System.nanoTime() - started) / 1_000_000 >= 900);
        assertEquals(2, hubspot.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))).size());
    }

    @Test
    void vendor_errors_become_upstream_errors_with_hubspots_message() {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"error\",\"message\":\"There was a problem with the request.\",\"correlationId\":\"4e0d1c4d-8c1a\",\"category\":\"VALIDATION_ERROR\"}")));

        ConnectorException e = assertThrows(ConnectorException.class, () -> connector.query(context(),
                new QuerySpec("contacts", List.of("email"), FilterParser.parse("email = 'x'"), 10, null, CONTACTS)));

        assertEquals(ConnectorException.Kind.UPSTREAM, e.kind());
        assertEquals(400, e.upstreamStatus());
        assertTrue(e.getMessage().contains("There was a problem with the request. (category VALIDATION_ERROR, correlationId 4e0d1c4d-8c1a)"), e.getMessage());
    }

    @Test
    void check_with_a_bad_token_fails() {
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"correlationId\":\"c-2\",\"category\":\"INVALID_AUTHENTICATION\"}")));

        CheckResult result = connector.check(context());

        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("Authentication credentials not found."), result.message());
        assertFalse(result.message().contains(TOKEN));
    }

    @Test
    void oauth_connections_refresh_once_after_401() {
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withHeader("Authorization", equalTo("Bearer fresh"))
                .willReturn(okJson("{\"results\":[]}")));
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withHeader("Authorization", equalTo("Bearer stale"))
                .willReturn(aResponse().withStatus(401).withBody("{\"status\":\"error\",\"message\":\"expired\",\"category\":\"EXPIRED_AUTHENTICATION\"}")));
        MapCredentials credentials = new MapCredentials(Map.of("auth_type", "oauth2", "access_token", "stale"), rejected -> "fresh");

        CheckResult result = connector.check(MapCredentials.context("hubspot", Map.of(), credentials, Map.of("base-url", hubspot.baseUrl())));

        assertEquals(CheckResult.Outcome.OK, result.outcome(), result.message());
        assertEquals(1, credentials.refreshes());
    }

    @Test
    void batch_create_is_chunked_by_100_and_maps_multi_status_results_per_record() {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/create"))
                .withRequestBody(matchingJsonPath("$.inputs.length()", equalTo("100")))
                .willReturn(aResponse().withStatus(207).withHeader("Content-Type", "application/json").withBody(createAnswer(0, 100, 7))));
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/create"))
                .withRequestBody(matchingJsonPath("$.inputs.length()", equalTo("20")))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(createAnswer(100, 20, -1))));
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            records.add(Map.of("email", "user" + i + "@acme.com"));
        }

        WriteResult result = connector.write(context(), new WriteSpec("contacts", WriteMode.INSERT, null, records, CONTACTS));

        assertEquals(120, result.results().size());
        assertEquals(119, result.succeeded());
        assertEquals("Property values were not valid (category VALIDATION_ERROR)", result.results().get(7).error());
        assertEquals("5000", result.results().getFirst().id());
        assertEquals("5119", result.results().get(119).id());
        for (int i = 0; i < 120; i++) {
            assertEquals(i, result.results().get(i).index());
        }
        assertEquals(2, hubspot.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/create"))).size());
        assertEquals(119L, result.created());
    }

    @Test
    void batch_upsert_says_per_record_whether_it_created_or_updated() {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))
                .withRequestBody(equalToJson("{\"inputs\":[{\"id\":\"a@acme.com\",\"idProperty\":\"email\",\"properties\":{\"email\":\"a@acme.com\",\"firstname\":\"A\"}},"
                        + "{\"id\":\"b@acme.com\",\"idProperty\":\"email\",\"properties\":{\"email\":\"b@acme.com\",\"firstname\":\"B\"}}]}", true, true))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"status":"COMPLETE","results":[
                          {"id":"702","properties":{"email":"b@acme.com","firstname":"B"},"new":false,"archived":false},
                          {"id":"901","properties":{"email":"a@acme.com","firstname":"A"},"new":true,"archived":false}]}
                        """)));

        WriteResult result = connector.write(context(), new WriteSpec("contacts", WriteMode.UPSERT, List.of("email"),
                List.of(Map.of("email", "a@acme.com", "firstname", "A"), Map.of("email", "b@acme.com", "firstname", "B")), CONTACTS));

        assertEquals(List.of(WriteResult.RecordResult.ok(0, "901", true), WriteResult.RecordResult.ok(1, "702", false)), result.results());
        assertEquals(1L, result.created());
        assertEquals(1L, result.updated());
    }

    /** HubSpot's batch create answer, results in reverse order to prove matching by objectWriteTraceId. */
    private static String createAnswer(int offset, int count, int failing) {
        List<String> results = new ArrayList<>();
        for (int i = offset + count - 1; i >= offset; i--) {
            if (i != failing) {
                results.add("{\"id\":\"%d\",\"objectWriteTraceId\":\"%d\",\"properties\":{\"email\":\"user%d@acme.com\"},\"archived\":false}".formatted(5000 + i, i, i));
            }
        }
        String errors = failing < 0 ? "[]" : """
                [{"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid","context":{"objectWriteTraceId":["%d"]}}]
                """.formatted(failing);
        return "{\"status\":\"COMPLETE\",\"results\":[" + String.join(",", results) + "],\"numErrors\":" + (failing < 0 ? 0 : 1) + ",\"errors\":" + errors + "}";
    }

    @Test
    void batch_update_maps_missing_objects_to_failures() {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/update"))
                .withRequestBody(equalToJson("{\"inputs\":[{\"id\":\"1\",\"properties\":{\"firstname\":\"A\"}},{\"id\":\"2\",\"properties\":{\"firstname\":\"B\"}}]}"))
                .willReturn(aResponse().withStatus(207).withHeader("Content-Type", "application/json").withBody("""
                        {"status":"COMPLETE","results":[{"id":"1","properties":{"firstname":"A"}}],"numErrors":1,
                         "errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some CONTACT objects, they may be deleted or not exist.","context":{"ids":["2"]}}]}
                        """)));

        WriteResult result = connector.write(context(), new WriteSpec("contacts", WriteMode.UPDATE, null,
                List.of(Map.of("hs_object_id", "1", "firstname", "A"), Map.of("hs_object_id", "2", "firstname", "B"), Map.of("firstname", "C")), CONTACTS));

        assertEquals(WriteResult.RecordResult.ok(0, "1", false), result.results().get(0), "an update changes a record, creates none");
        assertTrue(result.results().get(1).error().startsWith("Could not get some CONTACT objects"));
        assertEquals("record has no hs_object_id", result.results().get(2).error());
    }

    @Test
    void incremental_read_sorts_by_last_modified_and_skips_ids_already_read_at_the_cursor() {
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search"))
                .withRequestBody(equalToJson("""
                        {"filterGroups":[],"sorts":[{"propertyName":"lastmodifieddate","direction":"ASCENDING"}],
                         "properties":["email","lastmodifieddate","hs_object_id"],"limit":2}"""))
                .willReturn(okJson("""
                        {"total":3,"results":[
                          {"id":"1","properties":{"email":"a@x.com","lastmodifieddate":"2024-03-01T10:00:00.000Z","hs_object_id":"1"}},
                          {"id":"2","properties":{"email":"b@x.com","lastmodifieddate":"2024-03-01T10:00:00.000Z","hs_object_id":"2"}}],
                         "paging":{"next":{"after":"2"}}}""")));
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search"))
                .withRequestBody(equalToJson("""
                        {"filterGroups":[
                           {"filters":[{"propertyName":"lastmodifieddate","operator":"GT","value":"1709287200000"}]},
                           {"filters":[{"propertyName":"lastmodifieddate","operator":"EQ","value":"1709287200000"},
                                       {"propertyName":"hs_object_id","operator":"NOT_IN","values":["1","2"]}]}],
                         "sorts":[{"propertyName":"lastmodifieddate","direction":"ASCENDING"}],
                         "properties":["email","lastmodifieddate","hs_object_id"],"limit":2}"""))
                .willReturn(okJson("{\"total\":0,\"results\":[]}")));

        RecordPage first = connector.read(context(), new ReadSpec("contacts", List.of("email"), null, 2, CONTACTS));
        RecordPage second = connector.read(context(), new ReadSpec("contacts", List.of("email"), first.nextCursor(), 2, CONTACTS));

        assertEquals(List.of(Map.of("id", "1", "email", "a@x.com"), Map.of("id", "2", "email", "b@x.com")), first.records());
        assertEquals("2024-03-01T10:00:00Z|1,2", first.nextCursor());
        assertTrue(first.hasMore());
        assertEquals(List.of(), second.records());
        assertEquals(first.nextCursor(), second.nextCursor());
        assertFalse(second.hasMore());
    }

    @Test
    void a_read_asked_to_follow_another_datetime_property_filters_and_sorts_by_it() {
        List<FieldSchema> fields = new java.util.ArrayList<>(CONTACTS.fields());
        fields.add(new FieldSchema("createdate", "datetime", "datetime/date", true, true));
        ObjectSchema contacts = new ObjectSchema("contacts", "Contacts", fields, List.of("hs_object_id"), "lastmodifieddate", Set.of(WriteMode.values()));
        // Datetime properties can be followed; text and numbers cannot.
        assertEquals(List.of("lastmodifieddate", "createdate"), contacts.withCursorFields(f -> connector.readsBy(contacts, f)).cursorFields());
        hubspot.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search"))
                .withRequestBody(equalToJson("""
                        {"filterGroups":[
                           {"filters":[{"propertyName":"createdate","operator":"GT","value":"1709287200000"}]},
                           {"filters":[{"propertyName":"createdate","operator":"EQ","value":"1709287200000"},
                                       {"propertyName":"hs_object_id","operator":"NOT_IN","values":["7"]}]}],
                         "sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],
                         "properties":["email","createdate","hs_object_id"],"limit":2}"""))
                .willReturn(okJson("""
                        {"total":1,"results":[
                          {"id":"9","properties":{"email":"c@x.com","createdate":"2024-03-02T00:00:00.000Z","hs_object_id":"9"}}]}""")));

        RecordPage page = connector.read(context(), new ReadSpec("contacts", List.of("email"), "2024-03-01T10:00:00Z|7", 2,
                contacts.readBy("createdate")));

        assertEquals(List.of(Map.of("id", "9", "email", "c@x.com")), page.records());
        assertEquals("2024-03-02T00:00:00Z|9", page.nextCursor());
        assertFalse(page.hasMore());
    }

    @Test
    void describe_maps_properties_of_each_object() {
        for (String object : HubspotConnector.OBJECTS) {
            hubspot.stubFor(get(urlPathEqualTo("/crm/v3/properties/" + object)).willReturn(okJson("""
                    {"results":[
                      {"name":"email","label":"Email","type":"string","fieldType":"text","modificationMetadata":{"readOnlyValue":false}},
                      {"name":"amount","label":"Amount","type":"number","fieldType":"number","modificationMetadata":{"readOnlyValue":false}},
                      {"name":"closedate","label":"Close date","type":"datetime","fieldType":"date","modificationMetadata":{"readOnlyValue":false}},
                      {"name":"stage","label":"Stage","type":"enumeration","fieldType":"select","options":[]},
                      {"name":"hs_is_closed","label":"Is closed","type":"bool","fieldType":"booleancheckbox","calculated":true},
                      {"name":"hs_object_id","label":"Record ID","type":"number","fieldType":"number","modificationMetadata":{"readOnlyValue":true}}]}
                    """)));
        }

        List<ObjectSchema> objects = connector.describe(context());
        connector.describe(context());

        assertEquals(List.of("contacts", "companies", "deals", "tickets"), objects.stream().map(ObjectSchema::name).toList());
        ObjectSchema deals = objects.get(2);
        assertEquals("hs_lastmodifieddate", deals.cursorField());
        assertEquals("lastmodifieddate", objects.getFirst().cursorField());
        assertEquals(List.of("hs_object_id"), deals.primaryKey());
        assertEquals(List.of("string", "string", "number", "datetime", "string", "boolean", "number"), deals.fields().stream().map(FieldSchema::type).toList());
        assertTrue(deals.field("hs_object_id").orElseThrow().readOnly());
        assertEquals(4, hubspot.getAllServeEvents().size(), "schemas are cached per connection");
    }
}
