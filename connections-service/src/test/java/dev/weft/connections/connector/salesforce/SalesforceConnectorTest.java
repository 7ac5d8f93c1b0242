package dev.weft.connections.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.nimbusds.jwt.SignedJWT;
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

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SalesforceConnectorTest {
    private static final String QUERY_PATH = "/services/data/v58.0/query";
    private static final Map<String, Object> CONFIG = Map.of("sandbox", false, "api_version", "v58.0");
    private static final Map<String, String> SEED_CREDENTIALS = Map.of("oauth_flow", "jwt_bearer", "consumer_key", "3MVG9...", "private_key_id", "key_abc123");
    private static final ObjectSchema ACCOUNT = new ObjectSchema("Account", "Account", List.of(
            new FieldSchema("Id", "string", "id", false, true),
            FieldSchema.of("Name", "string"),
            FieldSchema.of("Industry", "string"),
            new FieldSchema("AnnualRevenue", "number", "currency", true, false),
            new FieldSchema("CreatedDate", "datetime", "datetime", false, true),
            new FieldSchema("LastActivityDate", "date", "date", true, true),
            new FieldSchema("SystemModstamp", "datetime", "datetime", false, true)),
            List.of("Id"), "SystemModstamp", Set.of(WriteMode.values()));

    private SalesforceStub org;
    private SalesforceConnector connector;

    @BeforeEach
    void start() {
        org = SalesforceStub.start();
        connector = new SalesforceConnector();
    }

    @AfterEach
    void stop() {
        org.stop();
    }

    private ConnectorContext jwtContext() {
        return MapCredentials.context("salesforce", CONFIG, MapCredentials.of(SEED_CREDENTIALS), org.settings("key_abc123"));
    }

    private static QuerySpec seedQuery(String cursor) {
        return new QuerySpec("Account", List.of("Id", "Name", "Industry", "AnnualRevenue"),
                FilterParser.parse("Industry = 'Technology' AND AnnualRevenue > 1000000"), 100, cursor, ACCOUNT);
    }

    @Test
    void seed_query_sends_the_rendered_soql_and_returns_records_without_attributes() {
        RecordPage page = connector.query(jwtContext(), seedQuery(null));

        List<LoggedRequest> sent = org.server().findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH)));
        assertEquals(1, sent.size());
        assertEquals(SalesforceStub.SEED_SOQL, sent.getFirst().queryParameter("q").firstValue());
        assertEquals(2, page.records().size());
        assertEquals(Map.of("Id", "001Dn00000A1b2cIAB", "Name", "Acme Robotics", "Industry", "Technology", "AnnualRevenue", 5000000.0),
                page.records().getFirst());
        assertFalse(page.records().getFirst().containsKey("attributes"));
        assertNull(page.nextCursor());
        assertFalse(page.hasMore());
    }

    @Test
    void jwt_bearer_token_is_fetched_once_and_reused() throws Exception {
        ConnectorContext context = jwtContext();
        connector.query(context, seedQuery(null));
        connector.query(context, seedQuery(null));
        assertEquals(CheckResult.Outcome.OK, connector.check(context).outcome());

        assertEquals(1, org.tokenRequests());
        String body = org.server().findAll(postRequestedFor(urlPathEqualTo("/services/oauth2/token"))).getFirst().getBodyAsString();
        Map<String, String> form = SalesforceStub.form(body);
        assertEquals(SalesforceStub.JWT_GRANT, form.get("grant_type"));
        var claims = SignedJWT.parse(form.get("assertion")).getJWTClaimsSet();
        assertEquals("3MVG9...", claims.getIssuer());
        assertEquals(SalesforceStub.JWT_USERNAME, claims.getSubject());
        assertEquals(List.of(org.baseUrl()), claims.getAudience());
        long lifetime = claims.getExpirationTime().getTime() - System.currentTimeMillis();
        assertTrue(lifetime > 0 && lifetime <= 180_000, "assertion lives at most 3 minutes");

        connector.release("conn_test");
        connector.query(context, seedQuery(null));
        assertEquals(2, org.tokenRequests(), "release() drops the cached token");
    }

    @Test
    void an_expired_session_fetches_a_new_token_once_and_retries() {
        org.server().stubFor(get(urlPathEqualTo("/services/data/v58.0/limits")).atPriority(0).inScenario("session")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("expired")
                .willReturn(aResponse().withStatus(401).withBody("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]")));

        CheckResult result = connector.check(jwtContext());

        assertEquals(CheckResult.Outcome.OK, result.outcome(), result.message());
        assertEquals(2, org.tokenRequests());
        assertEquals(2, org.server().findAll(getRequestedFor(urlPathEqualTo("/services/data/v58.0/limits"))).size());
    }

    @Test
    void a_refused_assertion_fails_the_check_with_salesforces_words() {
        Map<String, String> settings = new HashMap<>(org.settings("key_abc123"));
        settings.put("private-key.key_abc123", SalesforceStub.generateKeyPair().privateKeyPem()); // not the key the org trusts

        CheckResult result = connector.check(MapCredentials.context("salesforce", CONFIG, MapCredentials.of(SEED_CREDENTIALS), settings));

        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("invalid_grant: invalid assertion"), result.message());
        assertFalse(result.message().contains("PRIVATE KEY"));
    }

    @Test
    void a_missing_jwt_username_fails_the_check_clearly() {
        Map<String, String> settings = new HashMap<>(org.settings("key_abc123"));
        settings.remove("jwt-username");

        CheckResult result = connector.check(MapCredentials.context("salesforce", CONFIG, MapCredentials.of(SEED_CREDENTIALS), settings));

        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("jwt-username"), result.message());
        assertEquals(0, org.tokenRequests());
    }

    @Test
    void check_with_a_bad_authorization_code_token_fails() {
        MapCredentials credentials = new MapCredentials(Map.of("oauth_flow", "authorization_code", "access_token", "bad",
                "instance_url", org.baseUrl()), rejected -> "still-bad");

        CheckResult result = connector.check(MapCredentials.context("salesforce", CONFIG, credentials, Map.of()));

        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("INVALID_SESSION_ID"), result.message());
        assertEquals(1, credentials.refreshes());
    }

    @Test
    void authorization_code_connections_use_the_service_token_and_instance_url() {
        MapCredentials credentials = MapCredentials.of(Map.of("oauth_flow", "authorization_code",
                "access_token", SalesforceStub.ACCESS_TOKEN, "instance_url", org.baseUrl()));

        RecordPage page = connector.query(MapCredentials.context("salesforce", CONFIG, credentials, Map.of()), seedQuery(null));

        assertEquals(2, page.records().size());
        assertEquals(0, org.tokenRequests());
    }

    @Test
    void pages_follow_next_records_url_as_the_cursor() {
        String soql = "SELECT Id, Name FROM Account ORDER BY Id LIMIT 2000";
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0).withQueryParam("q", equalTo(soql)).willReturn(okJson("""
                {"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v58.0/query/01gD0000002HU6KIAW-2",
                 "records":[{"attributes":{"type":"Account","url":"/services/data/v58.0/sobjects/Account/001000000000001AAA"},"Id":"001000000000001AAA","Name":"A"},
                            {"attributes":{"type":"Account","url":"/services/data/v58.0/sobjects/Account/001000000000002AAA"},"Id":"001000000000002AAA","Name":"B"}]}
                """)));
        org.server().stubFor(get(urlPathEqualTo("/services/data/v58.0/query/01gD0000002HU6KIAW-2")).atPriority(0).willReturn(okJson("""
                {"totalSize":3,"done":true,
                 "records":[{"attributes":{"type":"Account","url":"/services/data/v58.0/sobjects/Account/001000000000003AAA"},"Id":"001000000000003AAA","Name":"C"}]}
                """)));
        ConnectorContext context = jwtContext();

        RecordPage first = connector.query(context, new QuerySpec("Account", List.of("Id", "Name"), null, 5000, null, ACCOUNT));
        assertEquals("/services/data/v58.0/query/01gD0000002HU6KIAW-2", first.nextCursor());
        assertTrue(first.hasMore());
        RecordPage second = connector.query(context, new QuerySpec("Account", List.of("Id", "Name"), null, 5000, first.nextCursor(), ACCOUNT));

        assertEquals(List.of(Map.of("Id", "001000000000003AAA", "Name", "C")), second.records());
        assertNull(second.nextCursor());
        ConnectorException foreign = assertThrows(ConnectorException.class, () -> connector.query(context,
                new QuerySpec("Account", List.of("Id"), null, 10, "/services/oauth2/revoke?token=x", ACCOUNT)));
        assertEquals(ConnectorException.Kind.INVALID, foreign.kind());
    }

    @Test
    void a_full_limited_page_continues_after_the_last_id() {
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0).withQueryParam("q", equalTo("SELECT Id FROM Account ORDER BY Id LIMIT 1")).willReturn(okJson("""
                {"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"001000000000001AAA"}]}
                """)));
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0)
                .withQueryParam("q", equalTo("SELECT Id FROM Account WHERE Id > '001000000000001AAA' ORDER BY Id LIMIT 1")).willReturn(okJson("""
                {"totalSize":0,"done":true,"records":[]}
                """)));
        ConnectorContext context = jwtContext();

        RecordPage first = connector.query(context, new QuerySpec("Account", List.of("Id"), null, 1, null, ACCOUNT));
        RecordPage second = connector.query(context, new QuerySpec("Account", List.of("Id"), null, 1, first.nextCursor(), ACCOUNT));

        assertEquals("after:001000000000001AAA", first.nextCursor());
        assertEquals(List.of(), second.records());
        assertNull(second.nextCursor());
    }

    @Test
    void soql_escapes_quotes_and_backslashes_and_leaves_dates_unquoted() {
        SoqlRenderer soql = new SoqlRenderer(ACCOUNT);

        assertEquals("Name = 'O\\'Brien \\\\ Sons'", soql.where(new Filter.Compare("Name", Filter.Op.EQ, "O'Brien \\ Sons")));
        assertEquals("Name = 'x\\' OR Name != \\'y'", soql.where(FilterParser.parse("Name = 'x'' OR Name != ''y'")));
        assertEquals("LastActivityDate >= 2024-01-31 AND CreatedDate < 2024-02-01T00:00:00Z AND Name = '2024-01-31'",
                soql.where(FilterParser.parse("LastActivityDate >= '2024-01-31' AND CreatedDate < '2024-02-01' AND Name = '2024-01-31'")));
        assertEquals("Industry = 'Tech' AND (AnnualRevenue > 1.5 OR Name = null) AND (NOT Name LIKE 'x%')",
                soql.where(FilterParser.parse("Industry = 'Tech' AND (AnnualRevenue > 1.5 OR Name IS NULL) AND Name NOT LIKE 'x%'")));
        assertEquals("Name IN ('a', 'b') AND Industry NOT IN ('c\\'') AND AnnualRevenue IN (1, 2.5)", soql.where(new Filter.And(List.of(
                new Filter.In("Name", List.of("a", "b"), false), new Filter.In("Industry", List.of("c'"), true),
                new Filter.In("AnnualRevenue", List.of(1L, new java.math.BigDecimal("2.5")), false)))));
        assertEquals("(NOT (Name = 'a' OR Name = true))", soql.where(FilterParser.parse("NOT (Name = 'a' OR Name = TRUE)")));
        assertThrows(ConnectorException.class, () -> soql.where(new Filter.Compare("Name) FROM User --", Filter.Op.EQ, "x")));
    }

    @Test
    void escaped_values_are_sent_as_escaped_soql() {
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0).willReturn(okJson("{\"totalSize\":0,\"done\":true,\"records\":[]}")));

        connector.query(jwtContext(), new QuerySpec("Account", List.of("Id"), new Filter.Compare("Name", Filter.Op.EQ, "it's a \\ test"), 10, null, ACCOUNT));

        String q = org.server().findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH))).getFirst().queryParameter("q").firstValue();
        assertEquals("SELECT Id FROM Account WHERE Name = 'it\\'s a \\\\ test' ORDER BY Id LIMIT 10", q);
    }

    @Test
    void retries_after_retry_after_on_429() {
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0).inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("throttled")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]")));
        ConnectorContext context = jwtContext();
        connector.check(context); // token fetched before timing

        long started = System.nanoTime();
        RecordPage page = connector.query(context, seedQuery(null));
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(2, page.records().size());
        assertTrue(waitedMillis >= 900, "waited " + waitedMillis + " ms");
        assertEquals(2, org.server().findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH))).size());
    }

    @Test
    void vendor_errors_become_upstream_errors_with_salesforces_message() {
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("[{\"message\":\"\\nIndustry, Foo__c FROM Account\\n ^\\nERROR at Row:1:Column:20\\nNo such column 'Foo__c' on entity 'Account'.\",\"errorCode\":\"INVALID_FIELD\"}]")));

        ConnectorException e = assertThrows(ConnectorException.class, () -> connector.query(jwtContext(), seedQuery(null)));

        assertEquals(ConnectorException.Kind.UPSTREAM, e.kind());
        assertEquals(400, e.upstreamStatus());
        assertTrue(e.getMessage().contains("INVALID_FIELD") && e.getMessage().contains("No such column 'Foo__c'"), e.getMessage());
    }

    @Test
    void incremental_read_orders_by_system_modstamp_and_resumes_after_ties() {
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0)
                .withQueryParam("q", equalTo("SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id LIMIT 2")).willReturn(okJson("""
                {"totalSize":2,"done":true,"records":[
                  {"attributes":{"type":"Account"},"Id":"001000000000001AAA","Name":"A","SystemModstamp":"2024-03-01T10:00:00.000+0000"},
                  {"attributes":{"type":"Account"},"Id":"001000000000002AAA","Name":"B","SystemModstamp":"2024-03-01T10:00:05.000+0000"}]}
                """)));
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0)
                .withQueryParam("q", equalTo("SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp > 2024-03-01T10:00:05Z OR "
                        + "(SystemModstamp = 2024-03-01T10:00:05Z AND Id > '001000000000002AAA') ORDER BY SystemModstamp, Id LIMIT 2"))
                .willReturn(okJson("{\"totalSize\":0,\"done\":true,\"records\":[]}")));
        ConnectorContext context = jwtContext();

        RecordPage first = connector.read(context, new ReadSpec("Account", List.of("Id", "Name"), null, 2, ACCOUNT));
        RecordPage second = connector.read(context, new ReadSpec("Account", List.of("Id", "Name"), first.nextCursor(), 2, ACCOUNT));

        assertEquals(List.of(Map.of("Id", "001000000000001AAA", "Name", "A"), Map.of("Id", "001000000000002AAA", "Name", "B")), first.records());
        assertEquals("2024-03-01T10:00:05Z|001000000000002AAA", first.nextCursor());
        assertTrue(first.hasMore());
        assertEquals(List.of(), second.records());
        assertEquals(first.nextCursor(), second.nextCursor(), "the high-water mark stays when nothing changed");
        assertFalse(second.hasMore());
    }

    @Test
    void a_read_asked_to_follow_another_non_null_datetime_field_orders_and_resumes_by_it() {
        // Datetime fields every record has can be followed; a date, a number or a nillable field cannot.
        assertEquals(List.of("SystemModstamp", "CreatedDate"), ACCOUNT.withCursorFields(f -> connector.readsBy(ACCOUNT, f)).cursorFields());
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0)
                .withQueryParam("q", equalTo("SELECT Id, Name, CreatedDate FROM Account ORDER BY CreatedDate, Id LIMIT 2")).willReturn(okJson("""
                {"totalSize":1,"done":true,"records":[
                  {"attributes":{"type":"Account"},"Id":"001000000000007AAA","Name":"G","CreatedDate":"2023-01-02T03:04:05.000+0000"}]}
                """)));
        org.server().stubFor(get(urlPathEqualTo(QUERY_PATH)).atPriority(0)
                .withQueryParam("q", equalTo("SELECT Id, Name, CreatedDate FROM Account WHERE CreatedDate > 2023-01-02T03:04:05Z OR "
                        + "(CreatedDate = 2023-01-02T03:04:05Z AND Id > '001000000000007AAA') ORDER BY CreatedDate, Id LIMIT 2"))
                .willReturn(okJson("{\"totalSize\":0,\"done\":true,\"records\":[]}")));
        ConnectorContext context = jwtContext();
        ObjectSchema byCreated = ACCOUNT.readBy("CreatedDate");

        RecordPage first = connector.read(context, new ReadSpec("Account", List.of("Id", "Name"), null, 2, byCreated));
        RecordPage second = connector.read(context, new ReadSpec("Account", List.of("Id", "Name"), first.nextCursor(), 2, byCreated));

        assertEquals(List.of(Map.of("Id", "001000000000007AAA", "Name", "G")), first.records());
        assertEquals("2023-01-02T03:04:05Z|001000000000007AAA", first.nextCursor());
        assertFalse(first.hasMore());
        assertEquals(List.of(), second.records());
    }

    @Test
    void describe_lists_queryable_objects_and_loads_fields_only_when_asked() {
        ConnectorContext context = jwtContext();

        List<ObjectSchema> objects = connector.describe(context);

        assertEquals(List.of("Account", "Contact"), objects.stream().map(ObjectSchema::name).toList());
        assertEquals(0, org.server().findAll(getRequestedFor(urlPathEqualTo("/services/data/v58.0/sobjects/Account/describe"))).size());
        ObjectSchema account = objects.getFirst();
        assertEquals(List.of("Id"), account.primaryKey());
        assertEquals("SystemModstamp", account.cursorField());
        assertEquals(Set.of(WriteMode.values()), account.writeModes());
        Map<String, String> types = new LinkedHashMap<>();
        account.fields().forEach(f -> types.put(f.name(), f.type()));
        assertEquals(Map.of("Id", "string", "Name", "string", "Industry", "string", "AnnualRevenue", "number", "NumberOfEmployees", "integer",
                "IsDeleted", "boolean", "LastActivityDate", "date", "BillingAddress", "object", "SystemModstamp", "datetime"), types);
        assertTrue(account.field("Id").orElseThrow().readOnly());
        connector.describe(context).getFirst().fields().size();
        assertEquals(1, org.server().findAll(getRequestedFor(urlPathEqualTo("/services/data/v58.0/sobjects/Account/describe"))).size(),
                "field lists are cached per connection");
    }

    @Test
    void insert_is_chunked_by_200_and_reports_each_record() {
        org.server().stubFor(post(urlPathEqualTo("/services/data/v58.0/composite/sobjects")).atPriority(0)
                .withRequestBody(matchingJsonPath("$.records.length()", equalTo("200")))
                .withRequestBody(matchingJsonPath("$.allOrNone", equalTo("false")))
                .withRequestBody(matchingJsonPath("$.records[0].attributes.type", equalTo("Account")))
                .willReturn(okJson(results(200, 1))));
        org.server().stubFor(post(urlPathEqualTo("/services/data/v58.0/composite/sobjects")).atPriority(0)
                .withRequestBody(matchingJsonPath("$.records.length()", equalTo("50")))
                .willReturn(okJson(results(50, -1))));
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            records.add(Map.of("Name", "Account " + i));
        }

        WriteResult result = connector.write(jwtContext(), new WriteSpec("Account", WriteMode.INSERT, null, records, ACCOUNT));

        assertEquals(250, result.results().size());
        assertEquals(249, result.succeeded());
        WriteResult.RecordResult failed = result.results().get(1);
        assertFalse(failed.success());
        assertTrue(failed.error().contains("REQUIRED_FIELD_MISSING: Required fields are missing: [Name]"), failed.error());
        assertEquals("001000000000200AAA", result.results().get(200).id());
        assertEquals(2, org.server().findAll(postRequestedFor(urlPathEqualTo("/services/data/v58.0/composite/sobjects"))).size());
        assertEquals(249L, result.created(), "a create creates every record it writes");
        assertEquals(0L, result.updated());
    }

    @Test
    void upsert_patches_by_external_id_and_delete_sends_ids() {
        org.server().stubFor(patch(urlPathEqualTo("/services/data/v58.0/composite/sobjects/Account/External_Id__c")).atPriority(0)
                .withRequestBody(matchingJsonPath("$.records[0].External_Id__c", equalTo("ext-1")))
                .willReturn(okJson("[{\"id\":\"001000000000001AAA\",\"success\":true,\"errors\":[],\"created\":true},"
                        + "{\"id\":\"001000000000003AAA\",\"success\":true,\"errors\":[],\"created\":false}]")));
        org.server().stubFor(delete(urlPathEqualTo("/services/data/v58.0/composite/sobjects")).atPriority(0)
                .withQueryParam("ids", equalTo("001000000000001AAA,001000000000002AAA,001000000000004AAA,001000000000005AAA"))
                .withQueryParam("allOrNone", equalTo("false"))
                .willReturn(okJson("""
                        [{"id":"001000000000001AAA","success":true,"errors":[]},
                         {"id":"001000000000002AAA","success":false,"errors":[{"statusCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]},
                         {"id":"001000000000004AAA","success":false,"errors":[{"statusCode":"INVALID_CROSS_REFERENCE_KEY","message":"invalid cross reference id","fields":[]}]},
                         {"id":"001000000000005AAA","success":false,"errors":[{"statusCode":"DELETE_FAILED","message":"Your attempt to delete Acme could not be completed because it is associated with the following cases.","fields":[]}]}]
                        """)));
        ConnectorContext context = jwtContext();

        WriteResult upsert = connector.write(context, new WriteSpec("Account", WriteMode.UPSERT, List.of("External_Id__c"),
                List.of(Map.of("External_Id__c", "ext-1", "Name", "A"), Map.of("External_Id__c", "ext-3", "Name", "C")), ACCOUNT));
        WriteResult deleted = connector.write(context, new WriteSpec("Account", WriteMode.DELETE, null,
                List.of(Map.of("Id", "001000000000001AAA"), Map.of("Id", "001000000000002AAA"), Map.of("Name", "no id"),
                        Map.of("Id", "001000000000004AAA"), Map.of("Id", "001000000000005AAA")), ACCOUNT));

        // Salesforce says per record whether the upsert created it or matched one; a delete says neither.
        assertEquals(List.of(WriteResult.RecordResult.ok(0, "001000000000001AAA", true), WriteResult.RecordResult.ok(1, "001000000000003AAA", false)),
                upsert.results());
        assertEquals(1L, upsert.created());
        assertEquals(1L, upsert.updated());
        assertEquals(null, deleted.created());
        assertEquals(1, deleted.succeeded());
        assertEquals("ENTITY_IS_DELETED: entity is deleted", deleted.results().get(1).error());
        assertEquals("record has no valid Id", deleted.results().get(2).error());
        // A record already deleted (recycle bin) or never there is not_found, as on SQL tables; another refusal is not.
        assertEquals(List.of("not_found", "none", "not_found", "none"), deleted.results().subList(1, 5).stream()
                .map(r -> r.code() == null ? "none" : r.code()).toList());
    }

    private static String results(int count, int failingIndex) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",");
            if (i == failingIndex) {
                json.append("{\"success\":false,\"errors\":[{\"statusCode\":\"REQUIRED_FIELD_MISSING\",\"message\":\"Required fields are missing: [Name]\",\"fields\":[\"Name\"]}]}");
            } else {
                json.append("{\"id\":\"001%012dAAA\",\"success\":true,\"errors\":[]}".formatted(i + (count == 50 ? 200 : 0)));
            }
        }
        return json.append("]").toString();
    }

    @Test
    void the_seed_connection_validates_against_the_catalog_entry() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode entry;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("providers/salesforce.json")) {
            entry = json.readTree(in);
        }
        JsonSchemaFactory schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonNode seed = json.readTree("""
                {"provider":"salesforce","name":"Production Salesforce","config":{"sandbox":false,"api_version":"v58.0"},
                 "credentials":{"oauth_flow":"jwt_bearer","consumer_key":"3MVG9...","private_key_id":"key_abc123"}}""");
        JsonNode jwtSchema = entry.path("auth_types").get(1).path("credentials_schema");

        assertEquals("oauth_flow", entry.path("credentials_discriminator").asText());
        assertEquals("jwt_bearer", entry.path("auth_types").get(1).path("discriminator_value").asText());
        assertEquals(Set.of(), schemas.getSchema(entry.path("config_schema")).validate(seed.path("config")));
        assertEquals(Set.of(), schemas.getSchema(jwtSchema).validate(seed.path("credentials")));
        assertFalse(schemas.getSchema(entry.path("config_schema")).validate(json.readTree("{\"api_version\":\"58\"}")).isEmpty());
        assertFalse(schemas.getSchema(jwtSchema).validate(json.readTree("{\"oauth_flow\":\"jwt_bearer\",\"consumer_key\":\"k\"}")).isEmpty(),
                "a key id or an inline key is required");
    }
}
