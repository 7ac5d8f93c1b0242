package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.message.ChannelSender;
import dev.weft.messaging.message.RichContent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Messenger Send API, shared by Facebook Pages and Instagram professional accounts:
 * {@code POST {base}/{version}/{page_id}/messages} with the Page access token as Bearer, {@code recipient.id} the
 * user's page-scoped id, {@code messaging_type RESPONSE} inside the 24-hour window, or {@code MESSAGE_TAG} with the
 * tag the send named (HUMAN_AGENT, up to 7 days). Webhooks ({@code object} page or instagram) carry
 * {@code entry[].messaging[]} events, signed with the app secret.
 */
abstract class MessengerAdapter implements ChannelSender, InboundChannel {
    private final ChannelAccounts accounts;
    private final ProviderHttp http;

    MessengerAdapter(ChannelAccounts accounts, ProviderHttp http) {
        this.accounts = accounts;
        this.http = http;
    }

    abstract ChannelsConfig.Provider provider();

    /** The Send API sends no templates of WhatsApp's kind, no locations and no stickers. */
    @Override
    public boolean sends(String type) {
        return List.of("text", "image", "video", "audio", "document", "interactive").contains(type);
    }

    /**
     * The Send API's limits: quick replies' titles of 20 characters and payloads of 1,000; a button template's text of
     * 640 and its button's title of 20.
     */
    @Override
    public void check(String type, JsonNode metadata) {
        if (!type.equals("interactive")) {
            return;
        }
        String name = channel().equals("instagram") ? "Instagram" : "Messenger";
        RichContent.Interactive interactive = RichContent.portable(name, metadata);
        if (interactive.link() != null) {
            RichContent.atMost(name, "body.text (a button template's text)", interactive.text(), 640);
            RichContent.atMost(name, "action.parameters.display_text", interactive.link().title(), 20);
            return;
        }
        RichContent.atMost(name, "body.text", interactive.text(), 2000);
        interactive.choices().forEach(c -> {
            RichContent.atMost(name, "a quick reply's title", c.title(), 20);
            RichContent.atMost(name, "a quick reply's payload (the choice's id)", c.id(), 1000);
        });
    }

