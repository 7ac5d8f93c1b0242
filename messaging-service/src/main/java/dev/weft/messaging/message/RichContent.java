package dev.weft.messaging.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The payload of a location or interactive message, in {@code metadata.payload} and in the WhatsApp Cloud API's shape
 * (where an inbound one from WhatsApp stores it too): a location {@code {latitude, longitude, name?, address?}}; an
 * interactive message {@code {type: button|list|cta_url, body: {text}, action: {buttons: [{reply: {id, title}}]} or
 * {button, sections: [{rows: [{id, title}]}]} or {name: cta_url, parameters: {display_text, url}}}}, or one of
 * {@link #WHATSAPP_ONLY}'s kinds. Checked once when
 * a reply is accepted (here, then against the channel's own limits by its sender), so that each channel's adapter only
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

    /** A button that opens a web page ({@code cta_url}): no answer comes back from it. */
    public record Link(String title, String url) {
    }

    /** Choices to answer with ({@code button}, {@code list}), or one {@code link} ({@code cta_url}). */
    public record Interactive(String type, String text, List<Choice> choices, Link link) {
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

    /**
     * Interactive kinds only WhatsApp sends, in the Cloud API's shape: a Flow ({@code flow}), one product or a list of
     * them from a catalog ({@code product}, {@code product_list}), a request for the contact's location
     * ({@code location_request_message}). Checked here for what the Cloud API requires, then sent as given; the other
     * channels refuse them ({@link #portable}).
     */
    public static final Set<String> WHATSAPP_ONLY = Set.of("flow", "product", "product_list", "location_request_message");

    /** The interactive message in {@code metadata.payload}: its text and choices; a 400 on {@code metadata.payload} when malformed. */
    public static Interactive interactive(JsonNode metadata) {
        JsonNode payload = metadata == null ? null : metadata.get("payload");
        String type = payload == null ? "" : payload.path("type").asText("");
        if (payload != null && payload.isObject() && WHATSAPP_ONLY.contains(type)) {
            return whatsAppOnly(type, payload);
        }
        String text = payload == null ? null : text(payload.path("body"), "text", 4096);
        if (payload == null || !payload.isObject() || text == null || text.isBlank()) {
            throw ApiException.invalid("metadata.payload", "required", "an interactive message needs metadata.payload with body.text and"
                    + " action.buttons (type button) or action.sections[].rows (type list), as the WhatsApp Cloud API takes them");
        }
        List<Choice> choices = new ArrayList<>();
        JsonNode action = payload.path("action");
        switch (type) {
            case "button" -> {
                for (JsonNode button : action.path("buttons")) {
                    choices.add(choice(button.path("reply")));
                }
            }
            case "list" -> {
                for (JsonNode section : action.path("sections")) {
                    for (JsonNode row : section.path("rows")) {
                        choices.add(choice(row));
                    }
                }
            }
            case "cta_url" -> {
                JsonNode parameters = action.path("parameters");
                String title = text(parameters, "display_text", 200);
                String url = text(parameters, "url", 2000);
                if (!"cta_url".equals(action.path("name").asText()) || title == null || title.isBlank() || !webAddress(url)) {
                    throw ApiException.invalid("metadata.payload", "required", "a cta_url message needs action.name cta_url and action.parameters"
                            + " with display_text and an absolute http(s) url");
                }
                return new Interactive(type, text, List.of(), new Link(title, url));
            }
            default -> throw ApiException.invalid("metadata.payload", "one_of", "metadata.payload.type must be button, list or cta_url (or, on"
                    + " WhatsApp alone, " + String.join(", ", WHATSAPP_ONLY.stream().sorted().toList()) + ")");
        }
        if (choices.isEmpty() || choices.size() > MAX_CHOICES) {
            throw ApiException.invalid("metadata.payload", "size", "an interactive message needs 1 to " + MAX_CHOICES + " choices (buttons or rows)");
        }
        // The answer carries the id alone: two choices with one id could not be told apart.
        if (choices.stream().map(Choice::id).distinct().count() < choices.size()) {
            throw ApiException.invalid("metadata.payload", "unique", "each choice needs an id of its own");
        }
        return new Interactive(type, text, List.copyOf(choices), null);
    }

    /** {@link #interactive} on a channel other than WhatsApp, where its WhatsApp-only kinds are a 400 naming the channel. */
    public static Interactive portable(String channel, JsonNode metadata) {
        Interactive interactive = interactive(metadata);
        if (WHATSAPP_ONLY.contains(interactive.type())) {
            throw ApiException.invalid("metadata.payload", "one_of", interactive.type() + " messages are WhatsApp's alone: on " + channel
                    + " send button, list or cta_url");
        }
        return interactive;
    }

    /** What the Cloud API requires of a WhatsApp-only kind; no choices to translate (a product's body is optional). */
    private static Interactive whatsAppOnly(String type, JsonNode payload) {
        String text = text(payload.path("body"), "text", 4096);
        if (!type.equals("product") && (text == null || text.isBlank())) {
            throw ApiException.invalid("metadata.payload", "required", "a " + type + " message needs body.text");
        }
        JsonNode action = payload.path("action");
        switch (type) {
            case "flow" -> {
                JsonNode parameters = action.path("parameters");
                if (!"flow".equals(action.path("name").asText()) || !parameters.isObject()) {
                    throw ApiException.invalid("metadata.payload", "required", "a flow message needs action.name flow and action.parameters");
                }
                if (!parameters.path("flow_message_version").isTextual() || !"3".equals(parameters.path("flow_message_version").asText())) {
                    throw ApiException.invalid("metadata.payload", "one_of", "a flow message needs action.parameters.flow_message_version \"3\"");
                }
                String id = text(parameters, "flow_id", 200);
                String name = text(parameters, "flow_name", 200);
                if ((id == null || id.isBlank()) == (name == null || name.isBlank())) {
                    throw ApiException.invalid("metadata.payload", "one_of", "a flow message needs one of action.parameters.flow_id and flow_name");
                }
                String cta = text(parameters, "flow_cta", 200);
                if (cta == null || cta.isBlank()) {
                    throw ApiException.invalid("metadata.payload", "required", "a flow message needs action.parameters.flow_cta, its button's text");
                }
                String flowAction = text(parameters, "flow_action", 20);
                if (flowAction != null && !List.of("navigate", "data_exchange").contains(flowAction)) {
                    throw ApiException.invalid("metadata.payload", "one_of", "action.parameters.flow_action must be navigate or data_exchange");
                }
                JsonNode start = parameters.get("flow_action_payload");
                if (start != null && (!start.isObject() || !start.path("screen").isTextual())) {
                    throw ApiException.invalid("metadata.payload", "required", "action.parameters.flow_action_payload needs screen, the first screen's id");
                }
            }
            case "product" -> {
                required(action, "catalog_id", "a product message");
                required(action, "product_retailer_id", "a product message");
            }
            case "product_list" -> {
                String header = text(payload.path("header"), "text", 4096);
                if (!"text".equals(payload.path("header").path("type").asText()) || header == null || header.isBlank()) {
                    throw ApiException.invalid("metadata.payload", "required", "a product_list message needs header with type text and its text");
                }
                required(action, "catalog_id", "a product_list message");
                if (!action.path("sections").isArray() || action.path("sections").isEmpty()) {
                    throw ApiException.invalid("metadata.payload", "required", "a product_list message needs action.sections, each with product_items");
                }
                for (JsonNode section : action.path("sections")) {
                    if (!section.path("product_items").isArray() || section.path("product_items").isEmpty()) {
                        throw ApiException.invalid("metadata.payload", "required", "each section of a product_list needs product_items");
                    }
                    text(section, "title", 4096); // a string when given: WhatsApp's sender counts its length
                    for (JsonNode item : section.path("product_items")) {
                        required(item, "product_retailer_id", "each product item");
                    }
                }
            }
            default -> {
                if (!"send_location".equals(action.path("name").asText())) {
                    throw ApiException.invalid("metadata.payload", "required", "a location_request_message needs action.name send_location");
                }
            }
        }
        return new Interactive(type, text, List.of(), null);
    }

    private static void required(JsonNode node, String field, String what) {
        String value = text(node, field, 200);
        if (value == null || value.isBlank()) {
            throw ApiException.invalid("metadata.payload", "required", what + " needs " + field);
        }
    }

    /**
     * A 400 on {@code metadata.payload} when {@code value} is longer than {@code channel} takes ({@code what} names it
     * for the caller): for a sender's own limits, checked when a reply is accepted.
     */
    public static void atMost(String channel, String what, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.invalid("metadata.payload", "max_length", channel + " takes at most " + max + " characters in " + what);
        }
    }

    private static boolean webAddress(String url) {
        if (url == null) {
            return false;
        }
        try {
            java.net.URI uri = new java.net.URI(url);
            return uri.isAbsolute() && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
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
