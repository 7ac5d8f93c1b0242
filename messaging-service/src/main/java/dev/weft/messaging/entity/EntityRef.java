package dev.weft.messaging.entity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.error.ApiException;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A CRM entity that contacts, conversations, emails, calendar events and documents link to. Seed 002 writes the id
 * as a number ({@code "entityId": 42}); CRMs also use strings ({@code 0015g00000XyZ}), so the id is kept as text
 * and a JSON number or string both work. The type is a lower-case word ({@code contact}, {@code account}, {@code deal}).
 */
public record EntityRef(String type, String id) {
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:@-]{1,128}");

    /** From path parameters ({@code /threads/{entity_type}/{entity_id}}): a 400 naming the parameter when malformed. */
    public static EntityRef of(String type, String id) {
        String normalisedType = type == null ? null : type.trim().toLowerCase(Locale.ROOT);
        if (normalisedType == null || !TYPE.matcher(normalisedType).matches()) {
            throw ApiException.invalid("entity_type", "pattern", "entity_type must be a word of lower-case letters, digits and _ (at most 40)");
        }
        if (id == null || !ID.matcher(id.trim()).matches()) {
            throw ApiException.invalid("entity_id", "pattern", "entity_id must be 1 to 128 letters, digits or . _ : @ -");
        }
        return new EntityRef(normalisedType, id.trim());
    }

    /**
     * From a body read with {@code dev.weft.messaging.Json.fields} (snake_case keys): both {@code entity_type} and
     * {@code entity_id} or neither (null). The id may be a JSON integer or string; anything else is a 400.
     */
    public static EntityRef optional(Map<String, JsonNode> fields) {
        JsonNode type = fields.get("entity_type");
        JsonNode id = fields.get("entity_id");
        boolean hasType = type != null && !type.isNull();
        boolean hasId = id != null && !id.isNull();
        if (!hasType && !hasId) {
            return null;
        }
        if (hasType != hasId) {
            throw ApiException.invalid(hasType ? "entity_id" : "entity_type", "required", "entity_type and entity_id are given together");
        }
        if (!type.isTextual()) {
            throw ApiException.invalid("entity_type", "type", "entity_type must be a string");
        }
        String idText;
        if (id.isIntegralNumber()) {
            idText = id.asText();
        } else if (id.isTextual()) {
            idText = id.textValue();
        } else {
            throw ApiException.invalid("entity_id", "type", "entity_id must be a string or an integer");
        }
        return of(type.textValue(), idText);
    }

    /** Seed 002 answers with the id as it was given; a numeric id goes back as a number. */
    public Object idForJson() {
        if (id.length() <= 18 && id.chars().allMatch(Character::isDigit) && (id.length() == 1 || id.charAt(0) != '0')) {
            return Long.parseLong(id);
        }
        return id;
    }
}
