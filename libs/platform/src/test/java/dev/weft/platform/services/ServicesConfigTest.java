package dev.weft.platform.services;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each service's endpoint has its own local default, and each is configured on its own. */
class ServicesConfigTest {

    private static ServicesConfig config(Map<String, String> properties) {
        // Quarkus' converter reads "5s" as Quarkus itself does.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(ServicesConfig.class).withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(ServicesConfig.class);
    }

    @Test
    void defaults_are_each_services_local_port() {
        ServicesConfig services = config(Map.of());
        assertEquals("http://127.0.0.1:8082", services.connections().url());
        assertEquals("http://127.0.0.1:8084", services.messaging().url());
        assertEquals(Duration.ofSeconds(120), services.messaging().timeout());
    }

    @Test
    void messaging_is_configured_apart_from_connections() {
        ServicesConfig services = config(Map.of("weft.services.messaging.url", "http://messaging-service",
                "weft.services.messaging.timeout", "30s", "weft.services.connections.url", "http://connections-service"));
        assertEquals("http://messaging-service", services.messaging().url());
        assertEquals(Duration.ofSeconds(30), services.messaging().timeout());
        assertEquals("http://connections-service", services.connections().url());
        assertEquals(Duration.ofSeconds(120), services.connections().timeout());
    }
}
