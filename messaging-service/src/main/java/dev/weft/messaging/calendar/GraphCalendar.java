package dev.weft.messaging.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.weft.messaging.calendar.GoogleCalendar.encode;
import static dev.weft.messaging.calendar.GoogleCalendar.text;

/**
 * Microsoft Graph calendar of the signed-in user: {@code /me/calendarView/delta} over a window (follow
 * {@code @odata.nextLink} to the {@code @odata.deltaLink}, the next position; 410 Gone means it expired and a full
 * sync starts over; deletions come as {@code @removed}), and {@code /me/events} create, PATCH and DELETE with
 * {@code If-Match} on the event's {@code @odata.etag} (which carries its {@code changeKey}): 412 when it changed since.
 * Times are asked for in UTC ({@code Prefer: outlook.timezone="UTC"}).
 */
@ApplicationScoped
public class GraphCalendar extends RestCalendar {
    public GraphCalendar(ProviderHttp http, MessagingConfig config) {
        super(http, config);
    }

    @Override
    public String id() {
        return "microsoft";
    }

    private String base() {
        return ProviderHttp.trimSlash(config.calendar().graphBaseUrl());
    }

    @Override
    String eventsUrl() {
        return base() + "/me/events";
    }

    @Override
    Operations operations() {
        return new Operations("create event", "update event", "delete event", "get event");
    }

    @Override
    Object toProvider(Outgoing event) {
        return body(event);
    }

    @Override
    RemoteEvent fromProvider(JsonNode item) {
        return read(item);
    }

    @Override
    Map<String, String> headers(ChannelAccounts.Account account, String etag) {
        Map<String, String> headers = super.headers(account, etag);
        headers.put("Prefer", "outlook.timezone=\"UTC\""); // times in UTC, whatever the mailbox's zone
        return headers;
    }

    @Override
    public Changes changes(ChannelAccounts.Account account, String deltaLink, int maxPages) throws Failure {
        String url = deltaLink;
        if (url == null) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            url = base() + "/me/calendarView/delta?startDateTime=" + encode(now.minus(config.calendar().graphWindowPast()).toString())
                    + "&endDateTime=" + encode(now.plus(config.calendar().graphWindowFuture()).toString());
        }
        List<RemoteEvent> events = new ArrayList<>();
        for (int page = 0; page < maxPages; page++) {
            if (!url.startsWith(base() + "/")) {
                // Links come from the answer; only ever follow them to the configured Graph.
                throw new Failure(Failure.Kind.STALE, "microsoft delta link outside " + base());
            }
            ProviderHttp.Reply reply = call("GET", url, headers(account, null), null, "calendarView/delta");
            if (reply.status() == 410) {
                throw new Failure(Failure.Kind.STALE, "microsoft calendarView/delta answered 410 Gone: the delta link expired");
            }
            if (reply.status() != 200) {
                throw Failure.of("microsoft", "calendarView/delta", reply.status());
            }
            for (JsonNode item : reply.body().path("value")) {
                events.add(read(item));
            }
            String next = text(reply.body(), "@odata.nextLink");
            if (next == null) {
                String delta = text(reply.body(), "@odata.deltaLink");
                return new Changes(events, delta == null ? deltaLink : delta, true);
            }
            url = next;
        }
        return new Changes(events, deltaLink, false);
    }

    /** An event resource as documented: dateTime without offset plus timeZone, body {contentType, content}, attendees' emailAddress. */
    static Map<String, Object> body(Outgoing event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", event.title());
        body.put("body", Map.of("contentType", "text", "content", event.description() == null ? "" : event.description()));
        body.put("start", Map.of("dateTime", LocalDateTime.ofInstant(event.start(), ZoneOffset.UTC).toString(), "timeZone", "UTC"));
        body.put("end", Map.of("dateTime", LocalDateTime.ofInstant(event.end(), ZoneOffset.UTC).toString(), "timeZone", "UTC"));
        body.put("isAllDay", event.allDay());
        body.put("location", Map.of("displayName", event.location() == null ? "" : event.location()));
        body.put("attendees", event.attendees().stream().map(email -> Map.of("emailAddress", Map.of("address", email), "type", "required")).toList());
        return body;
    }

    static RemoteEvent read(JsonNode item) {
        String id = text(item, "id");
        if (item.has("@removed")) {
            return new RemoteEvent(id, null, null, null, null, null, null, false, "cancelled", null, List.of(), true);
        }
        boolean cancelled = item.path("isCancelled").asBoolean(false);
        List<String> attendees = new ArrayList<>();
        for (JsonNode attendee : item.path("attendees")) {
            String email = text(attendee.path("emailAddress"), "address");
            if (email != null) {
                attendees.add(email.toLowerCase(Locale.ROOT));
            }
        }
        String etag = text(item, "@odata.etag");
        if (etag == null && text(item, "changeKey") != null) {
            etag = "W/\"" + text(item, "changeKey") + "\"";
        }
        String showAs = text(item, "showAs");
        String content = text(item.path("body"), "content");
        return new RemoteEvent(id, etag, text(item, "subject"), content == null || content.isEmpty() ? null : content,
                emptyToNull(text(item.path("location"), "displayName")), instant(item.path("start")), instant(item.path("end")),
                item.path("isAllDay").asBoolean(false), cancelled ? "cancelled" : "tentative".equals(showAs) ? "tentative" : "confirmed",
                text(item.path("organizer").path("emailAddress"), "address"), attendees, cancelled);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static Instant instant(JsonNode time) {
        String dateTime = text(time, "dateTime");
        if (dateTime == null) {
            return null;
        }
        String zone = text(time, "timeZone");
        ZoneId id;
        try {
            id = zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            id = ZoneOffset.UTC;
        }
        return LocalDateTime.parse(dateTime).atZone(id).toInstant();
    }
}
