package dev.weft.messaging.calendar;

import dev.weft.messaging.channel.ChannelAccounts;

import java.time.Instant;
import java.util.List;

/**
 * A calendar vendor as the sync worker uses it: read changes since a position, write one event with the version it
 * was read at ({@code If-Match}), read one event back. One class per vendor ({@link GoogleCalendar},
 * {@link GraphCalendar}).
 */
public interface CalendarProvider {
    /** The connections' provider id (google, microsoft). */
    String id();

    /** The provider's version of an event; {@code removed} for a deletion or cancellation seen in a change feed. */
    record RemoteEvent(String providerEventId, String etag, String title, String description, String location, Instant start,
                       Instant end, boolean allDay, String status, String organizer, List<String> attendees, boolean removed) {
    }

    /** What the provider changed since the position, and the position to ask from next time. */
    record Changes(List<RemoteEvent> events, String nextPosition, boolean complete) {
    }

    /** The fields Weft writes to the provider. */
    record Outgoing(String title, String description, String location, Instant start, Instant end, boolean allDay, List<String> attendees) {
    }

    /** {@code position} null: everything (a full sync). A stale position is a {@link Failure.Kind#STALE} failure. */
    Changes changes(ChannelAccounts.Account account, String position, int maxPages) throws Failure;

    RemoteEvent insert(ChannelAccounts.Account account, Outgoing event) throws Failure;

    /** PATCH with {@code If-Match: etag}: a 412 is {@link Failure.Kind#CONFLICT}, a 404/410 {@link Failure.Kind#GONE}. */
    RemoteEvent update(ChannelAccounts.Account account, String providerEventId, String etag, Outgoing event) throws Failure;

    /** DELETE with {@code If-Match: etag}; already gone counts as done. */
    void delete(ChannelAccounts.Account account, String providerEventId, String etag) throws Failure;

    /** The event as the provider has it now, or null when it is gone. */
    RemoteEvent get(ChannelAccounts.Account account, String providerEventId) throws Failure;

    /** A provider call that did not do what was asked. */
    final class Failure extends Exception {
        public enum Kind { STALE, CONFLICT, GONE, AUTH, RETRY, REFUSED }

        private final Kind kind;

        public Failure(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }

        /** The usual reading of an HTTP status. */
        public static Failure of(String provider, String what, int status) {
            Kind kind = switch (status) {
                case 401, 403 -> Kind.AUTH;
                case 404, 410 -> Kind.GONE;
                case 412 -> Kind.CONFLICT;
                case 429 -> Kind.RETRY;
                default -> status >= 500 ? Kind.RETRY : Kind.REFUSED;
            };
            return new Failure(kind, provider + " " + what + " answered HTTP " + status);
        }
    }
}
