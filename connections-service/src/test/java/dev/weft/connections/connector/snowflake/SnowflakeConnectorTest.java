package dev.weft.connections.connector.snowflake;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.CountSpec;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.salesforce.SalesforceStub;
import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.connections.connector.snowflake.SnowflakeStub.STATEMENTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snowflake connector against a stub that checks every request as Snowflake's SQL API v2 documents it. */
class SnowflakeConnectorTest {
    static final Map<String, Object> CONFIG = Map.of("account", SnowflakeStub.ACCOUNT, "database", "analytics",
            "warehouse", "LOADING_WH", "role", "WEFT_LOADER");
    static final List<Object[]> COLUMN_TYPES = List.of(new Object[]{"TABLE_SCHEMA", "text"}, new Object[]{"TABLE_NAME", "text"},
            new Object[]{"COLUMN_NAME", "text"}, new Object[]{"DATA_TYPE", "text"}, new Object[]{"NUMERIC_SCALE", "fixed"},
            new Object[]{"IS_NULLABLE", "text"}, new Object[]{"IS_IDENTITY", "text"}, new Object[]{"TABLE_TYPE", "text"});
    static final List<Object[]> KEY_TYPES = List.of(new Object[]{"created_on", "timestamp_ltz"}, new Object[]{"database_name", "text"},
            new Object[]{"schema_name", "text"}, new Object[]{"table_name", "text"}, new Object[]{"column_name", "text"},
            new Object[]{"key_sequence", "fixed"}, new Object[]{"constraint_name", "text"}, new Object[]{"rely", "text"}, new Object[]{"comment", "text"});
    static final List<List<String>> CATALOG = List.of(
            row("PUBLIC", "CONTACTS", "ID", "NUMBER", "0", "NO", "NO", "BASE TABLE"),
            row("PUBLIC", "CONTACTS", "EMAIL", "TEXT", null, "YES", "NO", "BASE TABLE"),
            row("PUBLIC", "CONTACTS", "FIRST_NAME", "TEXT", null, "YES", "NO", "BASE TABLE"),
            row("PUBLIC", "CONTACTS", "PROFILE", "VARIANT", null, "YES", "NO", "BASE TABLE"),
            row("PUBLIC", "CONTACTS", "UPDATED_AT", "TIMESTAMP_NTZ", null, "YES", "NO", "BASE TABLE"),
            row("RAW", "LEADS_V", "LEAD_ID", "NUMBER", "0", "YES", "NO", "VIEW"));
    static final List<List<String>> CREATED = List.of(
            row("RAW", "CONTACTS", "EMAIL_ADDRESS", "TEXT", null, "NO", "NO", "BASE TABLE"),
            row("RAW", "CONTACTS", "FIRST_NAME", "TEXT", null, "YES", "NO", "BASE TABLE"),
            row("RAW", "CONTACTS", "AGE", "NUMBER", "0", "YES", "NO", "BASE TABLE"));
    static final List<List<String>> KEYS = List.of(row("1700000000.000000000", "ANALYTICS", "PUBLIC", "CONTACTS", "ID", "1", "SYS_PK", "false", null));

    private SnowflakeStub snowflake;
    private SnowflakeConnector connector;

    static List<String> row(String... values) {
        return java.util.Arrays.asList(values);
    }

