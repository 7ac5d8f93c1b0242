package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.message.ChannelSender;
import dev.weft.messaging.message.MessageService;
import dev.weft.messaging.message.RichContent;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Telegram Bot API: {@code POST {base}/bot<token>/sendMessage} ({@code sendPhoto}, {@code sendDocument}... for
 * media) to a chat id. Telegram answers errors as {@code {"ok":false,"error_code","description"}}. A message id is
 * only unique within its chat, so Weft stores {@code <chat_id>:<message_id>}. Webhook updates carry the secret given
 * to setWebhook in {@code X-Telegram-Bot-Api-Secret-Token}. Stickers, places ({@code sendLocation}, {@code sendVenue}) and
 * choices (an inline keyboard) are sent too; a button press arrives as a {@code callback_query}.
 */
@io.quarkus.arc.Unremovable
@ApplicationScoped
public class TelegramAdapter implements ChannelSender, InboundChannel {
    public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

    private final ChannelAccounts accounts;
    private final ProviderHttp http;
    private final ChannelsConfig config;

    public TelegramAdapter(ChannelAccounts accounts, ProviderHttp http, MessagingConfig messaging) {
        this.accounts = accounts;
        this.http = http;
        this.config = messaging.channels();
    }

    @Override
    public String channel() {
        return "telegram";
    }

    /** All but WhatsApp's templates. */
    @Override
    public boolean sends(String type) {
        return MessageService.TYPES.contains(type) && !type.equals("template");
    }

    /** A button's {@code callback_data} is 1 to 64 bytes in the Bot API: a choice's id must fit. */
    @Override
    public void check(String type, JsonNode metadata) {
        if (!type.equals("interactive")) {
            return;
        }
        for (RichContent.Choice choice : RichContent.portable("Telegram", metadata).choices()) {
            if (choice.id().getBytes(StandardCharsets.UTF_8).length > 64) {
                throw ApiException.invalid("metadata.payload", "max_length", "Telegram takes a choice's id of at most 64 bytes (callback_data): "
                        + choice.id().substring(0, Math.min(choice.id().length(), 20)) + "... is longer");
            }
        }
    }

    @Override
    public SendOutcome send(OutboundMessage message) {
        ChannelAccounts.Account account;
        try {
            account = accounts.forSend("telegram", Channels.connectionId(message.metadata()));
        } catch (dev.weft.platform.error.ApiException e) {
            return Channels.noAccount(e);
        }
        ObjectNode body = Json.newObject();
        body.put("chat_id", message.to());
        String method;
        switch (message.type()) {
            case "text" -> {
                method = "sendMessage";
                body.put("text", message.content());
            }
            case "image", "video", "audio", "document" -> {
                String field = message.type().equals("image") ? "photo" : message.type();
                method = "send" + Character.toUpperCase(field.charAt(0)) + field.substring(1);
                body.put(field, message.content());
                String caption = Channels.text(message.metadata(), "caption");
                if (caption != null) {
                    body.put("caption", caption);
                }
            }
            case "sticker" -> {
                method = "sendSticker";
                body.put("sticker", message.content());
            }
            case "location" -> {
                RichContent.Location location = RichContent.location(message.metadata());
                body.put("latitude", location.latitude()).put("longitude", location.longitude());
                // A named place is a venue (title and address both required by the Bot API); a bare point a location.
                if (location.name() != null && location.address() != null) {
                    method = "sendVenue";
                    body.put("title", location.name()).put("address", location.address());
                } else {
                    method = "sendLocation";
                }
            }
            case "interactive" -> {
                // Buttons or list rows become an inline keyboard, one button a row; a press comes back as its id. A link is a
                // URL button, which Telegram opens without telling the bot.
                RichContent.Interactive interactive = RichContent.interactive(message.metadata());
                method = "sendMessage";
                body.put("text", interactive.text());
                ArrayNode keyboard = body.putObject("reply_markup").putArray("inline_keyboard");
                if (interactive.link() != null) {
                    keyboard.addArray().addObject().put("text", interactive.link().title()).put("url", interactive.link().url());
                }
                for (RichContent.Choice choice : interactive.choices()) {
                    keyboard.addArray().addObject().put("text", choice.title()).put("callback_data", choice.id());
                }
            }
            default -> {
                return SendOutcome.failed("unsupported_type", "Telegram adapter does not send " + message.type() + " messages");
            }
        }
        String url = ProviderHttp.trimSlash(config.telegram().baseUrl()) + "/bot" + account.credential("bot_token") + "/" + method;
        return http.send("telegram", url, Map.of(), body,
                reply -> {
                    JsonNode result = reply.body().path("result");
                    if (!reply.body().path("ok").asBoolean(false) || !result.path("message_id").canConvertToLong()) {
                        return SendOutcome.failed(String.valueOf(reply.body().path("error_code").asInt(0)), reply.body().path("description").asText("not ok"));
                    }
                    return SendOutcome.sent(result.path("chat").path("id").asText(message.to()) + ":" + result.path("message_id").asText());
                },
                error -> error.path("error_code").canConvertToInt() ? error.path("error_code").asText() : null,
                error -> error.path("description").asText(null));
    }

    @Override
    public boolean authentic(ChannelAccounts.Account account, Function<String, String> headers, byte[] rawBody) {
        return MetaSignature.sameSecret(account.credential("secret_token"), headers.apply(SECRET_HEADER));
    }

