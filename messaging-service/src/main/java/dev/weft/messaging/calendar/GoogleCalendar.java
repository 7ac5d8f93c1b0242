package dev.weft.messaging.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Google Calendar API v3 on the connection's primary calendar: {@code events.list} with {@code syncToken}
 * (incremental; 410 Gone means the token expired and a full sync starts over), {@code events.insert},
 * {@code events.patch} and {@code events.delete} with {@code If-Match: <etag>} (412 when the event changed since).
 */
@ApplicationScoped
public class GoogleCalendar extends RestCalendar {
    public GoogleCalendar(ProviderHttp http, MessagingConfig config) {
        super(http, config);
    }

    @Override
    public String id() {
        return "google";
    }

    @Override
    String eventsUrl() {
        return ProviderHttp.trimSlash(config.calendar().googleBaseUrl()) + "/calendars/primary/events";
    }

    @Override
    Operations operations() {
        return new Operations("events.insert", "events.patch", "events.delete", "events.get");
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
    public Changes changes(ChannelAccounts.Account account, String syncToken, int maxPages) throws Failure {
        List<RemoteEvent> events = new ArrayList<>();
        String pageToken = null;
        for (int page = 0; page < maxPages; page++) {
            // singleEvents=false keeps a recurring series as one event; showDeleted brings cancellations of a full sync too.
            StringBuilder url = new StringBuilder(eventsUrl()).append("?maxResults=250&showDeleted=true");
            if (syncToken != null) {
                url.append("&syncToken=").append(encode(syncToken));
            }
            if (pageToken != null) {
                url.append("&pageToken=").append(encode(pageToken));
            }
            ProviderHttp.Reply reply = call("GET", url.toString(), headers(account, null), null, "events.list");
            if (reply.status() == 410) {
                throw new Failure(Failure.Kind.STALE, "google events.list answered 410 Gone: the sync token expired");
            }
            if (reply.status() != 200) {
                throw Failure.of("google", "events.list", reply.status());
            }
            for (JsonNode item : reply.body().path("items")) {
                events.add(read(item));
            }
            pageToken = text(reply.body(), "nextPageToken");
            if (pageToken == null) {
                String next = text(reply.body(), "nextSyncToken");
                return new Changes(events, next == null ? syncToken : next, true);
            }
        }
        // Too many pages for one round: what was read is applied, and the same position is read again next round.
        return new Changes(events, syncToken, false);
    }

    /** An events resource as documented: start/end are {dateTime} or, for all-day events, {date} (end exclusive). */
    static Map<String, Object> body(Outgoing event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("summary", event.title());
        body.put("description", event.description());
        body.put("location", event.location());
        body.put("start", time(event.start(), event.allDay()));
        body.put("end", time(event.end(), event.allDay()));
        body.put("attendees", event.attendees().stream().map(email -> Map.of("email", email)).toList());
        return body;
    }

    private static Map<String, String> time(Instant at, boolean allDay) {
        return allDay ? Map.of("date", LocalDate.ofInstant(at, ZoneOffset.UTC).toString()) : Map.of("dateTime", at.toString());
    }

    static RemoteEvent read(JsonNode item) {
        String id = text(item, "id");
        String status = text(item, "status");
        boolean cancelled = "cancelled".equals(status);
        JsonNode start = item.path("start");
        JsonNode end = item.path("end");
        boolean allDay = start.hasNonNull("date");
        List<String> attendees = new ArrayList<>();
        for (JsonNode attendee : item.path("attendees")) {
            String email = text(attendee, "email");
            if (email != null) {
                attendees.add(email.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return new RemoteEvent(id, text(item, "etag"), text(item, "summary"), text(item, "description"), text(item, "location"),
                instant(start), instant(end), allDay, cancelled ? "cancelled" : status == null ? "confirmed" : status,
                text(item.path("organizer"), "email"), attendees, cancelled);
    }

    private static Instant instant(JsonNode time) {
        String dateTime = text(time, "dateTime");
        if (dateTime != null) {
            return OffsetDateTime.parse(dateTime).toInstant();
        }
        String date = text(time, "date");
        return date == null ? null : LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
