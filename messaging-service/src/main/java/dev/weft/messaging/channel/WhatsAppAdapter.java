package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.message.ChannelSender;
import dev.weft.messaging.message.MessageService;
import dev.weft.messaging.message.RichContent;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * WhatsApp Cloud API: {@code POST {base}/{version}/{phone_number_id}/messages} with the connection's access token
 * as Bearer (text, template, image/video/audio/document by link); webhooks of object
 * {@code whatsapp_business_account} carry messages and statuses, signed with the app secret.
 */
@io.quarkus.arc.Unremovable
@ApplicationScoped
public class WhatsAppAdapter implements ChannelSender, InboundChannel {
    private final ChannelAccounts accounts;
    private final ProviderHttp http;
    private final ChannelsConfig config;

    public WhatsAppAdapter(ChannelAccounts accounts, ProviderHttp http, MessagingConfig messaging) {
        this.accounts = accounts;
        this.http = http;
        this.config = messaging.channels();
    }

    @Override
    public String channel() {
        return "whatsapp";
    }

    /** Every type: text, templates, media and stickers, locations, interactive messages of every kind. */
    @Override
    public boolean sends(String type) {
        return MessageService.TYPES.contains(type);
    }

    /**
     * The Cloud API's limits on interactive messages: a body of 1,024 characters; up to 3 reply buttons with titles of
     * 20; a list of up to 10 rows (titles of 24, ids of 200) behind a button label of 20; a link's label of 20; a Flow's
     * button text of 20; a product list's header of 60 and up to 30 products in up to 10 sections (titled, 24, when
     * several).
     */
    @Override
    public void check(String type, JsonNode metadata) {
        if (!type.equals("interactive")) {
            return;
        }
        RichContent.Interactive interactive = RichContent.interactive(metadata);
        RichContent.atMost("WhatsApp", "body.text", interactive.text(), 1024);
        switch (interactive.type()) {
            case "button" -> {
                if (interactive.choices().size() > 3) {
                    throw ApiException.invalid("metadata.payload", "size", "WhatsApp takes at most 3 reply buttons (a list takes 10 rows)");
                }
                interactive.choices().forEach(c -> RichContent.atMost("WhatsApp", "a button's title", c.title(), 20));
            }
            case "list" -> {
                if (interactive.choices().size() > 10) {
                    throw ApiException.invalid("metadata.payload", "size", "WhatsApp takes at most 10 rows in a list, over all its sections");
                }
                JsonNode label = metadata.path("payload").path("action").path("button");
                if (!label.isTextual() || label.asText().isBlank()) {
                    throw ApiException.invalid("metadata.payload", "required", "a WhatsApp list needs action.button, the label of the button that opens it");
                }
                RichContent.atMost("WhatsApp", "action.button", label.asText(), 20);
                interactive.choices().forEach(c -> {
                    RichContent.atMost("WhatsApp", "a row's title", c.title(), 24);
                    RichContent.atMost("WhatsApp", "a row's id", c.id(), 200);
                });
            }
            case "cta_url" -> RichContent.atMost("WhatsApp", "action.parameters.display_text", interactive.link().title(), 20);
            case "flow" -> RichContent.atMost("WhatsApp", "action.parameters.flow_cta", metadata.path("payload").path("action").path("parameters")
                    .path("flow_cta").asText(), 20);
            case "product_list" -> {
                JsonNode payload = metadata.path("payload");
                RichContent.atMost("WhatsApp", "header.text", payload.path("header").path("text").asText(), 60);
                JsonNode sections = payload.path("action").path("sections");
                if (sections.size() > 10) {
                    throw ApiException.invalid("metadata.payload", "size", "WhatsApp takes at most 10 sections in a product_list");
                }
                int items = 0;
                for (JsonNode section : sections) {
                    if (sections.size() > 1 && (!section.path("title").isTextual() || section.path("title").asText().isBlank())) {
                        throw ApiException.invalid("metadata.payload", "required", "each section of a product_list with several needs a title");
                    }
                    RichContent.atMost("WhatsApp", "a section's title", section.path("title").asText(null), 24);
                    items += section.path("product_items").size();
                }
                if (items > 30) {
                    throw ApiException.invalid("metadata.payload", "size", "WhatsApp takes at most 30 products in a product_list, over all its sections");
                }
            }
            default -> {
                // product, location_request_message: nothing beyond the body's length.
            }
        }
    }

