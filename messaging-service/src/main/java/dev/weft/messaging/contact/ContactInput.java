package dev.weft.messaging.contact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Channels;
import dev.weft.messaging.Json;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.error.ApiException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A contact body, checked: the fields given (a JSON merge patch over the contact when it exists), each normalised.
 * Seed 001 writes the external id as {@code properties.externalId}; it is the external id unless a top-level
 * {@code external_id} says otherwise (two different values are a 400).
 */
final class ContactInput {
    static final Set<String> FIELDS = Set.of("first_name", "last_name", "email", "phone", "external_id", "channel", "tags", "properties", "entity_type", "entity_id");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");
    private static final int MAX_TAGS = 50;

    final Map<String, JsonNode> given;
    final String firstName;
    final String lastName;
    final String email;
    final String emailKey;
    final PhoneNumbers.Phone phone;
    final String externalId;
    final boolean externalIdGiven;
    final String channel;
    final List<String> tags;
    final ObjectNode properties;
    /** The CRM entity link when {@link #entityGiven}; null then clears it. */
    final EntityRef entity;
    final boolean entityGiven;

    private ContactInput(Map<String, JsonNode> given) {
        this.given = given;
        firstName = Json.text(given, "first_name", 200);
        lastName = Json.text(given, "last_name", 200);
        email = Json.text(given, "email", 254);
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw ApiException.invalid("email", "email", "email is not an email address");
        }
        emailKey = email == null ? null : email.toLowerCase(Locale.ROOT);
        String rawPhone = Json.text(given, "phone", 64);
        phone = rawPhone == null ? null : PhoneNumbers.parse(rawPhone, "phone");
        String channelText = Json.text(given, "channel", 40);
        channel = channelText == null ? null : Channels.require(channelText, "channel");
        tags = tags(given.get("tags"));
        properties = Json.object(given, "properties");
        if (properties != null && properties.size() > 200) {
            throw ApiException.invalid("properties", "max_items", "at most 200 properties");
        }
        String topLevel = Json.text(given, "external_id", 255);
        String inProperties = null;
        if (properties != null) {
            for (String key : List.of("externalId", "external_id")) {
                JsonNode value = properties.get(key);
                if (value != null && !value.isNull()) {
                    if (!value.isTextual() && !value.isNumber()) {
                        throw ApiException.invalid("properties." + key, "type", "properties." + key + " must be a string");
                    }
                    String text = value.asText().strip();
                    if (inProperties != null && !inProperties.equals(text)) {
                        throw ApiException.invalid("properties." + key, "one_of", "properties.externalId and properties.external_id differ");
                    }
                    inProperties = text.isEmpty() ? null : text;
                }
            }
        }
        if (topLevel != null && inProperties != null && !topLevel.equals(inProperties)) {
            throw ApiException.invalid("external_id", "one_of", "external_id and properties.externalId differ");
        }
        externalId = topLevel != null ? topLevel : inProperties;
        if (externalId != null && externalId.length() > 255) {
            throw ApiException.invalid("external_id", "max_length", "external_id is longer than 255 characters");
        }
        externalIdGiven = given.containsKey("external_id") || inProperties != null;
        entityGiven = given.containsKey("entity_type") || given.containsKey("entity_id");
        entity = EntityRef.optional(given);
    }

    static ContactInput parse(JsonNode body) {
        return new ContactInput(Json.fields(body, FIELDS));
    }

    boolean has(String field) {
        return given.containsKey(field);
    }

    boolean hasAnyKey() {
        return externalId != null || emailKey != null || phone != null;
    }

    private static List<String> tags(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw ApiException.invalid("tags", "type", "tags must be an array of strings");
        }
        if (node.size() > MAX_TAGS) {
            throw ApiException.invalid("tags", "max_items", "at most " + MAX_TAGS + " tags");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode tag = node.get(i);
            if (!tag.isTextual() || tag.asText().isBlank() || tag.asText().length() > 100) {
                throw ApiException.invalid("tags[" + i + "]", "type", "each tag is a non-empty string of at most 100 characters");
            }
            tags.add(tag.asText().strip());
        }
        return new ArrayList<>(tags);
    }
}
