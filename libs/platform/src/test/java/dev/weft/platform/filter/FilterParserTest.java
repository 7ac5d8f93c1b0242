package dev.weft.platform.filter;

import dev.weft.platform.error.ApiException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterParserTest {

    @Test
    void parses_the_seed_filter_into_one_tree() {
        assertEquals(new Filter.And(List.of(
                        new Filter.Compare("Industry", Filter.Op.EQ, "Technology"),
                        new Filter.Compare("AnnualRevenue", Filter.Op.GT, 1_000_000L))),
                FilterParser.parse("Industry = 'Technology' AND AnnualRevenue > 1000000"));
    }

    @Test
    void keeps_in_lists_apart_from_the_conditions_around_them() {
        assertEquals(new Filter.Or(List.of(new Filter.In("a", List.of("x", "y"), false), new Filter.Compare("b", Filter.Op.EQ, 1L))),
                FilterParser.parse("a IN ('x','y') OR b = 1"));
        assertEquals(new Filter.And(List.of(new Filter.In("id", List.of(3L, 6L), true), new Filter.Compare("name", Filter.Op.LIKE, "A%"))),
                FilterParser.parse("id NOT IN (3, 6) AND name LIKE 'A%'"));
    }

    @Test
    void reads_literals_of_every_kind() {
        Filter filter = FilterParser.parse("a = 'it''s' AND b = -2.5 AND c = TRUE AND d IS NOT NULL AND e BETWEEN 1 AND 3 AND NOT f <> 0 AND 10 < g");
        Filter.And and = (Filter.And) filter;
        assertEquals(new Filter.Compare("a", Filter.Op.EQ, "it's"), and.operands().get(0));
        assertEquals(new Filter.Compare("b", Filter.Op.EQ, new BigDecimal("-2.5")), and.operands().get(1));
        assertEquals(new Filter.Compare("c", Filter.Op.EQ, true), and.operands().get(2));
        assertEquals(new Filter.IsNull("d", true), and.operands().get(3));
        assertEquals(new Filter.Compare("g", Filter.Op.GT, 10L), and.operands().get(and.operands().size() - 1));
        assertNull(FilterParser.parse("  "));
    }

    @Test
    void refuses_anything_but_fields_compared_with_literals() {
        for (String hostile : List.of("name = 'a'; DROP TABLE t", "pg_sleep(5) IS NULL", "id IN (SELECT id FROM t)", "name = region",
                "1 = 1 UNION SELECT 1", "name = ", "x = NULL", "(SELECT 1) = 1", "a".repeat(5000) + " = 1")) {
            ApiException refused = assertThrows(ApiException.class, () -> FilterParser.parse(hostile), hostile);
            assertEquals("filter", refused.details().get("field"), hostile);
        }
    }

    @Test
    void evaluates_in_memory_with_sql_semantics() {
        Filter filter = FilterParser.parse("Industry = 'Technology' AND AnnualRevenue > 1000000 AND Name LIKE 'Ac%'");
        assertTrue(InMemoryFilter.of(filter).test(Map.of("Industry", "Technology", "AnnualRevenue", 5_000_000.0, "Name", "Acme")));
        assertFalse(InMemoryFilter.of(filter).test(Map.of("Industry", "Technology", "AnnualRevenue", 10, "Name", "Acme")));
        assertFalse(InMemoryFilter.of(FilterParser.parse("x <> 1")).test(Map.of()), "a comparison with a missing field is false");
        assertTrue(InMemoryFilter.of(FilterParser.parse("x IS NULL")).test(Map.of()));
    }
}
