package dev.weft.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** messaging-service's configuration (prefix {@code weft.messaging}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.messaging")
public interface MessagingConfig {
    Snooze snooze();

    Email email();

    interface Email {
        /** How often each mailbox is synced when nothing asks for it sooner. */
        @WithDefault("5m")
        Duration syncInterval();

        /** How often the worker looks for mailboxes due for a sync (read by the @Scheduled expression). */
        @WithDefault("10s")
        Duration pollInterval();

        /** How long a replica holds a mailbox it claimed to sync; another replica takes it once this has passed. */
        @WithDefault("5m")
        Duration lease();

        /** Mailboxes one replica syncs per round. */
        @WithDefault("10")
        int batchSize();

        /** A full resync fetches at most this many of the newest messages per folder. */
        @WithDefault("500")
        int fullSyncLimit();

        /** Connect and read timeout of IMAP and SMTP. */
        @WithDefault("20s")
        Duration mailTimeout();

        /** The Gmail API (tests point it at a stub). */
        @WithDefault("https://gmail.googleapis.com")
        String gmailBaseUrl();

        /** Microsoft Graph, with its version (tests point it at a stub). */
        @WithDefault("https://graph.microsoft.com/v1.0")
        String graphBaseUrl();
    }

    interface Snooze {
        /** How often snoozed conversations whose snoozed_until passed are looked for (read by the @Scheduled expression). */
        @WithDefault("15s")
        Duration interval();

        /** How long a replica holds a conversation it claimed to wake; another replica wakes it once this has passed. */
        @WithDefault("60s")
        Duration lease();
    }
}
