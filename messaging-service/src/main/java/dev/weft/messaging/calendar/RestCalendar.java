package dev.weft.messaging.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;

import java.io.IOException;
import java.util.Map;

import static dev.weft.messaging.calendar.GoogleCalendar.encode;

/**
 * What Google Calendar and Microsoft Graph share: one events collection ({@code POST} to create, {@code /<id>} to
 * patch, delete or read one event), bearer headers with {@code If-Match}, and the same reading of the answers (a
 * 404 or 410 is an event already gone). Each vendor says its URL, headers, operation names and event shape.
 */
abstract class RestCalendar implements CalendarProvider {
    /** The vendor's names of the four operations, used in failure messages. */
    record Operations(String insert, String update, String delete, String get) {
    }

    protected final ProviderHttp http;
    protected final MessagingConfig config;

    /** For the CDI client proxy of an application-scoped subclass, which needs a no-args constructor up the chain. */
    RestCalendar() {
        this(null, null);
    }

    RestCalendar(ProviderHttp http, MessagingConfig config) {
        this.http = http;
        this.config = config;
    }

    abstract String eventsUrl();

    abstract Operations operations();

    /** The connection's OAuth token, and the event's ETag as If-Match when one is known (both vendors take these). */
    Map<String, String> headers(ChannelAccounts.Account account, String etag) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + account.credential("access_token"));
        if (etag != null) {
            headers.put("If-Match", etag);
        }
        return headers;
    }

    abstract Object toProvider(Outgoing event);

    abstract RemoteEvent fromProvider(JsonNode item);

    @Override
    public RemoteEvent insert(ChannelAccounts.Account account, Outgoing event) throws Failure {
        ProviderHttp.Reply reply = call("POST", eventsUrl(), headers(account, null), toProvider(event), operations().insert());
        if (reply.status() / 100 != 2) {
            throw Failure.of(id(), operations().insert(), reply.status());
        }
        return fromProvider(reply.body());
    }

    @Override
    public RemoteEvent update(ChannelAccounts.Account account, String providerEventId, String etag, Outgoing event) throws Failure {
        ProviderHttp.Reply reply = call("PATCH", eventUrl(providerEventId), headers(account, etag), toProvider(event), operations().update());
        if (reply.status() / 100 != 2) {
            throw Failure.of(id(), operations().update(), reply.status());
        }
        return fromProvider(reply.body());
    }

    @Override
    public void delete(ChannelAccounts.Account account, String providerEventId, String etag) throws Failure {
        ProviderHttp.Reply reply = call("DELETE", eventUrl(providerEventId), headers(account, etag), null, operations().delete());
        if (reply.status() / 100 != 2 && reply.status() != 404 && reply.status() != 410) {
            throw Failure.of(id(), operations().delete(), reply.status());
        }
    }

    @Override
    public RemoteEvent get(ChannelAccounts.Account account, String providerEventId) throws Failure {
        ProviderHttp.Reply reply = call("GET", eventUrl(providerEventId), headers(account, null), null, operations().get());
        if (reply.status() == 404 || reply.status() == 410) {
            return null;
        }
        if (reply.status() != 200) {
            throw Failure.of(id(), operations().get(), reply.status());
        }
        RemoteEvent event = fromProvider(reply.body());
        return event.removed() ? null : event;
    }

    private String eventUrl(String providerEventId) {
        return eventsUrl() + "/" + encode(providerEventId);
    }

    /** Any call to the vendor; only a transport failure throws (a retry), the status is the caller's to read. */
    ProviderHttp.Reply call(String method, String url, Map<String, String> headers, Object body, String what) throws Failure {
        try {
            return http.exchange(method, url, headers, body);
        } catch (IOException e) {
            throw new Failure(Failure.Kind.RETRY, id() + " " + what + " could not be reached: " + e.getClass().getSimpleName());
        }
    }
}
