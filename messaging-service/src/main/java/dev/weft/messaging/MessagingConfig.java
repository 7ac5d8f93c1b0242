package dev.weft.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** messaging-service's configuration (prefix {@code weft.messaging}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.messaging")
public interface MessagingConfig {
    Snooze snooze();

    interface Snooze {
        /** How often snoozed conversations whose snoozed_until passed are looked for (read by the @Scheduled expression). */
        @WithDefault("15s")
        Duration interval();

        /** How long a replica holds a conversation it claimed to wake; another replica wakes it once this has passed. */
        @WithDefault("60s")
        Duration lease();
    }

    Calendar calendar();

    /** Calendar events and their two-way sync with Google Calendar and Microsoft Graph (docs/engagement.md). */
    interface Calendar {
        /** Google Calendar API v3 base URL (tests point it at a stub). */
        @WithDefault("https://www.googleapis.com/calendar/v3")
        String googleBaseUrl();

        /** Microsoft Graph base URL (tests point it at a stub). */
        @WithDefault("https://graph.microsoft.com/v1.0")
        String graphBaseUrl();

        /** How often due calendar accounts are looked for (read by the @Scheduled expression). */
        @WithDefault("30s")
        Duration pollInterval();

        /** How long after a sync an account is synced again on its own. */
        @WithDefault("5m")
        Duration syncEvery();

        /** How long a replica holds a calendar account it claimed; another may claim it once this has passed. */
        @WithDefault("2m")
        Duration lease();

        /** The widest start..end range GET /v1/calendar/events answers, and the longest event. */
        @WithDefault("366d")
        Duration maxRange();

        /** Graph's calendarView delta needs a window: this far back from the first sync ... */
        @WithDefault("30d")
        Duration graphWindowPast();

        /** ... and this far ahead. */
        @WithDefault("365d")
        Duration graphWindowFuture();

        /** Pages of provider events read in one sync of one account at most (the rest waits for the next round). */
        @WithDefault("50")
        int maxPages();
    }
}
