package dev.weft.messaging;

import dev.weft.messaging.channel.ChannelsConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** messaging-service's configuration (prefix {@code weft.messaging}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.messaging")
public interface MessagingConfig {
    Snooze snooze();

    /**
     * The channel adapters' keys, which sit directly under {@code weft.messaging} ({@code weft.messaging.whatsapp.base-url},
     * {@code weft.messaging.retry.*}): one mapping owns the prefix, so no key is claimed twice.
     */
    @WithParentName
    ChannelsConfig channels();

    Documents documents();

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

        /** The largest attachment GET /v1/email/{id}/attachments/{attachment_id} serves (413 beyond it). */
        @WithDefault("25M")
        io.quarkus.runtime.configuration.MemorySize attachmentMaxSize();

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

    /** Documents (dev.weft.messaging.document): where files are stored, what may be uploaded, how long presigned URLs live. */
    interface Documents {
        /** {@code filesystem} (files under {@link #directory()}, URLs signed and served by this service) or {@code s3}. */
        @WithDefault("filesystem")
        String store();

        /** Directory of the filesystem store (created when missing); relative paths resolve against the working directory. */
        @WithDefault("documents")
        String directory();

        /** Largest document in bytes: a larger declared size is refused at upload, a larger body while it streams. */
        @WithDefault("26214400")
        long maxSizeBytes();

        /** Media types a document may have (exact, lower-case, without parameters). */
        @WithDefault("application/pdf,image/png,image/jpeg,image/gif,image/webp,text/plain,text/csv,application/json,application/zip,"
                + "application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.ms-excel,"
                + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.presentationml.presentation")
        List<String> allowedContentTypes();

        /** How long an upload URL may be used. */
        @WithDefault("15m")
        Duration uploadUrlLifetime();

        /** How long a download URL may be used. */
        @WithDefault("5m")
        Duration downloadUrlLifetime();

        /** HMAC key of the filesystem store's URLs; the same random value on every replica. */
        @WithDefault("weft-dev-document-url-secret-change-me")
        String urlSecret();

        /** Base URL clients reach the API through (the router or ingress), for the filesystem store's URLs; unset: the request's own base URL. */
        Optional<URI> publicUrl();

        S3 s3();

        interface S3 {
            Optional<String> bucket();

            @WithDefault("us-east-1")
            String region();

            /** An S3-compatible server instead of AWS (MinIO, S3Proxy, ...). */
            Optional<URI> endpoint();

            /** Path-style URLs ({@code endpoint/bucket/key}), which most S3-compatible servers need. */
            @WithDefault("false")
            boolean pathStyle();

            /** Static credentials; unset: the AWS SDK's default chain (environment, profile, instance role). */
            Optional<String> accessKeyId();

            Optional<String> secretAccessKey();
        }
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
