package dev.weft.connections.capture;

import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Record events' data, written by {@link RecordChangedJson}, is byte for byte what the service's own mapper writes for
 * the record (the catalog's schema and every consumer read that).
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class RecordChangedJsonTest {
    @Inject
    ObjectMapper json;

    @JsonSerialize(using = JsonSerializer.None.class)
    abstract static class AsTheMapperWritesIt {
    }

    @Test
    void writes_what_the_mapper_writes() throws Exception {
        ObjectMapper reference = json.copy().addMixIn(RecordEvents.RecordChanged.class, AsTheMapperWritesIt.class);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 42L);
        row.put("email", "ana@example.com");
        row.put("score", new BigDecimal("12.50"));
        row.put("big", new BigDecimal("1E+3"));
        row.put("active", true);
        row.put("note", null);
        row.put("small", 3);
        row.put("short", (short) 7);
        row.put("ratio", 0.5d);
        row.put("float", 1.25f);
        row.put("raw", new byte[]{1, 2, (byte) 255});
        row.put("tags", new ArrayList<>(Arrays.asList("x", null, "y")));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner", null);
        nested.put("n", 1L);
        nested.put("deeper", Map.of("k", "v"));
        row.put("meta", nested);
        row.put("wé\"ird\nname", "quote \" backslash \\ tab \t ñ 😀 \u0001");
        row.put("ts", "2026-12-05T15:00:00.123456Z");
        Map<String, Object> previous = new LinkedHashMap<>(row);
        previous.put("email", "old@example.com");
        previous.put("note", "was set");
        Instant at = Instant.parse("2026-12-05T15:04:05.678901Z");
        RecordEvents.Source source = new RecordEvents.Source("log", "0/16B3748", Instant.parse("2026-12-05T15:04:05Z"));
        Map<String, Object> compositeKey = new LinkedHashMap<>();
        compositeKey.put("tenant", "acme");
        compositeKey.put("n", 2);
        List<RecordEvents.RecordChanged> events = List.of(
                new RecordEvents.RecordChanged("org_1", "conn_1", "strm_1", "public.leads", "42", Map.of("id", 42L), "read", at, row, null,
                        null, source),
                new RecordEvents.RecordChanged("org_1", "conn_1", "strm_1", "public.leads", "42", Map.of("id", 42L), "read", at, row, previous,
                        List.of("email", "note"), source),
                new RecordEvents.RecordChanged("org_1", "conn_1", "strm_1", "raw.contacts", "{\"n\":2,\"tenant\":\"acme\"}", compositeKey, "read",
                        at, null, null, null, new RecordEvents.Source("poll", null, null)),
                new RecordEvents.RecordChanged(null, "conn_1", null, "o", null, new LinkedHashMap<>(), "read", null, new LinkedHashMap<>(), null,
                        List.of(), null),
                // Column names are encoded once per position: other orders, other names and more columns than it keeps
                // must not take a name from the row before.
                new RecordEvents.RecordChanged("org_1", "conn_1", "strm_1", "public.leads", "42", Map.of("id", 42L), "read", at, reversed(row),
                        previous, null, source),
                new RecordEvents.RecordChanged("org_1", "conn_1", "strm_1", "public.wide", "1", Map.of("c0", 1L), "read", at, wide(70), null,
                        null, source),
                new RecordEvents.RecordChanged("org_2", "conn_2", "strm_2", "we/ird \"obj\" ñ 😀", "1", Map.of("c0", 1L), "write", at, wide(2),
                        null, null, new RecordEvents.Source("poll", "p", null)),
                new RecordEvents.RecordChanged("org_1", "conn_1", "strm_1", "public.leads", "42", Map.of("id", 42L), "read", at, row, null,
                        null, source));
        for (RecordEvents.RecordChanged event : events) {
            // Text and UTF-8 output each as the mapper writes them (its UTF-8 writer escapes characters outside the BMP).
            assertEquals(reference.writeValueAsString(event), json.writeValueAsString(event));
            assertEquals(new String(reference.writeValueAsBytes(event), java.nio.charset.StandardCharsets.UTF_8),
                    new String(json.writeValueAsBytes(event), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertInstanceOf(RecordChangedJson.class, json.getSerializerProviderInstance().findValueSerializer(RecordEvents.RecordChanged.class),
                "events are written by RecordChangedJson");
    }

    private static Map<String, Object> reversed(Map<String, Object> row) {
        List<String> names = new ArrayList<>(row.keySet());
        java.util.Collections.reverse(names);
        Map<String, Object> reversed = new LinkedHashMap<>();
        names.forEach(name -> reversed.put(name, row.get(name)));
        return reversed;
    }

    private static Map<String, Object> wide(int columns) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columns; i++) {
            row.put("c" + i, (long) i);
        }
        return row;
    }
}
