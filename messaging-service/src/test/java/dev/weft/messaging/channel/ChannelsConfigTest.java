package dev.weft.messaging.channel;

import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigMapping;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * One mapping owns {@code weft.messaging}: the channel keys are MessagingConfig's {@code channels()} group and keep
 * their documented names (the values ChannelStubs and application.properties set arrive where the adapters read them).
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class ChannelsConfigTest {
    @Inject
    MessagingConfig config;

    @Test
    void the_channel_keys_are_read_through_the_one_messaging_mapping() {
        assertNull(ChannelsConfig.class.getAnnotation(ConfigMapping.class), "ChannelsConfig must not claim weft.messaging a second time");
        assertEquals("weft.messaging", MessagingConfig.class.getAnnotation(ConfigMapping.class).prefix());
        // weft.messaging.telegram.base-url, .whatsapp.base-url, .send-timeout, .retry.* as ChannelStubs sets them.
        assertEquals(ChannelStubs.server().baseUrl() + "/telegram", config.channels().telegram().baseUrl());
        assertEquals(ChannelStubs.server().baseUrl() + "/graph", config.channels().whatsapp().baseUrl());
        assertEquals("v21.0", config.channels().whatsapp().apiVersion());
        assertEquals(Duration.ofSeconds(3), config.channels().sendTimeout());
        assertEquals(Duration.ofSeconds(1), config.channels().retry().baseDelay());
        assertEquals(12, config.channels().retry().maxAttempts());
        // The snooze group beside it (application.properties' %test value).
        assertEquals(Duration.ofSeconds(1), config.snooze().interval());
    }
}