    @Override
    public List<InboundEvent> parse(JsonNode body) {
        List<InboundEvent> events = new ArrayList<>();
        if (body.path("callback_query").isObject()) {
            pressed(body, body.path("callback_query"), events);
            return events;
        }
        JsonNode message = body.has("message") ? body.path("message") : body.path("edited_message");
        if (!message.isObject() || !message.path("chat").path("id").canConvertToLong() || !message.path("message_id").canConvertToLong()) {
            return events;
        }
        String chat = message.path("chat").path("id").asText();
        JsonNode from = message.path("from");
        String name = (from.path("first_name").asText("") + " " + from.path("last_name").asText("")).strip();
        ObjectNode metadata = metadata(body);
        if (from.has("username")) {
            metadata.put("username", from.path("username").asText());
        }
        String type = "text";
        String content = message.path("text").asText(null);
        if (content == null) {
            Kind kind = kind(message);
            type = kind.type();
            content = kind.content();
            if (kind.payload() != null) {
                metadata.set("payload", kind.payload());
            }
            if (message.path("caption").isTextual()) {
                // Where a send takes a media message's caption too.
                metadata.put("caption", message.path("caption").asText());
            }
        }
        // An edit carries the whole message again, under its id: it changes the stored one (or is stored, if it never was).
        java.time.Instant editedAt = null;
        if (!body.has("message")) {
            editedAt = java.time.Instant.ofEpochSecond(message.path("edit_date").asLong(message.path("date").asLong()));
            metadata.put("edited_at", editedAt.toString());
        }
        events.add(new InboundMessage(chat, name.isEmpty() ? null : name, chat + ":" + message.path("message_id").asText(), type, content, metadata,
                editedAt));
        return events;
    }

    /** A message without text: Weft's type, its content (the file id, a place's name) and a payload, if any. */
    private record Kind(String type, String content, ObjectNode payload) {
    }

    /**
     * What a message without text carries, as Weft's types: a photo (its largest size), video (also a round video note
     * or an animation), audio (also a voice note), document, sticker, and a place, whose {@code metadata.payload}
     * takes the shape a location reply has ({@code latitude, longitude, name?, address?}). Anything else (a poll, a
     * shared contact) stays a text message without content; the update is still stored once.
     */
    private static Kind kind(JsonNode message) {
        if (message.path("photo").isArray() && !message.path("photo").isEmpty()) {
            JsonNode sizes = message.path("photo");
            return new Kind("image", sizes.path(sizes.size() - 1).path("file_id").asText(null), null);
        }
        // An animation comes with a document beside it: the animation is what the contact sent.
        for (String field : List.of("video", "video_note", "animation", "audio", "voice", "document", "sticker")) {
            if (message.path(field).isObject()) {
                String type = switch (field) {
                    case "video_note", "animation" -> "video";
                    case "voice" -> "audio";
                    default -> field;
                };
                return new Kind(type, message.path(field).path("file_id").asText(null), null);
            }
        }
        JsonNode venue = message.path("venue");
        JsonNode location = venue.isObject() ? venue.path("location") : message.path("location");
        if (location.path("latitude").isNumber() && location.path("longitude").isNumber()) {
            ObjectNode payload = Json.newObject().put("latitude", location.path("latitude").asDouble()).put("longitude", location.path("longitude").asDouble());
            String title = venue.path("title").asText(null);
            if (title != null) {
                payload.put("name", title);
            }
            if (venue.path("address").isTextual()) {
                payload.put("address", venue.path("address").asText());
            }
            return new Kind("location", title, payload);
        }
        return new Kind("text", null, null);
    }

    /**
     * A button press is answered in the webhook's 200 ({@code answerCallbackQuery}): until it is, the contact's app
     * shows the button as still loading. Answered that way, Telegram hears it only once the press is stored; a
     * redelivered press is answered again, which changes nothing for the contact.
     */
    @Override
    public Map<String, Object> answer(List<InboundEvent> events) {
        for (InboundEvent event : events) {
            if (event instanceof InboundMessage m && m.metadata() != null && m.metadata().path("callback_query_id").isTextual()) {
                return Map.of("method", "answerCallbackQuery", "callback_query_id", m.metadata().path("callback_query_id").asText());
            }
        }
        return Map.of();
    }

    /**
     * A press of an inline keyboard's button (an interactive message's choice): an inbound interactive message whose
     * {@code metadata.payload} is {@code {type: button_reply, button_reply: {id, title}}}, as WhatsApp reports a choice.
     */
    private static void pressed(JsonNode body, JsonNode query, List<InboundEvent> events) {
        JsonNode message = query.path("message");
        String id = query.path("id").asText(null);
        String data = query.path("data").asText(null);
        if (id == null || data == null || !message.path("chat").path("id").canConvertToLong()) {
            return;
        }
        String chat = message.path("chat").path("id").asText();
        String title = null;
        for (JsonNode row : message.path("reply_markup").path("inline_keyboard")) {
            for (JsonNode button : row) {
                if (data.equals(button.path("callback_data").asText(null))) {
                    title = button.path("text").asText(null);
                }
            }
        }
        JsonNode from = query.path("from");
        String name = (from.path("first_name").asText("") + " " + from.path("last_name").asText("")).strip();
        ObjectNode metadata = metadata(body);
        metadata.put("callback_query_id", id);
        RichContent.chosen(metadata, data, title);
        events.add(new InboundMessage(chat, name.isEmpty() ? null : name, "callback:" + id, "interactive", title != null ? title : data, metadata));
    }

    /** What every inbound Telegram message's metadata starts with: its source and the update that carried it. */
    private static ObjectNode metadata(JsonNode update) {
        ObjectNode metadata = Json.newObject();
        metadata.put("source", "telegram");
        metadata.put("update_id", update.path("update_id").asLong());
        return metadata;
    }
}
