package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code microsoft} connection's mail through Microsoft Graph: one delta query per folder (inbox, sentitems,
 * archive), each resumed from its stored deltaLink; a 410 Gone (the delta token expired) falls back to a full resync of
 * every folder. Ids are requested immutable ({@code Prefer: IdType="ImmutableId"}), so a message moved to the archive
 * keeps its id and is stored once. Flags: PATCH /me/messages/{id} (isRead, flag); archive: POST .../move; sends:
 * POST /me/sendMail, or POST /me/messages/{id}/reply for a reply (which keeps Outlook's conversation).
 */
final class GraphMailbox implements Mailbox {
    static final List<String> FOLDERS = List.of("inbox", "sentitems", "archive");
    private static final String SELECT = "$select=id,conversationId,internetMessageId,subject,bodyPreview,body,from,toRecipients,"
            + "ccRecipients,isRead,flag,receivedDateTime,hasAttachments";

    private final VendorCalls calls;
    private final String base;
    private final MessagingConfig.Email config;

    GraphMailbox(ChannelAccounts.Account account, ProviderHttp http, MessagingConfig.Email config) {
        this.calls = new VendorCalls(http, "Microsoft Graph", account,
                Map.of("Prefer", "IdType=\"ImmutableId\", outlook.body-content-type=\"text\""));
        this.base = ProviderHttp.trimSlash(config.graphBaseUrl());
        this.config = config;
    }

    private static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    @Override
    public Changes fetch(MailPosition position) {
        ObjectNode links = position.deltaLinks() == null ? Json.newObject() : Json.parseObject(position.deltaLinks());
        boolean full = links.isEmpty();
        try {
            return fetch(links, full, null);
        } catch (Gone e) {
            return fetch(Json.newObject(), true, "delta link expired (410 Gone)");
        }
    }

    private Changes fetch(ObjectNode links, boolean full, String reason) {
        List<Fetched> out = new ArrayList<>();
        ObjectNode next = Json.newObject();
        for (String folder : FOLDERS) {
            String url = links.path(folder).asText(null);
            if (url == null) {
                url = base + "/me/mailFolders/" + folder + "/messages/delta?" + SELECT;
            }
            int fetched = 0;
            while (url != null) {
                ProviderHttp.Reply reply = calls.raw("GET", url, null);
                if (reply.status() == 410) {
                    throw new Gone();
                }
                if (reply.status() == 404 && "archive".equals(folder)) {
                    url = null; // the mailbox has no archive folder yet
                    continue;
                }
                JsonNode page = calls.ok(reply);
                for (JsonNode m : page.path("value")) {
                    if (!m.has("@removed") && (!full || fetched < config.fullSyncLimit())) {
                        Fetched parsed = parse(m, folder);
                        out.add(m.path("hasAttachments").asBoolean(false) ? parsed.withAttachments(attachments(parsed.providerId())) : parsed);
                        fetched++;
                    }
                }
                String nextLink = page.path("@odata.nextLink").asText(null);
                if (nextLink == null) {
                    String delta = page.path("@odata.deltaLink").asText(null);
                    if (delta != null) {
                        next.put(folder, delta);
                    }
                }
                url = nextLink;
            }
        }
        return new Changes(out, new MailPosition(null, null, Json.write(next)), full, reason);
    }

    static Fetched parse(JsonNode m, String graphFolder) {
        String folder = switch (graphFolder) {
            case "sentitems" -> "sent";
            case "archive" -> "archive";
            default -> "inbox";
        };
        String body = m.path("body").path("content").asText(null);
        if (body != null && "html".equalsIgnoreCase(m.path("body").path("contentType").asText())) {
            body = MimeMail.stripHtml(body);
        }
        String received = m.path("receivedDateTime").asText(null);
        String id = m.path("id").asText();
        return new Fetched(id, null, m.path("internetMessageId").asText(null), null, List.of(), m.path("conversationId").asText(id), folder,
                m.path("isRead").asBoolean(false), "flagged".equals(m.path("flag").path("flagStatus").asText()), address(m.path("from")),
                addresses(m.path("toRecipients")), addresses(m.path("ccRecipients")), m.path("subject").asText(null), body,
                MimeMail.snippet(m.hasNonNull("bodyPreview") ? m.path("bodyPreview").asText() : body),
                received == null ? Instant.now() : Instant.parse(received), List.of());
    }

    /**
     * GET /me/messages/{id}/attachments with $select of the metadata (never contentBytes), followed through
     * {@code @odata.nextLink}. Only asked for a message with {@code hasAttachments}, which Graph leaves false when all
     * its attachments are inline.
     */
    private List<Attachment> attachments(String messageId) {
        List<Attachment> out = new ArrayList<>();
        String url = message(messageId) + "/attachments?$select=id,name,contentType,size,isInline";
        while (url != null && out.size() < MimeMail.MAX_ATTACHMENTS) {
            JsonNode page = calls.call("GET", url, null);
            for (JsonNode a : page.path("value")) {
                if (out.size() < MimeMail.MAX_ATTACHMENTS && a.hasNonNull("id")) {
                    out.add(new Attachment(a.path("id").asText(), MimeMail.cleanFilename(a.path("name").asText(null)),
                            MimeMail.mediaType(a.path("contentType").asText(null)), a.path("size").isNumber() ? a.path("size").asLong() : null,
                            null, a.path("isInline").asBoolean(false)));
                }
            }
            url = page.path("@odata.nextLink").asText(null);
        }
        return out;
    }

    /** GET /me/messages/{id}/attachments/{id}/$value: the file's raw bytes, streamed. */
    @Override
    public Content attachment(Email email, EmailAttachment attachment) {
        return calls.download(message(email.providerMessageId) + "/attachments/" + URLEncoder.encode(attachment.providerAttachmentId, StandardCharsets.UTF_8)
                + "/$value");
    }

    private static Address address(JsonNode recipient) {
        JsonNode email = recipient.path("emailAddress");
        String address = email.path("address").asText(null);
        return address == null ? null : new Address(address, email.path("name").asText(null));
    }

    private static List<Address> addresses(JsonNode recipients) {
        List<Address> out = new ArrayList<>();
        recipients.forEach(r -> {
            Address a = address(r);
            if (a != null) {
                out.add(a);
            }
        });
        return out;
    }

    private static List<Map<String, Object>> recipients(List<Address> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (list != null) {
            for (Address a : list) {
                out.add(Map.of("emailAddress", a.name() == null ? Map.of("address", a.address()) : Map.of("address", a.address(), "name", a.name())));
            }
        }
        return out;
    }

    private String message(String id) {
        return base + "/me/messages/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    @Override
    public String setFlag(Email email, Flag flag, boolean value) {
        switch (flag) {
            case READ -> calls.call("PATCH", message(email.providerMessageId), Map.of("isRead", value));
            case STARRED -> calls.call("PATCH", message(email.providerMessageId), Map.of("flag", Map.of("flagStatus", value ? "flagged" : "notFlagged")));
            case ARCHIVED -> {
                JsonNode moved = calls.call("POST", message(email.providerMessageId) + "/move", Map.of("destinationId", value ? "archive" : "inbox"));
                return moved.path("id").asText(email.providerMessageId);
            }
        }
        return email.providerMessageId;
    }

    @Override
    public Sent send(Outgoing mail) {
        Map<String, Object> message = new java.util.LinkedHashMap<>();
        message.put("toRecipients", recipients(mail.to()));
        message.put("ccRecipients", recipients(mail.cc()));
        message.put("bccRecipients", recipients(mail.bcc()));
        if (mail.replyTo() != null && mail.replyTo().providerId() != null) {
            calls.call("POST", message(mail.replyTo().providerId()) + "/reply", Map.of("message", message, "comment", mail.body() == null ? "" : mail.body()));
            return new Sent(null, mail.replyTo().threadKey());
        }
        message.put("subject", mail.subject() == null ? "" : mail.subject());
        message.put("body", Map.of("contentType", "Text", "content", mail.body() == null ? "" : mail.body()));
        calls.call("POST", base + "/me/sendMail", Map.of("message", message, "saveToSentItems", true));
        return new Sent(null, null);
    }
}
