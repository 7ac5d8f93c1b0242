package dev.weft.connections.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.platform.services.SmileWire;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row form of the internal batch calls (fields once, each record an array of values), as sync-service uses it: a
 * read in that form decodes to the same records as the records form, for every kind of value a table holds; a write in
 * that form stores the same rows; the answer can list only the refused records; hostile bodies are 400s.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class BatchRowFormTest {
    private static final String SOURCE = "rowform_kinds";
    private static final String COLUMNS = "(id bigint PRIMARY KEY, small integer, big numeric(20,4), ratio double precision, flag boolean,"
            + " at timestamptz, day date, blob bytea, doc jsonb, tags text[], note text NOT NULL)";
    /** Decoded as the services decode (untyped values), but keeping each decimal as written, so a lost scale would show. */
    private static final ObjectMapper DECIMALS = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final ObjectMapper PLAIN = new ObjectMapper();
    /** Smile as sync-service reads and writes it. */
    private static final ObjectMapper SMILE = SmileWire.mapper(new ObjectMapper());

    private static RequestSpecification internal(String org) {
        return RestAssured.given().header("Authorization", "Weft-Internal " + ConnectionsStubs.INTERNAL_TOKEN).header("X-Weft-Org", org)
                .header("X-Weft-Caller", "sync-service").contentType("application/json");
    }

    private record Setup(Databases.Target pg, String org, String id) {
    }

    private static Setup setup(String... tables) throws Exception {
        Databases.Target pg = Databases.postgres();
        try (Connection db = pg.admin(); Statement ddl = db.createStatement()) {
            ddl.execute("CREATE SCHEMA IF NOT EXISTS " + Databases.PG_SCHEMA);
            for (String table : tables) {
                ddl.execute("DROP TABLE IF EXISTS " + pg.qualified(table));
                ddl.execute("CREATE TABLE " + pg.qualified(table) + " " + COLUMNS);
            }
            ddl.execute("INSERT INTO " + pg.qualified(SOURCE) + " VALUES"
                    + " (1, 7, 12.5000, 0.1, true, '2026-12-05T17:30:00.123456Z', '2026-02-28', '\\x00ff10', '{\"a\":{\"b\":[1,2.50,null,\"x\"]},\"n\":null}',"
                    + " '{x,y}', 'plain'),"
                    + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'all null'),"
                    + " (3, -2147483648, -99999999999999.9999, 1e300, false, '1970-01-01T00:00:00Z', '0001-01-01', '\\x', '[]', '{}', 'edges ☃ \"q\" \\ \n'),"
                    + " (9007199254740993, 0, 0.0000, -0.0, false, '2026-12-05T23:59:59.999999+05:30', '2026-12-05', '\\x41', '{\"big\":12345678901234567890}',"
                    + " '{\"a,b\",NULL}', 'large key')");
        }
        String org = Api.newOrg();
        String id = Api.as(org).body(pg.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        return new Setup(pg, org, id);
    }

    private static String read(Setup s, String table, String format) {
        Map<String, Object> body = new HashMap<>(Map.of("object", table, "batch_size", 100));
        if (format != null) {
            body.put("format", format);
        }
        return internal(s.org()).body(body).post("/internal/v1/connections/" + s.id() + "/read").then().statusCode(200).extract().asString();
    }

    /** The rows answer's records, each zipped from the field names and its values. */
    private static List<Map<String, Object>> zipped(ObjectMapper json, String answer) throws Exception {
        return zipped(json.readValue(answer, new TypeReference<Map<String, Object>>() { }));
    }

    private static List<Map<String, Object>> zipped(Map<String, Object> page) {
        @SuppressWarnings("unchecked") List<String> fields = (List<String>) page.get("fields");
        @SuppressWarnings("unchecked") List<List<Object>> rows = (List<List<Object>>) page.get("rows");
        assertTrue(!page.containsKey("data"), "the row form has no data");
        List<Map<String, Object>> records = new ArrayList<>();
        for (List<Object> row : rows) {
            assertEquals(fields.size(), row.size());
            Map<String, Object> record = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                record.put(fields.get(i), row.get(i));
            }
            records.add(record);
        }
        return records;
    }

    private static List<Map<String, Object>> data(ObjectMapper json, String answer) throws Exception {
        Map<String, Object> page = json.readValue(answer, new TypeReference<>() { });
        @SuppressWarnings("unchecked") List<Map<String, Object>> data = (List<Map<String, Object>>) page.get("data");
        return data;
    }

    @Test
    void a_read_in_the_row_form_decodes_to_the_same_records_for_every_kind_of_value() throws Exception {
        Setup s = setup(SOURCE);
        String records = read(s, SOURCE, null);
        String alsoRecords = read(s, SOURCE, "records");
        String rows = read(s, SOURCE, "rows");
        for (ObjectMapper json : List.of(PLAIN, DECIMALS)) {
            List<Map<String, Object>> expected = data(json, records);
            assertEquals(4, expected.size());
            assertEquals(expected, data(json, alsoRecords));
            assertEquals(expected, zipped(json, rows), "the row form's records equal the records form's, value for value");
            // Same field order too: a record's fields are the row form's names, in order.
            assertEquals(List.copyOf(expected.getFirst().keySet()), List.copyOf(zipped(json, rows).getFirst().keySet()));
        }
        // The decimals keep their scale, the nulls stay (not left out, nested ones too), the nested values stay nested.
        Map<String, Object> first = zipped(DECIMALS, rows).getFirst();
        assertEquals(new java.math.BigDecimal("12.5000"), first.get("big"));
        assertTrue(((Map<?, ?>) first.get("doc")).containsKey("n"));
        Map<String, Object> allNull = zipped(DECIMALS, rows).get(1);
        assertEquals(11, allNull.size());
        assertTrue(allNull.get("big") == null && allNull.containsKey("doc"));
        // The pagination is the same in both forms.
        assertEquals(PLAIN.readTree(records).get("pagination").get("has_more"), PLAIN.readTree(rows).get("pagination").get("has_more"));
    }

    @Test
    void a_write_in_the_row_form_stores_what_the_records_form_stores() throws Exception {
        Setup s = setup(SOURCE, "rowform_by_records", "rowform_by_rows");
        Map<String, Object> rows = PLAIN.readValue(read(s, SOURCE, "rows"), new TypeReference<>() { });
        List<Map<String, Object>> records = data(PLAIN, read(s, SOURCE, null));

        internal(s.org()).body(Map.of("object", "rowform_by_records", "mode", "insert", "records", records))
                .post("/internal/v1/connections/" + s.id() + "/write").then().statusCode(200)
                .body("summary.succeeded", equalTo(4)).body("results", hasSize(4));
        internal(s.org()).body(Map.of("object", "rowform_by_rows", "mode", "insert", "fields", rows.get("fields"), "rows", rows.get("rows"),
                        "answer", "failures"))
                .post("/internal/v1/connections/" + s.id() + "/write").then().statusCode(200)
                .body("summary.total", equalTo(4)).body("summary.succeeded", equalTo(4)).body("summary.failed", equalTo(0))
                .body("failures", hasSize(0)).body("results", nullValue());

        try (Connection db = s.pg().admin(); Statement sql = db.createStatement()) {
            // The row form stores what the records form stores (each compared both ways).
            for (String table : List.of("rowform_by_rows")) {
                for (String query : List.of(
                        "SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT SELECT * FROM %2$s) d",
                        "SELECT count(*) FROM (SELECT * FROM %2$s EXCEPT SELECT * FROM %1$s) d")) {
                    // jsonb and arrays compare by value; numeric by value and scale through its text
                    try (ResultSet r = sql.executeQuery(String.format(query.replace("SELECT *", "SELECT id, small, big::text, ratio, flag, at, day,"
                            + " blob, doc, tags, note"), s.pg().qualified("rowform_by_records"), s.pg().qualified(table)))) {
                        r.next();
                        assertEquals(0, r.getInt(1), table + " holds what the records form wrote, exactly");
                    }
                }
            }
        }
    }

    /** A read in the row form, asked for in Smile as sync-service asks: its answer, decoded. */
    private static Map<String, Object> readSmile(Setup s, String table) throws Exception {
        byte[] body = SMILE.writeValueAsBytes(Map.of("object", table, "batch_size", 100, "format", "rows"));
        var answer = internal(s.org()).contentType(SmileWire.MEDIA_TYPE).accept(SmileWire.ACCEPT).body(body)
                .post("/internal/v1/connections/" + s.id() + "/read").then().statusCode(200).contentType(SmileWire.MEDIA_TYPE).extract();
        return SMILE.readValue(answer.asByteArray(), new TypeReference<>() { });
    }

    @Test
    void a_read_in_smile_decodes_to_the_same_records_with_every_decimal_digit() throws Exception {
        Setup s = setup(SOURCE);
        String json = read(s, SOURCE, "rows");
        List<Map<String, Object>> exact = zipped(DECIMALS.readValue(json, new TypeReference<>() { }));
        List<Map<String, Object>> plain = zipped(PLAIN.readValue(json, new TypeReference<>() { }));
        List<Map<String, Object>> smile = zipped(readSmile(s, SOURCE));
        assertEquals(exact.size(), smile.size());
        for (int i = 0; i < smile.size(); i++) {
            // Every value as JSON decoded with decimals kept exact, but a double, which Smile carries as a double.
            Map<String, Object> expected = new LinkedHashMap<>(exact.get(i));
            expected.put("ratio", plain.get(i).get("ratio"));
            assertEquals(expected, smile.get(i), "record " + i);
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(smile.get(i).keySet()));
        }
        // The reason for Smile on this call: a numeric of 18 digits arrives whole, where JSON decoded untyped gives a double.
        assertEquals(new java.math.BigDecimal("-99999999999999.9999"), smile.get(2).get("big"));
        assertEquals(-1.0E14, plain.get(2).get("big"));
        // Bytes arrive as base64 text, as in JSON, not as a byte array.
        assertEquals("AP8Q", smile.getFirst().get("blob"));
        assertEquals(PLAIN.readTree(json).get("pagination"), PLAIN.valueToTree(readSmile(s, SOURCE).get("pagination")));
    }

    @Test
    void a_write_in_smile_stores_the_source_rows_exactly() throws Exception {
        Setup s = setup(SOURCE, "rowform_by_smile");
        Map<String, Object> page = readSmile(s, SOURCE);
        byte[] body = SMILE.writeValueAsBytes(Map.of("object", "rowform_by_smile", "mode", "insert", "fields", page.get("fields"),
                "rows", page.get("rows"), "answer", "failures"));
        var answer = internal(s.org()).contentType(SmileWire.MEDIA_TYPE).accept(SmileWire.ACCEPT).body(body)
                .post("/internal/v1/connections/" + s.id() + "/write").then().statusCode(200).contentType(SmileWire.MEDIA_TYPE).extract();
        Map<String, Object> summary = SMILE.readValue(answer.asByteArray(), new TypeReference<Map<String, Object>>() { });
        assertEquals(Map.of("total", 4, "succeeded", 4, "failed", 0, "created", 4, "updated", 0), summary.get("summary"));
        try (Connection db = s.pg().admin(); Statement sql = db.createStatement()) {
            for (String query : List.of(
                    "SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT SELECT * FROM %2$s) d",
                    "SELECT count(*) FROM (SELECT * FROM %2$s EXCEPT SELECT * FROM %1$s) d")) {
                try (ResultSet r = sql.executeQuery(String.format(query.replace("SELECT *", "SELECT id, small, big::text, ratio, flag, at, day,"
                        + " blob, doc, tags, note"), s.pg().qualified(SOURCE), s.pg().qualified("rowform_by_smile")))) {
                    r.next();
                    assertEquals(0, r.getInt(1), "the Smile write stored the source's rows, every digit and scale");
                }
            }
        }
    }

    @Test
    void hostile_smile_bodies_are_400s_in_the_json_error_shape() throws Exception {
        Setup s = setup(SOURCE);
        String write = "/internal/v1/connections/" + s.id() + "/write";
        List<byte[]> bodies = List.of(
                "not smile at all".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.util.Arrays.copyOf(SMILE.writeValueAsBytes(Map.of("object", SOURCE, "fields", List.of("id", "note"),
                        "rows", List.of(List.of(1, "a")))), 12),
                SMILE.writeValueAsBytes(Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(List.of(1, "a")), "surprise", 1)),
                SMILE.writeValueAsBytes(List.of(1, 2)),
                new byte[0]);
        for (byte[] body : bodies) {
            internal(s.org()).contentType(SmileWire.MEDIA_TYPE).accept(SmileWire.ACCEPT).body(body).post(write).then().statusCode(400)
                    .contentType("application/json").body("error.code", equalTo("INVALID_REQUEST"));
        }
        try (Connection db = s.pg().admin(); Statement sql = db.createStatement();
             ResultSet r = sql.executeQuery("SELECT count(*) FROM " + s.pg().qualified(SOURCE))) {
            r.next();
            assertEquals(4, r.getInt(1));
        }
    }

    @Test
    void the_write_answer_can_list_only_the_refused_records() throws Exception {
        Setup s = setup(SOURCE, "rowform_refusing");
        List<List<Object>> rows = List.of(
                List.of(10, "fine"),
                java.util.Arrays.asList(11, null),
                List.of(12, "fine too"),
                List.of(13, "also fine"));
        internal(s.org()).body(Map.of("object", "rowform_refusing", "mode", "upsert", "key", List.of("id"), "fields", List.of("id", "note"),
                        "rows", rows, "answer", "failures"))
                .post("/internal/v1/connections/" + s.id() + "/write").then().statusCode(200)
                .body("summary.total", equalTo(4)).body("summary.succeeded", equalTo(3)).body("summary.failed", equalTo(1))
                .body("failures", hasSize(1)).body("failures[0].index", equalTo(1)).body("failures[0].key", equalTo("11"))
                .body("failures[0].error", org.hamcrest.Matchers.containsString("note"));
        // The records form answers every record, as before.
        internal(s.org()).body(Map.of("object", "rowform_refusing", "mode", "upsert", "key", List.of("id"),
                        "records", List.of(Map.of("id", 20, "note", "x"))))
                .post("/internal/v1/connections/" + s.id() + "/write").then().statusCode(200)
                .body("results", hasSize(1)).body("results[0].success", equalTo(true)).body("failures", nullValue());
    }

    @Test
    void hostile_row_form_bodies_are_400s_in_the_error_shape() throws Exception {
        Setup s = setup(SOURCE);
        String write = "/internal/v1/connections/" + s.id() + "/write";
        List<Object[]> cases = List.of(
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(List.of(1, "a"), List.of(2))), "rows[1]"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(List.of(1, "a", "extra"))), "rows[0]"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "nope"), "rows", List.of(List.of(1, "a"))), "fields[1]"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "ID"), "rows", List.of(List.of(1, 2))), "fields[1]"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of(), "rows", List.of(List.of())), "fields"},
                new Object[] {Map.of("object", SOURCE, "rows", List.of(List.of(1, "a"))), "fields"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of()), "rows"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(Map.of("id", 1))), null},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(5)), null},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(List.of(1, "a")),
                        "records", List.of(Map.of("id", 1, "note", "a"))), "records"},
                new Object[] {Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", List.of(List.of(1, "a")), "answer", "some"), "answer"},
                new Object[] {Map.of("object", SOURCE, "mode", "upsert", "fields", List.of("note"), "rows", List.of(List.of("a"))), "rows[0].id"});
        for (Object[] c : cases) {
            var answer = internal(s.org()).body(c[0]).post(write).then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
            if (c[1] != null) {
                answer.body("error.details.field", equalTo(c[1]));
            }
        }
        // More rows than a write takes.
        List<List<Object>> tooMany = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            tooMany.add(List.of(i, "n"));
        }
        internal(s.org()).body(Map.of("object", SOURCE, "fields", List.of("id", "note"), "rows", tooMany)).post(write).then().statusCode(400)
                .body("error.details.field", equalTo("rows"));
        internal(s.org()).body(Map.of("object", SOURCE, "format", "columns")).post("/internal/v1/connections/" + s.id() + "/read").then()
                .statusCode(400).body("error.details.field", equalTo("format"));
        // Nothing was written by any of them.
        try (Connection db = s.pg().admin(); Statement sql = db.createStatement();
             ResultSet r = sql.executeQuery("SELECT count(*) FROM " + s.pg().qualified(SOURCE))) {
            r.next();
            assertEquals(4, r.getInt(1));
        }
    }
}
