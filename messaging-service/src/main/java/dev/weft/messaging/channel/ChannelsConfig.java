package dev.weft.messaging.channel;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * weft.messaging.*: where each provider's API is, and how queued sends are retried (docs/configuration.md). A group of
 * {@link dev.weft.messaging.MessagingConfig} (its {@code channels()}, keys directly under the prefix), not a mapping of its own.
 */
public interface ChannelsConfig {
    Provider whatsapp();

    Provider facebook();

    Provider instagram();

    Telegram telegram();

    /** Timeout of one call to a provider. */
    @WithDefault("10s")
    Duration sendTimeout();

    Retry retry();

    interface Provider {
        /** The Graph API's base URL (a stub's in tests). */
        @WithDefault("https://graph.facebook.com")
        String baseUrl();

        /** Used when the connection's config names none. */
        @WithDefault("v21.0")
        String apiVersion();
    }

    interface Telegram {
        @WithDefault("https://api.telegram.org")
        String baseUrl();
    }

    interface Retry {
        /** How often the worker looks for queued sends that are due. */
        @WithDefault("5s")
        String interval();

        /** The first retry's delay; each next one doubles it, up to max-delay. */
        @WithDefault("10s")
        Duration baseDelay();

        @WithDefault("1h")
        Duration maxDelay();

        /** After this many attempts a queued message is failed (error retries_exhausted). */
        @WithDefault("12")
        int maxAttempts();

        @WithDefault("100")
        int batchSize();
    }
}
