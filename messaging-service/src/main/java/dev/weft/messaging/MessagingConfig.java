package dev.weft.messaging;

import dev.weft.messaging.channel.ChannelsConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.time.Duration;

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

    interface Snooze {
        /** How often snoozed conversations whose snoozed_until passed are looked for (read by the @Scheduled expression). */
        @WithDefault("15s")
        Duration interval();

        /** How long a replica holds a conversation it claimed to wake; another replica wakes it once this has passed. */
        @WithDefault("60s")
        Duration lease();
    }
}