    @Override
    public SendOutcome send(OutboundMessage message) {
        ChannelAccounts.Account account;
        try {
            account = accounts.forSend("whatsapp", Channels.connectionId(message.metadata()));
        } catch (dev.weft.platform.error.ApiException e) {
            return Channels.noAccount(e);
        }
        String version = account.config("api_version") != null ? account.config("api_version") : config.whatsapp().apiVersion();
        String url = ProviderHttp.trimSlash(config.whatsapp().baseUrl()) + "/" + version + "/" + account.config("phone_number_id") + "/messages";
        ObjectNode body = Json.newObject();
        body.put("messaging_product", "whatsapp");
        body.put("recipient_type", "individual");
        // The Cloud API takes the number in international format without the plus.
        body.put("to", message.to().startsWith("+") ? message.to().substring(1) : message.to());
        switch (message.type()) {
            case "text" -> {
                body.put("type", "text");
                body.putObject("text").put("preview_url", false).put("body", message.content());
            }
            case "template" -> {
                body.put("type", "template");
                body.set("template", template(message.template()));
            }
            case "image", "video", "audio", "document", "sticker" -> {
                body.put("type", message.type());
                ObjectNode media = body.putObject(message.type());
                media.put("link", message.content());
                String caption = Channels.text(message.metadata(), "caption");
                if (caption != null && !message.type().equals("audio") && !message.type().equals("sticker")) {
                    media.put("caption", caption);
                }
            }
            case "location" -> {
                RichContent.Location location = RichContent.location(message.metadata());
                body.put("type", "location");
                ObjectNode place = body.putObject("location").put("latitude", location.latitude()).put("longitude", location.longitude());
                if (location.name() != null) {
                    place.put("name", location.name());
                }
                if (location.address() != null) {
                    place.put("address", location.address());
                }
            }
            case "interactive" -> {
                // Checked when the reply was accepted; the Cloud API takes the object as it is.
                RichContent.interactive(message.metadata());
                body.put("type", "interactive");
                body.set("interactive", message.metadata().get("payload").deepCopy());
            }
            default -> {
                return SendOutcome.failed("unsupported_type", "WhatsApp adapter does not send " + message.type() + " messages");
            }
        }
        return http.send("whatsapp", url, Map.of("Authorization", "Bearer " + account.credential("access_token")), body,
                reply -> {
                    String id = reply.body().path("messages").path(0).path("id").asText(null);
                    return id == null ? SendOutcome.retry("whatsapp_no_message_id", "the Cloud API accepted the message without an id")
                            : SendOutcome.sent(id);
                },
                Channels::graphErrorCode, Channels::graphErrorMessage);
    }

    /** The seed writes {@code language: "en"}; the Cloud API wants {@code language: {code: "en"}}. */
    static ObjectNode template(JsonNode given) {
        ObjectNode template = given.deepCopy();
        JsonNode language = template.get("language");
        if (language != null && language.isTextual()) {
            template.putObject("language").put("code", language.asText());
        }
        return template;
    }

    @Override
    public boolean verifiesSubscription(ChannelAccounts.Account account, String mode, String token) {
        return "subscribe".equals(mode) && MetaSignature.sameSecret(account.credential("verify_token"), token);
    }

    @Override
    public boolean authentic(ChannelAccounts.Account account, Function<String, String> headers, byte[] rawBody) {
        return MetaSignature.valid(account.credential("app_secret"), headers.apply(MetaSignature.HEADER), rawBody);
    }

    @Override
    public List<InboundEvent> parse(JsonNode body) {
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode entry : body.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                JsonNode value = change.path("value");
                Map<String, String> names = new LinkedHashMap<>();
                for (JsonNode contact : value.path("contacts")) {
                    names.put(contact.path("wa_id").asText(), contact.path("profile").path("name").asText(null));
                }
                for (JsonNode m : value.path("messages")) {
                    String from = m.path("from").asText(null);
                    String id = m.path("id").asText(null);
                    if (from == null || id == null) {
                        continue;
                    }
                    String type = m.path("type").asText("text");
                    String content = switch (type) {
                        case "text" -> m.path("text").path("body").asText(null);
                        case "image", "video", "audio", "document", "sticker" -> m.path(type).path("id").asText(null);
                        case "button" -> m.path("button").path("text").asText(null);
                        case "location" -> m.path("location").path("name").asText(null);
                        // The choice's title; its id is in the payload (button_reply or list_reply).
                        // A Flow's answer (nfm_reply): what the contact's phone shows (its body); the answer's JSON is in the payload.
                        case "interactive" -> m.path("interactive").path("type").asText().equals("nfm_reply")
                                ? m.path("interactive").path("nfm_reply").path("body").asText(null)
                                : m.path("interactive").path(m.path("interactive").path("type").asText("button_reply")).path("title").asText(null);
                        // A cart sent from a catalog: its note; the products are in the payload.
                        case "order" -> m.path("order").path("text").asText(null);
                        default -> null;
                    };
                    ObjectNode metadata = Json.newObject();
                    metadata.put("source", "whatsapp");
                    metadata.put("phone_number_id", value.path("metadata").path("phone_number_id").asText(null));
                    if (!type.equals("text")) {
                        metadata.set("payload", m.path(type));
                    }
                    // Where every channel keeps a media message's caption (and a send takes one).
                    if (m.path(type).path("caption").isTextual()) {
                        metadata.put("caption", m.path(type).path("caption").asText());
                    }
                    String known = List.of("text", "image", "video", "audio", "document", "sticker", "location", "interactive").contains(type) ? type : "text";
                    events.add(new InboundMessage(from, names.get(from), id, known, content, metadata));
                }
                for (JsonNode s : value.path("statuses")) {
                    String id = s.path("id").asText(null);
                    String status = s.path("status").asText(null);
                    if (id == null || status == null) {
                        continue;
                    }
                    JsonNode error = s.path("errors").path(0);
                    events.add(new StatusUpdate(id, status, error.isMissingNode() ? null : error.path("code").asText(null),
                            error.isMissingNode() ? null : error.path("title").asText(error.path("message").asText(null))));
                }
            }
        }
        return events;
    }
}
