package dev.weft.connections.connector.http;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpConnectorTest {
    private static WireMockServer api;
    private final HttpConnector connector = new HttpConnector();

    @BeforeAll
    static void start() {
        api = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        api.start();
    }

    @AfterAll
    static void stop() {
        api.stop();
    }

    @BeforeEach
    void reset() {
        api.resetAll();
    }

    private ConnectorContext context(Map<String, Object> object, Map<String, String> credentials) {
        return MapCredentials.context("http", Map.of("base_url", api.baseUrl() + "/v1", "headers", Map.of("X-Tenant", "acme"),
                "objects", Map.of("users", object)), MapCredentials.of(credentials), Map.of());
    }

    private ConnectorContext context(Map<String, Object> object) {
        return context(object, Map.of("auth_type", "bearer", "token", "t0k"));
    }

    private static String users(int from, int to) {
        List<String> users = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            users.add("{\"id\":\"u" + i + "\",\"name\":\"user " + i + "\",\"age\":" + (20 + i) + "}");
        }
        return "[" + String.join(",", users) + "]";
    }

    private List<Object> ids(RecordPage page) {
        return page.records().stream().map(r -> r.get("id")).toList();
    }

    private RecordPage query(ConnectorContext context, String filter, int limit, String cursor) {
        return connector.query(context, new QuerySpec("users", List.of(), FilterParser.parse(filter), limit, cursor, null));
    }

    @Test
    void page_pagination_walks_numbered_pages_until_a_short_page() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page", equalTo("1")).withQueryParam("per_page", equalTo("2"))
                .willReturn(okJson("{\"data\":" + users(1, 2) + "}")));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("{\"data\":" + users(3, 4) + "}")));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page", equalTo("3"))
                .willReturn(okJson("{\"data\":" + users(5, 5) + "}")));
        ConnectorContext context = context(Map.of("path", "/users", "records_path", "data",
                "pagination", Map.of("style", "page", "page_param", "page", "size_param", "per_page", "page_size", 2)));

        RecordPage page = query(context, null, 100, null);

        assertEquals(List.of("u1", "u2", "u3", "u4", "u5"), ids(page));
        assertFalse(page.hasMore());
        assertNull(page.nextCursor());
        api.verify(3, getRequestedFor(urlPathEqualTo("/v1/users")).withHeader("Authorization", equalTo("Bearer t0k"))
                .withHeader("X-Tenant", equalTo("acme")));
    }

    @Test
    void offset_pagination_advances_by_the_records_received() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("offset", equalTo("0")).withQueryParam("limit", equalTo("3"))
                .willReturn(okJson(users(1, 3))));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("offset", equalTo("3")).withQueryParam("limit", equalTo("3"))
                .willReturn(okJson(users(4, 4))));
        ConnectorContext context = context(Map.of("path", "/users", "pagination", Map.of("style", "offset", "page_size", 3)));

        assertEquals(List.of("u1", "u2", "u3", "u4"), ids(query(context, null, 100, null)));
    }

    @Test
    void cursor_pagination_follows_the_token_at_next_cursor_path() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("after", absent())
                .willReturn(okJson("{\"items\":" + users(1, 2) + ",\"meta\":{\"next_cursor\":\"c2\"}}")));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("after", equalTo("c2"))
                .willReturn(okJson("{\"items\":" + users(3, 3) + ",\"meta\":{\"next_cursor\":null}}")));
        ConnectorContext context = context(Map.of("path", "/users", "records_path", "items",
                "pagination", Map.of("style", "cursor", "cursor_param", "after", "next_cursor_path", "meta.next_cursor")));

        RecordPage first = query(context, null, 2, null);
        assertEquals(List.of("u1", "u2"), ids(first));
        assertTrue(first.hasMore());

        RecordPage second = query(context, null, 2, first.nextCursor());
        assertEquals(List.of("u3"), ids(second));
        assertFalse(second.hasMore());
    }

    @Test
    void link_header_pagination_follows_rel_next() {
        String next = api.baseUrl() + "/v1/users?page_token=xyz";
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page_token", absent())
                .willReturn(okJson(users(1, 2)).withHeader("Link", "<" + next + ">; rel=\"next\", <" + api.baseUrl() + "/v1/users>; rel=\"first\"")));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page_token", equalTo("xyz"))
                .willReturn(okJson(users(3, 3)).withHeader("Link", "<" + api.baseUrl() + "/v1/users>; rel=\"first\"")));
        ConnectorContext context = context(Map.of("path", "/users", "pagination", Map.of("style", "link_header")));

        assertEquals(List.of("u1", "u2", "u3"), ids(query(context, null, 100, null)));
    }

    @Test
    void link_header_to_another_origin_is_not_followed() {
        api.stubFor(get(urlPathEqualTo("/v1/users"))
                .willReturn(okJson(users(1, 1)).withHeader("Link", "<https://elsewhere.example/steal>; rel=\"next\"")));
        ConnectorContext context = context(Map.of("path", "/users", "pagination", Map.of("style", "link_header")));

        ConnectorException e = assertThrows(ConnectorException.class, () -> query(context, null, 100, null));
        assertTrue(e.getMessage().contains("another origin"), e.getMessage());
    }

    @Test
    void filters_in_memory_and_resumes_inside_a_page() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page", equalTo("1"))
                .willReturn(okJson(users(1, 4))));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson(users(5, 6))));
        ConnectorContext context = context(Map.of("path", "/users", "pagination", Map.of("style", "page", "page_size", 4)));

        // ages are 21..26: the odd ones are u1, u3, u5
        RecordPage first = query(context, "name = 'nobody' OR age IN (21, 23, 25)", 2, null);
        assertEquals(List.of("u1", "u3"), ids(first));
        assertTrue(first.hasMore());

        RecordPage second = query(context, "name = 'nobody' OR age IN (21, 23, 25)", 2, first.nextCursor());
        assertEquals(List.of("u5"), ids(second));
        assertFalse(second.hasMore());
    }

    @Test
    void projects_the_requested_fields() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).willReturn(okJson(users(1, 1))));
        ConnectorContext context = context(Map.of("path", "/users"));

        RecordPage page = connector.query(context, new QuerySpec("users", List.of("name"), null, 10, null, null));

        assertEquals(List.of(Map.of("name", "user 1")), page.records());
    }

    @Test
    void retries_after_retry_after_on_429() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("{\"message\":\"slow down\"}"))
                .willSetStateTo("open"));
        api.stubFor(get(urlPathEqualTo("/v1/users")).inScenario("throttle").whenScenarioStateIs("open")
                .willReturn(okJson(users(1, 1))));
        ConnectorContext context = context(Map.of("path", "/users"));

        long started = System.nanoTime();
        RecordPage page = query(context, null, 10, null);

        assertEquals(List.of("u1"), ids(page));
        assertTrue((System.nanoTime() - started) / 1_000_000 >= 900, "waited out Retry-After");
        api.verify(2, getRequestedFor(urlPathEqualTo("/v1/users")));
    }

    @Test
    void server_error_is_upstream_with_the_vendor_message() {
        api.stubFor(get(urlPathEqualTo("/v1/users"))
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"internal\",\"message\":\"database is on fire\"}}")));
        ConnectorContext context = context(Map.of("path", "/users"));

        ConnectorException e = assertThrows(ConnectorException.class, () -> query(context, null, 10, null));
        assertEquals(ConnectorException.Kind.UPSTREAM, e.kind());
        assertEquals(500, e.upstreamStatus());
        assertTrue(e.getMessage().contains("database is on fire"), e.getMessage());
        assertEquals(CheckResult.Outcome.FAILED, connector.check(context).outcome());
    }

    @Test
    void refused_credentials_are_auth_and_basic_credentials_are_sent() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).willReturn(aResponse().withStatus(401).withBody("{\"message\":\"bad key\"}")));
        ConnectorContext context = context(Map.of("path", "/users"), Map.of("auth_type", "basic", "username", "ann", "password", "s3cret"));

        CheckResult check = connector.check(context);

        assertEquals(CheckResult.Outcome.FAILED, check.outcome());
        assertTrue(check.message().contains("bad key") && !check.message().contains("s3cret"), check.message());
        api.verify(getRequestedFor(urlPathEqualTo("/v1/users")).withBasicAuth(new com.github.tomakehurst.wiremock.client.BasicCredentials("ann", "s3cret")));
    }

    @Test
    void header_credentials_are_sent_in_the_named_header() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).withHeader("X-Api-Key", equalTo("k123")).willReturn(okJson(users(1, 1))));
        ConnectorContext context = context(Map.of("path", "/users"), Map.of("auth_type", "header", "header_name", "X-Api-Key", "value", "k123"));

        assertEquals(CheckResult.Outcome.OK, connector.check(context).outcome());
    }

    @Test
    void describe_infers_fields_from_the_first_page_unless_given() {
        api.stubFor(get(urlPathEqualTo("/v1/users")).willReturn(okJson(
                "[{\"id\":\"u1\",\"age\":3,\"score\":1.5,\"active\":true,\"tags\":[],\"nick\":null},{\"id\":\"u2\",\"nick\":\"bo\"}]")));
        ConnectorContext context = context(Map.of("path", "/users", "updated_field", "updated_at"));

        ObjectSchema users = connector.describe(context).getFirst();

        assertEquals("users", users.name());
        assertEquals(List.of("id"), users.primaryKey());
        assertEquals("updated_at", users.cursorField());
        assertEquals(List.of("id:string", "age:integer", "score:number", "active:boolean", "tags:array", "nick:string"),
                users.fields().stream().map(f -> f.name() + ":" + f.type()).toList());
    }

    @Test
    void incremental_read_returns_changes_after_the_cursor_oldest_first() {
        String all = "[{\"id\":\"a\",\"updated_at\":\"2024-01-03T00:00:00Z\"},{\"id\":\"b\",\"updated_at\":\"2024-01-01T00:00:00Z\"},"
                + "{\"id\":\"c\",\"updated_at\":\"2024-01-02T00:00:00Z\"},{\"id\":\"d\",\"updated_at\":\"2024-01-02T00:00:00Z\"}]";
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("since", absent()).willReturn(okJson(all)));
        // The API's own filter is ">=": Weft still drops what it already handed out.
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("since", equalTo("2024-01-02T00:00:00Z")).willReturn(okJson(
                "[{\"id\":\"a\",\"updated_at\":\"2024-01-03T00:00:00Z\"},{\"id\":\"c\",\"updated_at\":\"2024-01-02T00:00:00Z\"},"
                        + "{\"id\":\"d\",\"updated_at\":\"2024-01-02T00:00:00Z\"}]")));
        api.stubFor(get(urlPathEqualTo("/v1/users")).withQueryParam("since", equalTo("2024-01-03T00:00:00Z")).willReturn(okJson(
                "[{\"id\":\"a\",\"updated_at\":\"2024-01-03T00:00:00Z\"}]")));
        ConnectorContext context = context(Map.of("path", "/users", "updated_field", "updated_at", "since_param", "since"));

        RecordPage first = connector.read(context, new ReadSpec("users", List.of(), null, 2, null));
        assertEquals(List.of("b", "c"), ids(first));
        assertTrue(first.hasMore());

        RecordPage second = connector.read(context, new ReadSpec("users", List.of(), first.nextCursor(), 2, null));
        assertEquals(List.of("d", "a"), ids(second));
        assertFalse(second.hasMore());

        RecordPage third = connector.read(context, new ReadSpec("users", List.of(), second.nextCursor(), 2, null));
        assertTrue(third.records().isEmpty());
        assertEquals(second.nextCursor(), third.nextCursor());
    }

    @Test
    void an_unknown_cursor_is_invalid() {
        ConnectorContext context = context(Map.of("path", "/users"));

        ConnectorException e = assertThrows(ConnectorException.class, () -> query(context, null, 10, "not-a-cursor"));
        assertEquals(ConnectorException.Kind.INVALID, e.kind());
    }

    @Test
    void writes_map_to_post_patch_put_delete_with_per_record_results() {
        api.stubFor(post(urlPathEqualTo("/v1/users")).withRequestBody(matchingJsonPath("$.name", equalTo("new")))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"data\":{\"id\":\"u9\",\"name\":\"new\"}}")));
        api.stubFor(post(urlPathEqualTo("/v1/users")).withRequestBody(matchingJsonPath("$.name", equalTo("")))
                .willReturn(aResponse().withStatus(422).withBody("{\"errors\":[{\"field\":\"name\",\"message\":\"name can't be blank\"}]}")));
        api.stubFor(patch(urlPathEqualTo("/v1/users/u1")).willReturn(okJson("{}")));
        api.stubFor(put(urlPathEqualTo("/v1/users/a%20b")).willReturn(okJson("{}")));
        api.stubFor(delete(urlPathEqualTo("/v1/users/u2")).willReturn(aResponse().withStatus(204)));
        ConnectorContext context = context(Map.of("path", "/users"));

        WriteResult inserted = connector.write(context, new WriteSpec("users", WriteMode.INSERT, List.of(),
                List.of(Map.of("name", "new"), Map.of("name", "")), null));
        WriteResult updated = connector.write(context, new WriteSpec("users", WriteMode.UPDATE, List.of("id"),
                List.of(Map.of("id", "u1", "name", "x"), Map.of("name", "no id")), null));
        WriteResult upserted = connector.write(context, new WriteSpec("users", WriteMode.UPSERT, List.of(), List.of(Map.of("id", "a b")), null));
        WriteResult deleted = connector.write(context, new WriteSpec("users", WriteMode.DELETE, List.of(), List.of(Map.of("id", "u2")), null));

        assertEquals(WriteResult.RecordResult.ok(0, "u9"), inserted.results().get(0));
        assertFalse(inserted.results().get(1).success());
        assertTrue(inserted.results().get(1).error().contains("name can't be blank"), inserted.results().get(1).error());
        assertEquals(WriteResult.RecordResult.ok(0, "u1"), updated.results().get(0));
        assertFalse(updated.results().get(1).success());
        assertEquals(List.of(WriteResult.RecordResult.ok(0, "a b")), upserted.results());
        assertEquals(List.of(WriteResult.RecordResult.ok(0, "u2")), deleted.results());
        api.verify(patchRequestedFor(urlPathEqualTo("/v1/users/u1")).withRequestBody(equalToJson("{\"id\":\"u1\",\"name\":\"x\"}")));
        api.verify(0, patchRequestedFor(urlPathEqualTo("/v1/users/")));
    }

    @Test
    void base_url_must_be_http_or_https() {
        ConnectorContext context = MapCredentials.context("http", Map.of("base_url", "file:///etc", "objects", Map.of("users", Map.of("path", "/u"))),
                MapCredentials.of(Map.of()), Map.of());

        ConnectorException e = assertThrows(ConnectorException.class, () -> connector.describe(context));
        assertEquals("config.base_url", e.details().get("field"));
    }

    @Test
    void catalog_entry_accepts_a_documented_config_and_each_auth_type() {
        var entry = CatalogEntries.load("http");
        assertEquals("http", entry.path("id").asText());
        assertTrue(CatalogEntries.validate(entry.path("config_schema"), """
                {"base_url":"https://api.example.com","headers":{"X-A":"b"},"objects":{"users":{"path":"/users","records_path":"data",
                 "updated_field":"updated_at","since_param":"since","pagination":{"style":"cursor","next_cursor_path":"meta.next"},
                 "fields":[{"name":"id","type":"string"}]}}}""").isEmpty());
        assertFalse(CatalogEntries.validate(entry.path("config_schema"), "{\"base_url\":\"ftp://x\",\"objects\":{\"u\":{\"path\":\"/u\"}}}").isEmpty());
        List<String> values = new ArrayList<>();
        entry.path("auth_types").forEach(a -> values.add(a.path("discriminator_value").asText()));
        assertEquals(List.of("bearer", "header", "basic", "none"), values);
        assertTrue(CatalogEntries.validate(entry.path("auth_types").path(2).path("credentials_schema"),
                "{\"auth_type\":\"basic\",\"username\":\"u\",\"password\":\"p\"}").isEmpty());
    }
}
