package dev.weft.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a real PostgreSQL database of its own and a real Kafka broker,
 * plus the test issuer's keys so {@link TestCredentials} tokens are accepted.
 * Use with {@code @QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)}
 * once per module.
 */
public class WeftInfraResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        WeftTestInfra.ensureStarted();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", WeftTestInfra.jdbcUrl());
        config.put("quarkus.datasource.username", WeftTestInfra.username());
        config.put("quarkus.datasource.password", WeftTestInfra.password());
        config.put("kafka.bootstrap.servers", WeftTestInfra.kafkaBootstrapServers());
        config.put("weft.platform.auth.jwt.issuer", TestCredentials.ISSUER);
        config.put("weft.platform.auth.jwt.jwks", TestCredentials.publicJwks());
        config.put("weft.encryption.keys", TestCredentials.encryptionKeyring());
        return config;
    }

    @Override
    public void stop() {
        // Servers live for the whole JVM; their shutdown hooks stop them.
    }
}
