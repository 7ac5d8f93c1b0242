package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Gmail and Graph mailboxes' calls: Bearer token from the connection, failures as {@link Mailbox.MailboxException}s. */
final class VendorCalls {
    private final ProviderHttp http;
    private final String vendor;
    private final Map<String, String> headers = new LinkedHashMap<>();

    VendorCalls(ProviderHttp http, String vendor, ChannelAccounts.Account account, Map<String, String> extra) {
        this.http = http;
        this.vendor = vendor;
        String token = account.credential("access_token");
        if (token == null) {
            throw new Mailbox.MailboxException("the " + vendor + " connection has no access token: authorize it again", false, null);
        }
        headers.put("Authorization", "Bearer " + token);
        headers.putAll(extra);
    }

    /** The answer whatever its status (the caller decides about 404, 410). */
    ProviderHttp.Reply raw(String method, String url, Object body) {
        try {
            return http.exchange(method, url, headers, body);
        } catch (IOException e) {
            throw new Mailbox.MailboxException(vendor + " could not be reached: " + e.getClass().getSimpleName(), true, e);
        }
    }

    /** A file's content, streamed; a non-2xx answer is a failure naming the status (its body read for the message). */
    Mailbox.Content download(String url) {
        java.net.http.HttpResponse<java.io.InputStream> response;
        try {
            response = http.download(url, headers);
        } catch (IOException e) {
            throw new Mailbox.MailboxException(vendor + " could not be reached: " + e.getClass().getSimpleName(), true, e);
        }
        if (response.statusCode() / 100 == 2) {
            return new Mailbox.Content(response.body(), null);
        }
        JsonNode body;
        try (java.io.InputStream in = response.body()) {
            byte[] head = in.readNBytes(64 * 1024);
            body = head.length == 0 ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : new com.fasterxml.jackson.databind.ObjectMapper().readTree(head);
        } catch (IOException | RuntimeException e) {
            body = com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        ok(new ProviderHttp.Reply(response.statusCode(), body == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : body));
        throw new IllegalStateException("unreachable: HTTP " + response.statusCode() + " is not a 2xx");
    }

    /** A 2xx answer's body; anything else is a failure naming the status (429 and 5xx retryable). */
    JsonNode call(String method, String url, Object body) {
        return ok(raw(method, url, body));
    }

    JsonNode ok(ProviderHttp.Reply reply) {
        if (reply.status() / 100 == 2) {
            return reply.body();
        }
        String message = reply.body().path("error").path("message").asText("");
        if (message.length() > 300) {
            message = message.substring(0, 300);
        }
        boolean retryable = reply.status() == 429 || reply.status() >= 500;
        throw new Mailbox.MailboxException(vendor + " answered HTTP " + reply.status() + (message.isEmpty() ? "" : ": " + message), retryable, null);
    }
}
