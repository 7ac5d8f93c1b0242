package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code google} connection's mail through the Gmail API: incremental by users.history.list from the stored
 * historyId; a 404 there (the id is too old) falls back to a full resync by users.messages.list. Flags are labels
 * (UNREAD, STARRED, INBOX) written with users.messages.modify; sends are users.messages.send with the RFC 822
 * message base64url-encoded in {@code raw} and, for a reply, the thread's {@code threadId}.
 */
final class GmailMailbox implements Mailbox {
    private final VendorCalls calls;
    private final String base;
    private final MessagingConfig.Email config;

    GmailMailbox(ChannelAccounts.Account account, ProviderHttp http, MessagingConfig.Email config) {
        this.calls = new VendorCalls(http, "Gmail", account, Map.of());
        this.base = ProviderHttp.trimSlash(config.gmailBaseUrl()) + "/gmail/v1/users/me";
        this.config = config;
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public Changes fetch(MailPosition position) {
        if (position.historyId() == null) {
            return full(null);
        }
        Set<String> ids = new LinkedHashSet<>();
        String historyId = position.historyId();
        String pageToken = null;
        do {
            ProviderHttp.Reply reply = calls.raw("GET", base + "/history?startHistoryId=" + q(position.historyId())
                    + (pageToken == null ? "" : "&pageToken=" + q(pageToken)), null);
            if (reply.status() == 404) {
                return full("historyId " + position.historyId() + " expired (404)");
            }
            JsonNode page = calls.ok(reply);
            for (JsonNode history : page.path("history")) {
                for (String kind : List.of("messagesAdded", "labelsAdded", "labelsRemoved")) {
                    for (JsonNode change : history.path(kind)) {
                        String id = change.path("message").path("id").asText(null);
                        if (id != null) {
                            ids.add(id);
                        }
                    }
                }
            }
            historyId = page.path("historyId").asText(historyId);
            pageToken = page.path("nextPageToken").asText(null);
        } while (pageToken != null);
        return new Changes(get(ids), new MailPosition(null, historyId, null), false, null);
    }

    private Changes full(String reason) {
        // The profile's historyId is read first: a change made while listing is seen again by the next incremental sync.
        String historyId = calls.call("GET", base + "/profile", null).path("historyId").asText(null);
        Set<String> ids = new LinkedHashSet<>();
        String pageToken = null;
        do {
            JsonNode page = calls.call("GET", base + "/messages?maxResults=100" + (pageToken == null ? "" : "&pageToken=" + q(pageToken)), null);
            for (JsonNode m : page.path("messages")) {
                if (ids.size() < config.fullSyncLimit()) {
                    ids.add(m.path("id").asText());
                }
            }
            pageToken = ids.size() < config.fullSyncLimit() ? page.path("nextPageToken").asText(null) : null;
        } while (pageToken != null);
        return new Changes(get(ids), new MailPosition(null, historyId, null), true, reason);
    }

    private List<Fetched> get(Set<String> ids) {
        List<Fetched> out = new ArrayList<>();
        for (String id : ids) {
            ProviderHttp.Reply reply = calls.raw("GET", base + "/messages/" + q(id) + "?format=full", null);
            if (reply.status() == 404) {
                continue; // deleted since the history entry
            }
            out.add(parse(calls.ok(reply)));
        }
        return out;
    }

    static Fetched parse(JsonNode m) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (JsonNode h : m.path("payload").path("headers")) {
            headers.putIfAbsent(h.path("name").asText().toLowerCase(), h.path("value").asText());
        }
        Set<String> labels = new LinkedHashSet<>();
        m.path("labelIds").forEach(l -> labels.add(l.asText()));
        String folder = labels.contains("INBOX") ? "inbox" : labels.contains("SENT") ? "sent" : "archive";
        String text = text(m.path("payload"), "text/plain");
        if (text == null) {
            text = MimeMail.stripHtml(text(m.path("payload"), "text/html"));
        }
        List<Address> from = MimeMail.parseAddresses(headers.get("from"));
        long internal = m.path("internalDate").asLong(System.currentTimeMillis());
        String snippet = m.hasNonNull("snippet") ? m.path("snippet").asText() : MimeMail.snippet(text);
        return new Fetched(m.path("id").asText(), null, MimeMail.firstId(headers.get("message-id")), MimeMail.firstId(headers.get("in-reply-to")),
                MimeMail.ids(headers.get("references")), m.path("threadId").asText(m.path("id").asText()), folder, !labels.contains("UNREAD"),
                labels.contains("STARRED"), from.isEmpty() ? null : from.getFirst(), MimeMail.parseAddresses(headers.get("to")),
                MimeMail.parseAddresses(headers.get("cc")), headers.get("subject"), text, MimeMail.snippet(snippet), Instant.ofEpochMilli(internal),
                attachments(m.path("payload")));
    }

