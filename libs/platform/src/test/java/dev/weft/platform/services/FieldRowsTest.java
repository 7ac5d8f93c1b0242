package dev.weft.platform.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row form writes each value with the serializer the object form uses and reads it with the same deserializer: a
 * batch decodes to equal records either way, for every kind of value a connector hands over.
 */
class FieldRowsTest {
    /** As the services configure Jackson (platform's microprofile-config.properties). */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_ABSENT);
    private static final ObjectMapper DECIMALS = JSON.copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    record AsRecords(@JsonInclude(content = JsonInclude.Include.ALWAYS) List<Map<String, Object>> records) {
    }

    record AsRows(List<String> fields, @JsonInclude(content = JsonInclude.Include.ALWAYS)
                  @JsonSerialize(using = FieldRows.RowsSerializer.class) FieldRows.Rows rows) {
    }

    /** A nested object holding a null: kept in both forms, not left out. */
    private static Map<String, Object> nested() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", Arrays.asList(1, 2.5, null, "x"));
        inner.put("n", null);
        return Map.of("a", inner);
    }

    private static List<Map<String, Object>> batch() {
        List<Map<String, Object>> records = new ArrayList<>();
        Object[][] values = {
                {1L, "Ada", new BigDecimal("12.50"), 0.1d, true, OffsetDateTime.parse("2026-12-05T17:30:00.123456+01:00"),
                        Instant.parse("2026-12-05T16:30:00Z"), LocalDate.parse("2026-02-28"), new byte[] {0, -1, 16},
                        nested(), Arrays.asList("x", null)},
                {2L, null, null, null, null, null, null, null, null, null, null},
                {Long.MAX_VALUE, "edges ☃ \"q\" \\ \n", new BigDecimal("-99999999999999.9999"), -0.0d, false,
                        OffsetDateTime.parse("0001-01-01T00:00:00Z"), Instant.EPOCH, LocalDate.parse("0001-01-01"), new byte[0],
                        Map.of(), List.of()},
                {9007199254740993L, "", new BigDecimal("1E+3"), 1e300, false, null, null, null, new byte[] {65},
                        Map.of("big", new BigInteger("12345678901234567890")), List.of(List.of(1))},
        };
        String[] names = {"id", "name", "amount", "ratio", "flag", "at", "instant", "day", "blob", "doc", "tags"};
        for (Object[] row : values) {
            Map<String, Object> record = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                record.put(names[i], row[i]);
            }
            records.add(record);
        }
        return records;
    }

    private static List<Map<String, Object>> decodedRows(ObjectMapper json, String text) throws Exception {
        Map<String, Object> page = json.readValue(text, new TypeReference<>() { });
        @SuppressWarnings("unchecked") FieldRows fields = FieldRows.of((List<String>) page.get("fields"));
        record Rows(List<Object[]> rows) {
        }
        List<Map<String, Object>> records = new ArrayList<>();
        for (Object[] row : json.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(text, Rows.class).rows()) {
            records.add(fields.record(row));
        }
        return records;
    }

    @Test
    void rows_decode_to_the_records_the_object_form_decodes_to() throws Exception {
        List<Map<String, Object>> batch = batch();
        List<String> fields = FieldRows.sharedFields(batch);
        assertEquals(List.of("id", "name", "amount", "ratio", "flag", "at", "instant", "day", "blob", "doc", "tags"), fields);
        String objects = JSON.writeValueAsString(new AsRecords(batch));
        String rows = JSON.writeValueAsString(new AsRows(fields, new FieldRows.Rows(fields, batch)));
        for (ObjectMapper json : List.of(JSON, DECIMALS)) {
            Map<String, List<Map<String, Object>>> fromObjects = json.readValue(objects, new TypeReference<>() { });
            List<Map<String, Object>> expected = fromObjects.get("records");
            List<Map<String, Object>> actual = decodedRows(json, rows);
            assertEquals(expected, actual);
            assertEquals(expected.hashCode(), actual.hashCode());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(List.copyOf(expected.get(i).keySet()), List.copyOf(actual.get(i).keySet()), "field order");
                assertEquals(new ArrayList<>(expected.get(i).values()), new ArrayList<>(actual.get(i).values()));
            }
        }
        assertEquals(new BigDecimal("12.50"), decodedRows(DECIMALS, rows).getFirst().get("amount"), "scale kept");
        Map<?, ?> inner = (Map<?, ?>) ((Map<?, ?>) decodedRows(JSON, rows).getFirst().get("doc")).get("a");
        assertTrue(inner.containsKey("n"), "a nested null is kept");
        // And the rows re-encode as the records did.
        List<Map<String, Object>> again = decodedRows(JSON, rows);
        assertEquals(JSON.readTree(JSON.writeValueAsString(new AsRecords(again))), JSON.readTree(JSON.writeValueAsString(
                new AsRecords(JSON.<Map<String, List<Map<String, Object>>>>readValue(objects, new TypeReference<>() { }).get("records")))));
    }

    @Test
    void a_row_is_a_read_only_map_sharing_its_batchs_names() {
        FieldRows fields = FieldRows.of(List.of("id", "name"));
        Map<String, Object> a = fields.record(new Object[] {1, "a"});
        Map<String, Object> b = fields.record(new Object[] {2, null});
        assertSame(a.keySet(), b.keySet());
        assertTrue(b.containsKey("name"));
        assertNull(b.get("name"));
        assertNull(b.get("other"));
        assertEquals(Map.of("id", 1, "name", "a"), a);
        assertEquals(new HashMap<>(Map.of("id", 1, "name", "a")).keySet().hashCode(), a.keySet().hashCode());
        assertThrows(UnsupportedOperationException.class, () -> a.put("id", 3));
        assertThrows(IllegalArgumentException.class, () -> fields.record(new Object[] {1}));
        assertThrows(IllegalArgumentException.class, () -> FieldRows.of(List.of("id", "id")));
        assertThrows(IllegalArgumentException.class, () -> FieldRows.of(Arrays.asList("id", null)));
        assertEquals(List.of("id", "name"), FieldRows.sharedFields(List.of(a, b)));
    }

    @Test
    void records_with_different_fields_have_no_shared_fields() {
        Map<String, Object> full = new LinkedHashMap<>(Map.of("id", 1));
        full.put("name", null);
        assertNull(FieldRows.sharedFields(List.of(full, Map.of("id", 2))), "a missing field is not a null one");
        assertNull(FieldRows.sharedFields(List.of(Map.of("id", 2), Map.of("key", 2))));
        assertEquals(List.of(), FieldRows.sharedFields(List.of()));
        Map<String, Object> same = new LinkedHashMap<>();
        same.put("name", "x");
        same.put("id", 3);
        assertEquals(List.of("id", "name"), FieldRows.sharedFields(List.of(full, same)), "the first record's order; others may differ");
        assertNotSame(full.keySet(), same.keySet());
    }

    @Test
    void each_record_is_written_in_the_fields_order_whatever_its_own() throws Exception {
        List<String> fields = List.of("id", "name", "n");
        Map<String, Object> inOrder = new LinkedHashMap<>();
        inOrder.put("id", 1);
        inOrder.put("name", "a");
        inOrder.put("n", 10);
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("id", 2);
        reordered.put("n", 20);
        reordered.put("name", "b");
        Map<String, Object> unordered = new HashMap<>(Map.of("id", 3, "name", "c", "n", 30));
        Map<String, Object> row = FieldRows.of(fields).record(new Object[] {4, "d", 40});
        Map<String, Object> otherRow = FieldRows.of(List.of("n", "id", "name")).record(new Object[] {50, 5, "e"});
        List<Map<String, Object>> batch = List.of(inOrder, reordered, unordered, row, otherRow);
        assertEquals(fields, FieldRows.sharedFields(batch));
        String rows = JSON.writeValueAsString(new AsRows(fields, new FieldRows.Rows(fields, batch)));
        assertEquals("{\"fields\":[\"id\",\"name\",\"n\"],\"rows\":[[1,\"a\",10],[2,\"b\",20],[3,\"c\",30],[4,\"d\",40],[5,\"e\",50]]}", rows);
    }
}
