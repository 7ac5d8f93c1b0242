package dev.weft.messaging.entity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.error.ApiException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EntityRefTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, JsonNode> body(String json) throws Exception {
        Map<String, JsonNode> fields = new java.util.HashMap<>();
        JSON.readTree(json).fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        return fields;
    }

    @Test
    void seedNumericIdIsKeptAsTextAndAnsweredAsANumber() throws Exception {
        EntityRef ref = EntityRef.optional(body("{\"entity_type\":\"Contact\",\"entity_id\":42}"));
        assertEquals(new EntityRef("contact", "42"), ref);
        assertEquals(42L, ref.idForJson());
        assertEquals("0015g00000XyZ", EntityRef.of("account", "0015g00000XyZ").idForJson());
        assertEquals("007", EntityRef.of("account", "007").idForJson());
    }

    @Test
    void malformedOrHalfGivenRefsAre400s() throws Exception {
        assertNull(EntityRef.optional(body("{}")));
        assertThrows(ApiException.class, () -> EntityRef.optional(body("{\"entity_type\":\"contact\"}")));
        assertThrows(ApiException.class, () -> EntityRef.optional(body("{\"entity_type\":\"contact\",\"entity_id\":4.2}")));
        assertThrows(ApiException.class, () -> EntityRef.optional(body("{\"entity_type\":\"contact\",\"entity_id\":{}}")));
        assertThrows(ApiException.class, () -> EntityRef.of("con tact", "1"));
        assertThrows(ApiException.class, () -> EntityRef.of("contact", "../1"));
        assertThrows(ApiException.class, () -> EntityRef.of("contact", "x".repeat(129)));
    }
}
