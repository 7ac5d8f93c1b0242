package dev.weft.connections.extension;

import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExtensionProtocolTest {

    @Test
    void filters_travel_as_canonical_text_that_parses_back_to_the_same_tree() {
        for (String filter : new String[]{
                "quantity > 5 AND (name LIKE 'Bolt%' OR sku IN ('A-1', 'B-2'))",
                "NOT (name = 'O''Brien') AND updated_at IS NOT NULL",
                "price <= 10.50 OR active = TRUE OR sku NOT IN ('x')",
                "name NOT LIKE '%test%' AND quantity <> -3"}) {
            var parsed = FilterParser.parse(filter);

            assertEquals(parsed, FilterParser.parse(ExtensionProtocol.filterText(parsed)), filter);
        }
    }

    @Test
    void filters_travel_as_a_json_tree() {
        var tree = ExtensionProtocol.filterTree(FilterParser.parse("quantity >= 5 AND NOT (name LIKE 'B%') AND sku IS NULL OR sku IN ('a', 'b')"));

        assertEquals("""
                {"type":"or","filters":[{"type":"and","filters":[{"type":"compare","field":"quantity","op":"ge","value":5},\
                {"type":"not","filter":{"type":"compare","field":"name","op":"like","value":"B%"}},\
                {"type":"is_null","field":"sku","negated":false}]},{"type":"in","field":"sku","values":["a","b"],"negated":false}]}""",
                tree.toString());
    }
}