    @BeforeEach
    void start() {
        snowflake = SnowflakeStub.start();
        connector = new SnowflakeConnector();
        snowflake.answer("SELECT 1", SnowflakeStub.result("h-check", List.<Object[]>of(new Object[]{"1", "fixed"}), List.of(row("1"))));
        // the catalog grows RAW.CONTACTS once a CREATE TABLE for it ran
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.COLUMNS_SQL).inScenario("catalog").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-columns", COLUMN_TYPES, CATALOG))));
        List<List<String>> grown = new ArrayList<>(CATALOG);
        grown.addAll(CREATED);
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.COLUMNS_SQL).inScenario("catalog").whenScenarioStateIs("created")
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-columns", COLUMN_TYPES, grown))));
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.KEYS_SQL).inScenario("catalog").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-keys", KEY_TYPES, KEYS))));
        List<List<String>> grownKeys = new ArrayList<>(KEYS);
        grownKeys.add(row("1700000000.000000000", "ANALYTICS", "RAW", "CONTACTS", "EMAIL_ADDRESS", "1", "SYS_PK2", "false", null));
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.KEYS_SQL).inScenario("catalog").whenScenarioStateIs("created")
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-keys", KEY_TYPES, grownKeys))));
    }

    @AfterEach
    void stop() {
        snowflake.close();
    }

    private ConnectorContext context() {
        return MapCredentials.context("snowflake", CONFIG, MapCredentials.of(Map.of("username", SnowflakeStub.USER, "private_key_id", "sf_key")),
                snowflake.settings("sf_key"));
    }

    private ObjectSchema contacts() {
        return connector.describe(context()).stream().filter(o -> o.name().equals("CONTACTS")).findFirst().orElseThrow();
    }

    private static Map<String, Object> record(Object... pairs) {
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            record.put((String) pairs[i], pairs[i + 1]);
        }
        return record;
    }

    private static void assertBindings(JsonNode statement, String... typeAndValue) {
        JsonNode bindings = statement.path("bindings");
        assertEquals(typeAndValue.length / 2, bindings.size(), "bindings: " + bindings);
        for (int i = 0; i < typeAndValue.length; i += 2) {
            JsonNode binding = bindings.path(Integer.toString(i / 2 + 1));
            assertEquals(typeAndValue[i], binding.path("type").asText(), "type of binding " + (i / 2 + 1));
            assertEquals(typeAndValue[i + 1], binding.path("value").isNull() ? null : binding.path("value").asText(), "value of binding " + (i / 2 + 1));
        }
    }

    @Test
    void check_runs_select_1_with_a_key_pair_jwt_and_the_connection_context() throws Exception {
        CheckResult result = connector.check(context());

        assertEquals(CheckResult.Outcome.OK, result.outcome(), result.message());
        LoggedRequest sent = snowflake.server().findAll(postRequestedFor(urlPathEqualTo(STATEMENTS))).getFirst();
        assertTrue(sent.queryParameter("requestId").firstValue().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
        assertEquals("KEYPAIR_JWT", sent.getHeader("X-Snowflake-Authorization-Token-Type"));
        SignedJWT jwt = SignedJWT.parse(sent.getHeader("Authorization").substring("Bearer ".length()));
        assertTrue(jwt.verify(new RSASSAVerifier(SalesforceStub.generateKeyPair().publicKey())) == false, "a foreign key does not verify it");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("MYORG-ANALYTICS.WEFT_SYNC", claims.getSubject());
        assertTrue(claims.getIssuer().matches("MYORG-ANALYTICS\\.WEFT_SYNC\\.SHA256:[A-Za-z0-9+/]{43}="), claims.getIssuer());
        assertTrue(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() <= 3_600_000);
        JsonNode body = snowflake.statements().getFirst();
        assertEquals("SELECT 1", body.path("statement").asText());
        assertEquals("ANALYTICS", body.path("database").asText());
        assertEquals("PUBLIC", body.path("schema").asText());
        assertEquals("LOADING_WH", body.path("warehouse").asText());
        assertEquals("WEFT_LOADER", body.path("role").asText());
        assertTrue(body.path("timeout").asInt() > 0);
        assertTrue(body.path("bindings").isMissingNode());

        connector.check(context());
        List<LoggedRequest> both = snowflake.server().findAll(postRequestedFor(urlPathEqualTo(STATEMENTS)));
        assertEquals(both.get(0).getHeader("Authorization"), both.get(1).getHeader("Authorization"), "the token is reused");
    }

    @Test
    void a_key_snowflake_does_not_trust_fails_the_check_with_snowflakes_words() {
        ConnectorContext untrusted = MapCredentials.context("snowflake", CONFIG, MapCredentials.of(Map.of("username", SnowflakeStub.USER,
                "private_key", SalesforceStub.generateKeyPair().privateKeyPem())), Map.of("base-url", snowflake.baseUrl()));

        CheckResult result = connector.check(untrusted);

        assertEquals(CheckResult.Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("JWT token is invalid"), result.message());
    }

    @Test
    void describe_reads_information_schema_and_primary_keys() {
        List<ObjectSchema> objects = connector.describe(context());

        assertEquals(List.of("CONTACTS", "RAW.LEADS_V"), objects.stream().map(ObjectSchema::name).toList());
        ObjectSchema contacts = objects.getFirst();
        assertEquals(List.of("ID"), contacts.primaryKey());
        assertEquals("UPDATED_AT", contacts.cursorField());
        // A read can follow any number, date or timestamp column instead; not text or a VARIANT.
        assertEquals(List.of("UPDATED_AT", "ID"), contacts.withCursorFields(f -> connector.readsBy(contacts, f)).cursorFields());
        assertEquals(List.of("integer", "string", "string", "object", "datetime"), contacts.fields().stream().map(FieldSchema::type).toList());
        assertFalse(contacts.fields().getFirst().nullable());
        assertEquals(Set.of(), objects.get(1).writeModes(), "a view is read-only");
        assertEquals("CONTACTS", connector.describedName(context(), "public.contacts"));
        assertEquals(List.of(SnowflakeConnector.COLUMNS_SQL, SnowflakeConnector.KEYS_SQL), snowflake.statementTexts());
    }

    @Test
    void query_binds_the_filter_waits_for_an_async_statement_and_reads_every_partition() {
        ObjectSchema contacts = contacts();
        String sql = "SELECT \"ID\", \"EMAIL\", \"UPDATED_AT\" FROM \"PUBLIC\".\"CONTACTS\" WHERE (\"EMAIL\" LIKE ? AND \"ID\" > ?) ORDER BY \"ID\" LIMIT 3";
        List<Object[]> types = List.<Object[]>of(new Object[]{"ID", "fixed", 0}, new Object[]{"EMAIL", "text"}, new Object[]{"UPDATED_AT", "timestamp_ntz", 9});
        snowflake.server().stubFor(snowflake.statement(sql).willReturn(aResponse().withStatus(202).withBody(SnowflakeStub.running("h-query"))));
        snowflake.server().stubFor(get(urlPathEqualTo(STATEMENTS + "/h-query")).withQueryParam("partition", absent()).atPriority(5)
                .andMatching(r -> com.github.tomakehurst.wiremock.matching.MatchResult.of(snowflake.authorized(r)))
                .inScenario("async").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("done")
                .willReturn(aResponse().withStatus(202).withBody(SnowflakeStub.running("h-query"))));
        snowflake.server().stubFor(get(urlPathEqualTo(STATEMENTS + "/h-query")).withQueryParam("partition", absent()).atPriority(5)
                .andMatching(r -> com.github.tomakehurst.wiremock.matching.MatchResult.of(snowflake.authorized(r)))
                .inScenario("async").whenScenarioStateIs("done")
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-query", types,
                        List.of(row("2", "ada@example.com", "1700000000.123000000")),
                        List.of(row("3", "bob@example.com", null), row("4", "cy@example.com", "1700000001.000000000"))))));
        snowflake.server().stubFor(get(urlPathEqualTo(STATEMENTS + "/h-query")).withQueryParam("partition", equalTo("1")).atPriority(4)
                .andMatching(r -> com.github.tomakehurst.wiremock.matching.MatchResult.of(snowflake.authorized(r)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withHeader("Content-Encoding", "gzip")
                        .withBody(SnowflakeStub.partition(List.of(row("3", "bob@example.com", null), row("4", "cy@example.com", "1700000001.000000000"))))));

        RecordPage page = connector.query(context(), new QuerySpec("CONTACTS", List.of("ID", "EMAIL", "UPDATED_AT"),
                FilterParser.parse("email LIKE '%@example.com' AND id > 1"), 2, null, contacts));

        assertEquals(List.of(record("ID", 2L, "EMAIL", "ada@example.com", "UPDATED_AT", "2023-11-14T22:13:20.123Z"),
                record("ID", 3L, "EMAIL", "bob@example.com", "UPDATED_AT", null)), page.records());
        assertTrue(page.hasMore());
        JsonNode statement = snowflake.statements().getLast();
        assertEquals(sql, statement.path("statement").asText());
        assertBindings(statement, "TEXT", "%@example.com", "FIXED", "1");
        assertEquals(2, snowflake.server().findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(STATEMENTS + "/h-query"))
                .withQueryParam("partition", absent())).size(), "polled until done");

        String next = "SELECT \"ID\", \"EMAIL\", \"UPDATED_AT\" FROM \"PUBLIC\".\"CONTACTS\" WHERE (\"EMAIL\" LIKE ? AND \"ID\" > ?) AND \"ID\" > ? ORDER BY \"ID\" LIMIT 3";
        snowflake.answer(next, SnowflakeStub.result("h-next", types, List.of(row("4", "cy@example.com", "1700000001.000000000"))));
        RecordPage second = connector.query(context(), new QuerySpec("CONTACTS", List.of("ID", "EMAIL", "UPDATED_AT"),
                FilterParser.parse("email LIKE '%@example.com' AND id > 1"), 2, page.nextCursor(), contacts));
        assertEquals(List.of(record("ID", 4L, "EMAIL", "cy@example.com", "UPDATED_AT", "2023-11-14T22:13:21Z")), second.records());
        assertFalse(second.hasMore());
        assertNull(second.nextCursor());
        assertBindings(snowflake.statements().getLast(), "TEXT", "%@example.com", "FIXED", "1", "FIXED", "3");
    }

    @Test
    void insert_is_one_bound_multi_row_statement_and_bad_values_fail_alone() {
        ObjectSchema contacts = contacts();
        String sql = "INSERT INTO \"PUBLIC\".\"CONTACTS\" (\"ID\", \"EMAIL\", \"FIRST_NAME\") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)";
        snowflake.answer(sql, SnowflakeStub.dml("number of rows inserted", 3, "numRowsInserted"));

        WriteResult result = connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), List.of(
                record("ID", 1, "EMAIL", "ada@example.com", "FIRST_NAME", "Ada"),
                record("ID", "not a number", "EMAIL", "x@example.com", "FIRST_NAME", "X"),
                record("ID", 2, "EMAIL", "bob@example.com", "FIRST_NAME", null),
                record("FIRST_NAME", "Cy", "ID", 3, "EMAIL", "cy@example.com")), contacts));

        assertEquals(List.of(true, false, true, true), result.results().stream().map(WriteResult.RecordResult::success).toList());
        assertTrue(result.results().get(1).error().contains("ID"), result.results().get(1).error());
        assertEquals(List.of("1", "2", "3"), List.of(result.results().get(0).id(), result.results().get(2).id(), result.results().get(3).id()));
        JsonNode statement = snowflake.statements().getLast();
        assertEquals(sql, statement.path("statement").asText());
        assertBindings(statement, "FIXED", "1", "TEXT", "ada@example.com", "TEXT", "Ada",
                "FIXED", "2", "TEXT", "bob@example.com", "TEXT", null,
                "FIXED", "3", "TEXT", "cy@example.com", "TEXT", "Cy");
    }

    @Test
    void upsert_merges_by_key_with_the_last_record_of_a_key_winning() {
        ObjectSchema contacts = contacts();
        String sql = "MERGE INTO \"PUBLIC\".\"CONTACTS\" t USING (SELECT COLUMN1 AS \"ID\", COLUMN2 AS \"EMAIL\", PARSE_JSON(COLUMN3) AS \"PROFILE\""
                + " FROM (VALUES (?, ?, ?), (?, ?, ?))) s ON t.\"ID\" = s.\"ID\""
                + " WHEN MATCHED THEN UPDATE SET t.\"EMAIL\" = s.\"EMAIL\", t.\"PROFILE\" = s.\"PROFILE\""
                + " WHEN NOT MATCHED THEN INSERT (\"ID\", \"EMAIL\", \"PROFILE\") VALUES (s.\"ID\", s.\"EMAIL\", s.\"PROFILE\")";
        snowflake.answer(sql, SnowflakeStub.merge(1, 1));

        WriteResult result = connector.write(context(), new WriteSpec("CONTACTS", WriteMode.UPSERT, List.of("ID"), List.of(
                record("ID", 1, "EMAIL", "old@example.com", "PROFILE", Map.of("tier", "gold")),
                record("ID", 2, "EMAIL", "bob@example.com", "PROFILE", null),
                record("ID", 1, "EMAIL", "ada@example.com", "PROFILE", Map.of("tier", "platinum"))), contacts));

        assertEquals(3, result.succeeded());
        assertEquals(List.of("1", "2", "1"), result.results().stream().map(WriteResult.RecordResult::id).toList());
        // The MERGE's statistics are the totals; it does not say which record it inserted, so no record says either.
        assertEquals(1L, result.created());
        assertEquals(1L, result.updated());
        assertEquals(null, result.results().getFirst().created());
        JsonNode statement = snowflake.statements().getLast();
        assertEquals(sql, statement.path("statement").asText());
        assertBindings(statement, "FIXED", "2", "TEXT", "bob@example.com", "TEXT", null,
                "FIXED", "1", "TEXT", "ada@example.com", "TEXT", "{\"tier\":\"platinum\"}");
    }

    private static final String TWO_ROWS = "INSERT INTO \"PUBLIC\".\"CONTACTS\" (\"ID\", \"EMAIL\") VALUES (?, ?), (?, ?)";
    private static final String ONE_ROW = "INSERT INTO \"PUBLIC\".\"CONTACTS\" (\"ID\", \"EMAIL\") VALUES (?, ?)";

    /** Snowflake refuses the two-row insert (a value too long) and, written one by one, the record with ID 2. */
    private void refuseTheBatchAndItsSecondRecord() {
        snowflake.refuse(TWO_ROWS, "100074", "22000", "String 'x...' is too long and would be truncated");
        snowflake.answer(ONE_ROW, SnowflakeStub.dml("number of rows inserted", 1, "numRowsInserted"));
        snowflake.server().stubFor(snowflake.statement(ONE_ROW).atPriority(1).withRequestBody(matchingJsonPath("$.bindings.1.value", equalTo("2")))
                .willReturn(aResponse().withStatus(422).withBody(SnowflakeStub.failure("100074", "22000", "String 'x...' is too long and would be truncated"))));
    }

    @Test
    void a_refused_batch_is_written_record_by_record() {
        ObjectSchema contacts = contacts();
        refuseTheBatchAndItsSecondRecord();

        WriteResult result = connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), List.of(
                record("ID", 1, "EMAIL", "ada@example.com"), record("ID", 2, "EMAIL", "x".repeat(300))), contacts));

        assertTrue(result.results().get(0).success());
        assertFalse(result.results().get(1).success());
        assertTrue(result.results().get(1).error().contains("too long"), result.results().get(1).error());
        assertEquals(List.of(TWO_ROWS, ONE_ROW, ONE_ROW), snowflake.statementTexts().subList(2, 5));
    }

    /**
     * The statements Snowflake runs of those sent, as its SQL API documents a resubmitted request: a request id it has
     * seen before, sent with {@code retry=true}, is answered from the first run and not run again; any other request runs.
     */
    private static List<LoggedRequest> runBySnowflake(List<LoggedRequest> sent) {
        Set<String> seen = new java.util.HashSet<>();
        List<LoggedRequest> ran = new ArrayList<>();
        for (LoggedRequest request : sent) {
            boolean resubmitted = request.queryParameter("retry").isPresent() && "true".equals(request.queryParameter("retry").firstValue());
            if (!seen.add(request.queryParameter("requestId").firstValue()) && resubmitted) {
                continue;
            }
            ran.add(request);
        }
        return ran;
    }

    private List<LoggedRequest> sentStatements(String sql) {
        return snowflake.server().findAll(postRequestedFor(urlPathEqualTo(STATEMENTS)).withRequestBody(matchingJsonPath("$.statement", equalTo(sql))));
    }

    /**
     * A sync's batch sent again (its run resumed after a kill, or a write whose answer was lost) carries the same write
     * id: its statements go under the same request ids, with retry=true, so Snowflake runs each once and the rows are not
     * inserted twice. Each statement of a write has its own id; other records under the same write id make other
     * statements, which run (never answered with another write's result); another write id gives other ids; a write
     * without one a new id per statement, so the same records sent twice without an id are written twice, as the docs say.
     */
    @Test
    void a_batch_sent_again_with_its_write_id_is_run_once_by_snowflake() {
        ObjectSchema contacts = contacts();
        refuseTheBatchAndItsSecondRecord();
        List<Map<String, Object>> records = List.of(record("ID", 1, "EMAIL", "ada@example.com"), record("ID", 2, "EMAIL", "x".repeat(300)));

        WriteResult first = connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), records, contacts, "run_01:batch-1"));
        WriteResult again = connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), records, contacts, "run_01:batch-1"));

        assertEquals(first.results(), again.results(), "the replay answers as the first write did");
        List<LoggedRequest> sent = sentStatements(ONE_ROW);
        assertEquals(4, sent.size(), "each write sends the batch, then its records one by one");
        assertEquals(sent.get(0).queryParameter("requestId").firstValue(), sent.get(2).queryParameter("requestId").firstValue());
        assertEquals(sent.get(1).queryParameter("requestId").firstValue(), sent.get(3).queryParameter("requestId").firstValue());
        assertNotEquals(sent.get(0).queryParameter("requestId").firstValue(), sent.get(1).queryParameter("requestId").firstValue(),
                "each statement of a write has its own id");
        sent.forEach(request -> assertEquals("true", request.queryParameter("retry").firstValue()));
        assertEquals(2, runBySnowflake(sent).size(), "the replay's statements are answered from the first run: ada inserted once");
        assertEquals(1, runBySnowflake(sentStatements(TWO_ROWS)).size(), "the refused batch statement, sent again under its id");

        List<Map<String, Object>> changed = List.of(record("ID", 1, "EMAIL", "ada@new.example.com"), record("ID", 2, "EMAIL", "x".repeat(300)));
        connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), changed, contacts, "run_01:batch-1"));
        assertEquals(3, runBySnowflake(sentStatements(ONE_ROW)).size(), "ada's new values run under the same write id; the unchanged record does not");
        connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), records, contacts, "run_01:batch-2"));
        assertEquals(5, runBySnowflake(sentStatements(ONE_ROW)).size(), "another write id is another write");
        connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), records, contacts));
        connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), records, contacts));
        List<LoggedRequest> withoutId = sentStatements(ONE_ROW).subList(8, 12);
        withoutId.forEach(request -> assertTrue(request.queryParameter("retry").isPresent() == false, "a first submission without a write id"));
        assertEquals(9, runBySnowflake(sentStatements(ONE_ROW)).size(), "without a write id, the same records sent twice are written twice");
    }

    /** A statement resubmitted after a 503 goes under its first request id with retry=true: Snowflake runs it once. */
    @Test
    void a_statement_resubmitted_after_a_503_keeps_its_request_id_and_says_retry() {
        ObjectSchema contacts = contacts();
        String sql = "INSERT INTO \"PUBLIC\".\"CONTACTS\" (\"ID\", \"EMAIL\") VALUES (?, ?)";
        snowflake.server().stubFor(snowflake.statement(sql).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "0")).willSetStateTo("ready"));
        snowflake.server().stubFor(snowflake.statement(sql).inScenario("busy").whenScenarioStateIs("ready")
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.dml("number of rows inserted", 1, "numRowsInserted"))));

        WriteResult result = connector.write(context(), new WriteSpec("CONTACTS", WriteMode.INSERT, List.of(), List.of(record("ID", 1, "EMAIL", "ada@example.com")), contacts));

        assertTrue(result.results().getFirst().success());
        List<LoggedRequest> sent = sentStatements(sql);
        assertEquals(2, sent.size());
        assertEquals(sent.get(0).queryParameter("requestId").firstValue(), sent.get(1).queryParameter("requestId").firstValue());
        assertFalse(sent.get(0).queryParameter("retry").isPresent());
        assertEquals("true", sent.get(1).queryParameter("retry").firstValue());
        assertEquals(1, runBySnowflake(sent).size());
    }

    @Test
    void ensure_object_creates_raw_contacts_once_and_describes_it() {
        String schema = "CREATE SCHEMA IF NOT EXISTS \"RAW\"";
        String table = "CREATE TABLE IF NOT EXISTS \"RAW\".\"CONTACTS\" (\"EMAIL_ADDRESS\" VARCHAR NOT NULL, \"FIRST_NAME\" VARCHAR,"
                + " \"AGE\" NUMBER(38,0), PRIMARY KEY (\"EMAIL_ADDRESS\"))";
        String done = "{\"resultSetMetaData\":{\"numRows\":1,\"format\":\"jsonv2\",\"rowType\":[{\"name\":\"status\",\"type\":\"text\"}],"
                + "\"partitionInfo\":[{\"rowCount\":1}]},\"data\":[[\"done\"]],\"code\":\"090001\",\"statementHandle\":\"h-ddl\","
                + "\"message\":\"Statement executed successfully.\"}";
        snowflake.answer(schema, done);
        snowflake.server().stubFor(snowflake.statement(table).inScenario("catalog").willSetStateTo("created")
                .willReturn(aResponse().withStatus(200).withBody(done)));
        ObjectSchema wanted = new ObjectSchema("raw.contacts", "raw.contacts", List.of(FieldSchema.of("email_address", "string"),
                FieldSchema.of("first_name", "string"), FieldSchema.of("age", "integer")), List.of("email_address"), null, Set.of());

        Connector.EnsuredObject first = connector.ensureObject(context(), wanted);
        Connector.EnsuredObject second = connector.ensureObject(context(), wanted);

        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals("RAW.CONTACTS", first.schema().name());
        assertEquals(List.of("EMAIL_ADDRESS", "FIRST_NAME", "AGE"), first.schema().fieldNames());
        assertEquals(List.of("EMAIL_ADDRESS"), first.schema().primaryKey());
        assertEquals(first.schema(), second.schema());
        List<String> texts = snowflake.statementTexts();
        assertEquals(1, texts.stream().filter(table::equals).count(), "created once: " + texts);
        assertEquals(1, texts.stream().filter(schema::equals).count());
        assertTrue(texts.indexOf(schema) < texts.indexOf(table));
    }

    @Test
    void count_binds_the_filter_and_the_cursor_bound() {
        ObjectSchema contacts = contacts();
        String sql = "SELECT COUNT(*) FROM \"PUBLIC\".\"CONTACTS\" WHERE \"EMAIL\" LIKE ? AND \"UPDATED_AT\" > ?";
        snowflake.answer(sql, SnowflakeStub.result("h-count", List.<Object[]>of(new Object[]{"COUNT(*)", "fixed"}), List.of(row("42"))));

        long count = connector.count(context(), new CountSpec("CONTACTS", FilterParser.parse("EMAIL LIKE '%@example.com'"), "UPDATED_AT",
                "2024-01-01T00:00:00Z", contacts)).orElseThrow();

        assertEquals(42, count);
        assertBindings(snowflake.statements().getLast(), "TEXT", "%@example.com", "TEXT", "2024-01-01T00:00:00.000000000");
    }

    @Test
    void count_after_a_reads_cursor_counts_what_the_reads_after_it_would_return() {
        ObjectSchema contacts = contacts();
        // A read's position after (UPDATED_AT, ID): the rows still to come, as the read pages them.
        String after = "SELECT COUNT(*) FROM \"PUBLIC\".\"CONTACTS\" WHERE \"UPDATED_AT\" IS NOT NULL"
                + " AND (\"UPDATED_AT\" > ? OR (\"UPDATED_AT\" = ? AND \"ID\" > ?))";
        snowflake.answer(after, SnowflakeStub.result("h-after", List.<Object[]>of(new Object[]{"COUNT(*)", "fixed"}), List.of(row("7"))));
        String cursor = new dev.weft.connections.connector.jdbc.JdbcCursor(dev.weft.connections.connector.jdbc.JdbcCursor.Phase.VALUES,
                "2024-01-01T00:00:00Z", List.of(41), 0).encode();

        long count = connector.count(context(), new CountSpec("CONTACTS", null, null, null, contacts, cursor)).orElseThrow();

        assertEquals(7, count);
        assertBindings(snowflake.statements().getLast(), "TEXT", "2024-01-01T00:00:00.000000000", "TEXT",
                "2024-01-01T00:00:00.000000000", "FIXED", "41");
        // Among the rows whose cursor field is still null (read first, by key): those after the key, and every other row.
        String nulls = "SELECT COUNT(*) FROM \"PUBLIC\".\"CONTACTS\" WHERE ((\"UPDATED_AT\" IS NULL AND \"ID\" > ?) OR \"UPDATED_AT\" IS NOT NULL)";
        snowflake.answer(nulls, SnowflakeStub.result("h-nulls", List.<Object[]>of(new Object[]{"COUNT(*)", "fixed"}), List.of(row("12"))));
        String inNulls = new dev.weft.connections.connector.jdbc.JdbcCursor(dev.weft.connections.connector.jdbc.JdbcCursor.Phase.NULLS,
                null, List.of(3), 0).encode();
        assertEquals(12, connector.count(context(), new CountSpec("CONTACTS", null, null, null, contacts, inNulls)).orElseThrow());
    }
}