    @Override
    public SendOutcome send(OutboundMessage message) {
        ChannelAccounts.Account account;
        try {
            account = accounts.forSend(channel(), Channels.connectionId(message.metadata()));
        } catch (dev.weft.platform.error.ApiException e) {
            return Channels.noAccount(e);
        }
        String version = account.config("api_version") != null ? account.config("api_version") : provider().apiVersion();
        String url = ProviderHttp.trimSlash(provider().baseUrl()) + "/" + version + "/" + account.config("page_id") + "/messages";
        ObjectNode body = Json.newObject();
        body.putObject("recipient").put("id", message.to());
        String tag = Channels.text(message.metadata(), "tag");
        if (tag != null) {
            body.put("messaging_type", "MESSAGE_TAG");
            body.put("tag", tag);
        } else {
            body.put("messaging_type", "RESPONSE");
        }
        ObjectNode content = body.putObject("message");
        switch (message.type()) {
            case "text" -> content.put("text", message.content());
            case "image", "video", "audio", "document" -> {
                ObjectNode attachment = content.putObject("attachment");
                attachment.put("type", message.type().equals("document") ? "file" : message.type());
                attachment.putObject("payload").put("url", message.content()).put("is_reusable", true);
            }
            case "interactive" -> {
                // Buttons or list rows become quick replies; a tap comes back as a message whose quick_reply.payload is the id.
                // A link is a button template's web_url button, which opens the page without telling the page.
                RichContent.Interactive interactive = RichContent.interactive(message.metadata());
                if (interactive.link() != null) {
                    ObjectNode template = content.putObject("attachment").put("type", "template").putObject("payload")
                            .put("template_type", "button").put("text", interactive.text());
                    template.putArray("buttons").addObject().put("type", "web_url").put("url", interactive.link().url())
                            .put("title", interactive.link().title());
                    break;
                }
                content.put("text", interactive.text());
                ArrayNode replies = content.putArray("quick_replies");
                for (RichContent.Choice choice : interactive.choices()) {
                    replies.addObject().put("content_type", "text").put("title", choice.title()).put("payload", choice.id());
                }
            }
            default -> {
                return SendOutcome.failed("unsupported_type", channel() + " adapter does not send " + message.type() + " messages");
            }
        }
        return http.send(channel(), url, Map.of("Authorization", "Bearer " + account.credential("access_token")), body,
                reply -> {
                    String id = reply.body().path("message_id").asText(null);
                    return id == null ? SendOutcome.retry(channel() + "_no_message_id", "the Send API accepted the message without an id")
                            : SendOutcome.sent(id);
                },
                Channels::graphErrorCode, Channels::graphErrorMessage);
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
            for (JsonNode event : entry.path("messaging")) {
                String sender = event.path("sender").path("id").asText(null);
                JsonNode message = event.path("message");
                if (message.isObject() && sender != null && !message.path("is_echo").asBoolean(false)) {
                    String mid = message.path("mid").asText(null);
                    if (mid == null) {
                        continue;
                    }
                    JsonNode attachment = message.path("attachments").path(0);
                    String type = "text";
                    String content = message.path("text").asText(null);
                    if (content == null && attachment.isObject()) {
                        type = switch (attachment.path("type").asText()) {
                            case "image", "video", "audio" -> attachment.path("type").asText();
                            case "file" -> "document";
                            default -> "text";
                        };
                        content = attachment.path("payload").path("url").asText(null);
                    }
                    ObjectNode metadata = metadata(entry);
                    String chosen = message.path("quick_reply").path("payload").asText(null);
                    if (chosen != null) {
                        // A quick reply tapped: an interactive message's choice, reported as WhatsApp reports one.
                        type = "interactive";
                        RichContent.chosen(metadata, chosen, content);
                    }
                    events.add(new InboundMessage(sender, null, mid, type, content, metadata));
                }
                JsonNode edit = event.path("message_edit");
                if (edit.isObject() && sender != null && edit.path("mid").isTextual() && edit.path("text").isTextual()) {
                    // The sender edited a message: its new text, under its mid (stored as text if it never was).
                    java.time.Instant editedAt = java.time.Instant.ofEpochMilli(event.path("timestamp").asLong(System.currentTimeMillis()));
                    ObjectNode metadata = metadata(entry);
                    metadata.put("edited_at", editedAt.toString());
                    events.add(new InboundMessage(sender, null, edit.path("mid").asText(), "text", edit.path("text").asText(), metadata, editedAt));
                }
                JsonNode postback = event.path("postback");
                String chosen = postback.path("payload").asText(null);
                if (postback.isObject() && sender != null && chosen != null) {
                    // A button with a payload tapped (Get Started, a persistent menu's item, an ice breaker): a choice too.
                    // A postback without a mid (older Graph versions) is told apart by its sender and time.
                    String mid = postback.path("mid").asText("postback:" + sender + ":" + event.path("timestamp").asText(""));
                    String title = postback.path("title").asText(null);
                    ObjectNode metadata = metadata(entry);
                    RichContent.chosen(metadata, chosen, title);
                    events.add(new InboundMessage(sender, null, mid, "interactive", title != null ? title : chosen, metadata));
                }
                for (JsonNode mid : event.path("delivery").path("mids")) {
                    events.add(new StatusUpdate(mid.asText(), "delivered", null, null));
                }
                if (event.path("read").path("mid").isTextual()) {
                    events.add(new StatusUpdate(event.path("read").path("mid").asText(), "read", null, null));
                }
                // Messenger's receipts say "everything before this time" (milliseconds), with or without mids.
                for (String kind : List.of("delivery", "read")) {
                    JsonNode watermark = event.path(kind).path("watermark");
                    if (sender != null && watermark.canConvertToLong() && watermark.asLong() > 0) {
                        events.add(new Watermark(sender, kind.equals("read") ? "read" : "delivered", java.time.Instant.ofEpochMilli(watermark.asLong())));
                    }
                }
            }
        }
        return events;
    }

    private ObjectNode metadata(JsonNode entry) {
        ObjectNode metadata = Json.newObject();
        metadata.put("source", channel());
        metadata.put("page_id", entry.path("id").asText(null));
        return metadata;
    }
}