    /**
     * The payload's attachments: parts with a {@code body.attachmentId} or a file name, by their {@code partId} (the
     * attachmentId is not kept: Gmail hands out a new one on every read; the download looks it up by partId).
     */
    static List<Attachment> attachments(JsonNode payload) {
        List<Attachment> out = new ArrayList<>();
        collect(payload, out);
        return out;
    }

    private static void collect(JsonNode part, List<Attachment> out) {
        if (out.size() >= MimeMail.MAX_ATTACHMENTS) {
            return;
        }
        String filename = MimeMail.cleanFilename(part.path("filename").asText(""));
        String partId = part.path("partId").asText(null);
        if (partId != null && (part.path("body").hasNonNull("attachmentId") || filename != null)) {
            String disposition = null;
            String contentId = null;
            for (JsonNode h : part.path("headers")) {
                String name = h.path("name").asText();
                if (name.equalsIgnoreCase("Content-Disposition")) {
                    disposition = h.path("value").asText().split(";", 2)[0].trim();
                } else if (name.equalsIgnoreCase("Content-ID")) {
                    contentId = MimeMail.contentId(h.path("value").asText());
                }
            }
            boolean inline = "inline".equalsIgnoreCase(disposition) || disposition == null && contentId != null;
            JsonNode size = part.path("body").path("size");
            out.add(new Attachment(partId, filename, MimeMail.mediaType(part.path("mimeType").asText(null)), size.isNumber() ? size.asLong() : null,
                    contentId, inline));
            return;
        }
        for (JsonNode child : part.path("parts")) {
            collect(child, out);
        }
    }

    private static JsonNode partById(JsonNode part, String partId) {
        if (partId.equals(part.path("partId").asText(null))) {
            return part;
        }
        for (JsonNode child : part.path("parts")) {
            JsonNode found = partById(child, partId);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** users.messages.get finds the part's current attachmentId, users.messages.attachments.get its base64url data. */
    @Override
    public Content attachment(Email email, EmailAttachment attachment) {
        JsonNode message = calls.call("GET", base + "/messages/" + q(email.providerMessageId) + "?format=full", null);
        JsonNode part = partById(message.path("payload"), attachment.providerAttachmentId);
        if (part == null) {
            throw new MailboxException("the message has no part " + attachment.providerAttachmentId, false, null);
        }
        String data = part.path("body").path("data").asText(null);
        String attachmentId = part.path("body").path("attachmentId").asText(null);
        if (data == null && attachmentId != null) {
            data = calls.call("GET", base + "/messages/" + q(email.providerMessageId) + "/attachments/" + q(attachmentId), null)
                    .path("data").asText(null);
        }
        if (data == null) {
            throw new MailboxException("Gmail gave no content for part " + attachment.providerAttachmentId, false, null);
        }
        byte[] bytes = Base64.getUrlDecoder().decode(data.replace("=", "").replace('+', '-').replace('/', '_'));
        return new Content(new java.io.ByteArrayInputStream(bytes), null);
    }

    private static String text(JsonNode part, String mimeType) {
        if (mimeType.equals(part.path("mimeType").asText()) && part.path("body").hasNonNull("data")) {
            return new String(Base64.getUrlDecoder().decode(part.path("body").path("data").asText().replace("=", "")), StandardCharsets.UTF_8);
        }
        for (JsonNode child : part.path("parts")) {
            String found = text(child, mimeType);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    @Override
    public String setFlag(Email email, Flag flag, boolean value) {
        String label = switch (flag) {
            case READ -> "UNREAD";
            case STARRED -> "STARRED";
            case ARCHIVED -> "INBOX";
        };
        // Read and archived are the absence of UNREAD and INBOX.
        boolean add = flag == Flag.STARRED ? value : !value;
        Map<String, Object> body = Map.of("addLabelIds", add ? List.of(label) : List.of(), "removeLabelIds", add ? List.of() : List.of(label));
        calls.call("POST", base + "/messages/" + q(email.providerMessageId) + "/modify", body);
        return email.providerMessageId;
    }

    @Override
    public Sent send(Outgoing mail) {
        byte[] raw = MimeMail.bytes(MimeMail.build(MimeMail.session(), mail));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("raw", Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        if (mail.replyTo() != null && mail.replyTo().threadKey() != null) {
            body.put("threadId", mail.replyTo().threadKey());
        }
        JsonNode sent = calls.call("POST", base + "/messages/send", body);
        return new Sent(sent.path("id").asText(null), sent.path("threadId").asText(null));
    }
}
