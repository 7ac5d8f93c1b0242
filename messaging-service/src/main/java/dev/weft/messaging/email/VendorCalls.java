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
