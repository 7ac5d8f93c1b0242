package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.contact.ContactService;
import dev.weft.messaging.conversation.ConversationService;
import dev.weft.messaging.message.MessageDtos;
import dev.weft.messaging.message.MessageService;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.TypeId;
import io.quarkus.logging.Log;
import dev.weft.platform.db.GroupCommit;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * POST /v1/messaging/send: checks the body and the channel's customer-service window, finds or creates the contact
 * and its open conversation, then hands the message to {@link MessageService#reply} (stored as queued, sent through
 * the channel's adapter, outcome recorded). A transient provider failure leaves it queued for {@link SendRetries}.
 */
@ApplicationScoped
public class SendService {
    public static final List<String> PLATFORMS = List.of("whatsapp", "instagram", "facebook", "telegram");
    private static final Set<String> FIELDS = Set.of("platform", "to", "message_type", "content", "metadata", "template", "inbox");
    private static final List<String> MEDIA = List.of("image", "video", "audio", "document");
    static final Duration WINDOW = Duration.ofHours(24);
    static final Duration HUMAN_AGENT_WINDOW = Duration.ofDays(7);

    private final ContactService contacts;
    private final ConversationService conversations;
    private final MessageService messages;
    private final ChannelAccounts accounts;
    private final SendRetries retries;
    private final GroupCommit groupCommit;

    public SendService(ContactService contacts, ConversationService conversations, MessageService messages, ChannelAccounts accounts,
                       SendRetries retries, GroupCommit groupCommit) {
        this.groupCommit = groupCommit;
        this.contacts = contacts;
        this.conversations = conversations;
        this.messages = messages;
        this.accounts = accounts;
        this.retries = retries;
    }

    /** Where the contact stands in the channel's window: open until expires_at, or closed since closed_since. */
    public record WindowStatus(String status, int windowHours, Instant lastInboundAt, Instant expiresAt, Instant closedSince, String allowed) {
    }

    /** The answer: the stored message (status sent, queued or failed), its conversation and contact, and the window. */
    public record SendResult(String id, String conversationId, String contactId, String platform, String status, String platformMessageId,
                             MessageDtos.MessageView message, WindowStatus templateWindowStatus) {
    }

    public SendResult send(JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, FIELDS);
        String platform = Json.text(fields, "platform", 20);
        if (platform == null) {
            throw ApiException.invalid("platform", "required", "platform is required: one of " + String.join(", ", PLATFORMS));
        }
        platform = platform.strip().toLowerCase(Locale.ROOT);
        if (!PLATFORMS.contains(platform)) {
            throw ApiException.invalid("platform", "one_of", "platform must be one of " + String.join(", ", PLATFORMS));
        }
        String to = Json.text(fields, "to", 255);
        if (to == null || to.isBlank()) {
            throw ApiException.invalid("to", "required", "to is required (a phone number for WhatsApp, a user or chat id elsewhere)");
        }
        String messageType = Json.text(fields, "message_type", 20);
        messageType = messageType == null ? "text" : messageType.toLowerCase(Locale.ROOT);
        if (!List.of("text", "template", "media").contains(messageType)) {
            throw ApiException.invalid("message_type", "one_of", "message_type must be text, template or media");
        }
        String content = Json.text(fields, "content", 4096);
        ObjectNode metadata = Json.object(fields, "metadata");
        metadata = metadata == null ? Json.newObject() : metadata;
        ObjectNode template = Json.object(fields, "template");
        if (template == null && metadata.path("template").isObject()) {
            template = (ObjectNode) metadata.get("template");
        }
        String inbox = Json.text(fields, "inbox", 100);
        String type;
        switch (messageType) {
            case "text" -> {
                if (content == null || content.isBlank()) {
                    throw ApiException.invalid("content", "required", "a text message needs content");
                }
                type = "text";
            }
            case "template" -> {
                if (!platform.equals("whatsapp")) {
                    throw ApiException.invalid("message_type", "one_of", "templates are WhatsApp's; on " + platform + " send text or media");
                }
                if (template == null || !template.path("name").isTextual() || template.path("name").asText().isBlank()) {
                    throw ApiException.invalid("metadata.template.name", "required", "a template message needs metadata.template.name (and language)");
                }
                if (!template.has("language")) {
                    throw ApiException.invalid("metadata.template.language", "required", "a template message needs metadata.template.language");
                }
                type = "template";
            }
            default -> {
                String mediaType = Channels.text(metadata, "media_type");
                mediaType = mediaType == null ? "image" : mediaType.toLowerCase(Locale.ROOT);
                if (!MEDIA.contains(mediaType)) {
                    throw ApiException.invalid("metadata.media_type", "one_of", "metadata.media_type must be one of " + String.join(", ", MEDIA));
                }
                if (content == null || !isHttpUrl(content)) {
                    throw ApiException.invalid("content", "url", "a media message's content is the media's https URL");
                }
                type = mediaType;
            }
        }
        String tag = Channels.text(metadata, "tag");
        if (tag != null && (!List.of("facebook", "instagram").contains(platform) || !tag.equals("HUMAN_AGENT"))) {
            throw ApiException.invalid("metadata.tag", "one_of", "metadata.tag is HUMAN_AGENT, on facebook or instagram only");
        }
        // Fail before storing anything when the org has no account to send from.
        accounts.forSend(platform, Channels.connectionId(metadata));

        ObjectNode reply = Json.newObject();
        reply.put("type", type);
        if (content != null) {
            reply.put("content", content);
        }
        if (template != null && type.equals("template")) {
            reply.set("template", template);
        }
        reply.set("metadata", metadata);
        reply.put("author_type", "api");
        MessageService.Reply parsed = messages.parseReply(reply);

        String channel = platform;
        String recipient = to.strip();
        String finalType = type;
        // Checked before the group: a bad address is this request's 400 alone.
        ContactService.Address address = contacts.address(channel, recipient);
        // One transaction finds the contact and its conversation and stores the message (queued, its event in the
        // outbox); the provider is called after it commits, with no transaction held, and its outcome recorded after.
        // The org's sends arriving together store together (GroupCommit), ordered by recipient. A send the window
        // refuses creates nothing and returns its refusal rather than throwing, which would roll back the whole group.
        Opened opened = groupCommit.call(TenantContext.requireOrgId(), address.channel() + "|" + address.address(), () -> {
            // The contact and its open conversation (locked) in one statement when the recipient is known.
            ConversationService.Arrival found = conversations.find(address, inbox, null);
            WindowStatus window = window(channel, finalType, tag, found.contact() == null ? null : found.contact().lastInboundAt, Instant.now());
            // Templates are WhatsApp's way to reopen a closed window: always allowed.
            if (window != null && window.status().equals("closed") && !finalType.equals("template")) {
                return new Opened(null, window, found.contact() == null ? null : found.contact().contactId());
            }
            ConversationService.Arrival arrival = conversations.complete(found, address, inbox);
            return new Opened(messages.prepare(arrival.conversation(), arrival.contact(), parsed), window, null);
        });
        if (opened.prepared() == null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("template_window_status", opened.window());
            // A recipient never seen before stays unknown: a refused send stores nothing, no contact either.
            if (opened.refusedContactId() != null) {
                details.put("contact_id", opened.refusedContactId());
            }
            throw new ApiException(ErrorCode.WINDOW_CLOSED, closedMessage(channel, opened.window()), details);
        }
        MessageDtos.MessageView view = messages.deliver(opened.prepared());
        if (view.status().equals("queued")) {
            retries.scheduleFirst(TypeId.parse(dev.weft.messaging.message.Message.ID_PREFIX, view.id()).orElseThrow());
        }
        Log.infof("event=message_send org_id=%s message_id=%s channel=%s type=%s status=%s", view.orgId(), view.id(), channel, type, view.status());
        if (view.status().equals("failed")) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("provider", channel);
            details.put("provider_code", view.error() == null ? null : view.error().code());
            details.put("message_id", view.id());
            details.put("status", "failed");
            throw new ApiException(ErrorCode.UPSTREAM_ERROR, channel + " refused the message: "
                    + (view.error() == null ? "unknown error" : view.error().message()), details);
        }
        return new SendResult(view.id(), view.conversationId(), view.contactId(), channel, view.status(), view.platformMessageId(), view,
                opened.window());
    }

    /** The stored half's outcome: the message prepared, or (prepared null) the window's refusal and the contact, if known. */
    private record Opened(MessageService.Prepared prepared, WindowStatus window, String refusedContactId) {
    }

    /**
     * WhatsApp: free-form messages within 24 h of the contact's last message, templates always. Facebook and
     * Instagram: 24 h, or 7 days with the HUMAN_AGENT tag. Telegram has no window.
     */
    static WindowStatus window(String channel, String type, String tag, Instant lastInbound, Instant now) {
        if (channel.equals("telegram")) {
            return null;
        }
        Duration length = "HUMAN_AGENT".equals(tag) ? HUMAN_AGENT_WINDOW : WINDOW;
        String allowed = channel.equals("whatsapp") ? "template" : "HUMAN_AGENT tag within 7 days";
        Instant expires = lastInbound == null ? null : lastInbound.plus(length);
        boolean open = expires != null && expires.isAfter(now);
        return new WindowStatus(open ? "open" : "closed", (int) length.toHours(), lastInbound, open ? expires : null, open ? null : expires, allowed);
    }

    private static String closedMessage(String channel, WindowStatus window) {
        String since = window.closedSince() == null ? "the contact has never written" : "closed since " + window.closedSince();
        return channel.equals("whatsapp")
                ? "WhatsApp's 24-hour customer-service window is closed (" + since + "): send a template message"
                : channel + "'s " + window.windowHours() + "-hour messaging window is closed (" + since + ")"
                + (window.windowHours() == 24 ? ": a human agent may still answer within 7 days with metadata.tag HUMAN_AGENT" : "");
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = URI.create(value.strip());
            return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
