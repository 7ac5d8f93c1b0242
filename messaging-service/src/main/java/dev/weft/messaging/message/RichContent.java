package dev.weft.messaging.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;

import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a location or interactive message, in {@code metadata.payload} and in the WhatsApp Cloud API's shape
 * (where an inbound one from WhatsApp stores it too): a location {@code {latitude, longitude, name?, address?}}; an
 * interactive message {@code {type: button|list, body: {text}, action: {buttons: [{reply: {id, title}}]} or
 * {sections: [{rows: [{id, title}]}]}}}. Checked once when a reply is accepted, so that each channel's adapter only
 * translates it.
 */
public final class RichContent {
    /** Most choices any channel takes (Messenger's quick replies: 13; WhatsApp: 3 buttons or 10 rows). */
    static final int MAX_CHOICES = 13;

    private RichContent() {
    }

    public record Location(double latitude, double longitude, String name, String address) {
    }

    /** One choice: what the contact's answer carries back ({@code id}) and what they see ({@code title}). */
    public record Choice(String id, String title) {
    }

    public record Interactive(String text, List<Choice> choices) {
    }

    /** The location in {@code metadata.payload}; a 400 on {@code metadata.payload} when there is none or it is malformed. */
    public static Location location(JsonNode metadata) {
        JsonNode payload = metadata == null ? null : metadata.get("payload");
        if (payload == null || !payload.isObject() || !payload.path("latitude").isNumber() || !payload.path("longitude").isNumber()) {
            throw ApiException.invalid("metadata.payload", "required", "a location message needs metadata.payload with numbers latitude and longitude"
                    + " (and name and address, optional)");
        }
        double latitude = payload.path("latitude").asDouble();
        double longitude = payload.path("longitude").asDouble();
        if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) {
            throw ApiException.invalid("metadata.payload", "range", "latitude must be within -90..90 and longitude within -180..180");
        }
        return new Location(latitude, longitude, text(payload, "name", 1000), text(payload, "address", 1000));
    }

    /** The interactive message in {@code metadata.payload}: its text and choices; a 400 on {@code metadata.payload} when malformed. */
    public static Interactive interactive(JsonNode metadata) {
        JsonNode payload = metadata == null ? null : metadata.get("payload");
        String text = payload == null ? null : text(payload.path("body"), "text", 4096);
        if (payload == null || !payload.isObject() || text == null || text.isBlank()) {
            throw ApiException.invalid("metadata.payload", "required", "an interactive message needs metadata.payload with body.text and"
                    + " action.buttons (type button) or action.sections[].rows (type list), as the WhatsApp Cloud API takes them");
        }
        List<Choice> choices = new ArrayList<>();
        String type = payload.path("type").asText("");
        if (type.equals("button")) {
            for (JsonNode button : payload.path("action").path("buttons")) {
                choices.add(choice(button.path("reply")));
            }
        } else if (type.equals("list")) {
            for (JsonNode section : payload.path("action").path("sections")) {
                for (JsonNode row : section.path("rows")) {
                    choices.add(choice(row));
                }
            }
        } else {
            throw ApiException.invalid("metadata.payload", "one_of", "metadata.payload.type must be button or list");
        }
        if (choices.isEmpty() || choices.size() > MAX_CHOICES) {
            throw ApiException.invalid("metadata.payload", "size", "an interactive message needs 1 to " + MAX_CHOICES + " choices (buttons or rows)");
        }
        return new Interactive(text, List.copyOf(choices));
    }

    /**
     * Records a contact's choice in an inbound message's metadata as WhatsApp reports one, whatever the channel:
     * {@code payload: {type: button_reply, button_reply: {id, title}}} ({@code title} left out when unknown).
     */
    public static void chosen(ObjectNode metadata, String id, String title) {
        ObjectNode reply = metadata.putObject("payload").put("type", "button_reply").putObject("button_reply").put("id", id);
        if (title != null) {
            reply.put("title", title);
        }
    }

    private static Choice choice(JsonNode node) {
        String id = text(node, "id", 256);
        String title = text(node, "title", 200);
        if (id == null || id.isBlank() || title == null || title.isBlank()) {
            throw ApiException.invalid("metadata.payload", "required", "each button's reply and each list row needs an id and a title");
        }
        return new Choice(id, title);
    }

    private static String text(JsonNode node, String field, int max) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().length() > max) {
            throw ApiException.invalid("metadata.payload", "type", "metadata.payload's " + field + " must be a string of at most " + max + " characters");
        }
        return value.asText();
    }
}
