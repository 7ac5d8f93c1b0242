package dev.weft.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Settings every service shares; each key is listed in docs/configuration.md. */
@ConfigMapping(prefix = "weft.platform")
public interface PlatformConfig {

    /** The PostgreSQL schema this service owns (Flyway, Hibernate and the outbox use it). */
    @WithDefault("weft")
    String schema();

    /** The service's name, used as the CloudEvents source and in logs. */
    @WithDefault("weft")
    String serviceName();

    Http http();

    Pagination pagination();

    Outbox outbox();

    Idempotency idempotency();

    Auth auth();

    dev.weft.platform.ratelimit.RateLimitConfig rateLimit();

    interface Http {
        /** Largest request body accepted, in bytes; larger ones get 413 PAYLOAD_TOO_LARGE. */
        @WithDefault("1048576")
        long maxBodySize();
    }

    interface Pagination {
        /**
         * Secret that signs list cursors so clients cannot forge them. Must be the same on every
         * replica; bin/weft and the Kubernetes Secret set it.
         */
        @WithDefault("weft-dev-cursor-secret-change-me")
        String cursorSecret();
    }

    interface Outbox {
        /** Whether this replica runs the outbox relay (one replica publishes at a time anyway). */
        @WithDefault("true")
        boolean relayEnabled();

        /** Rows published per round trip to Kafka. */
        @WithDefault("500")
        int batchSize();

        /** How long the relay waits for a NOTIFY before looking at the table anyway. */
        @WithDefault("1s")
        Duration pollInterval();

        /** How often a standby replica tries to become the publisher. */
        @WithDefault("2s")
        Duration leaseRetry();
    }

    interface Idempotency {
        /** How long a stored response answers a repeated Idempotency-Key. */
        @WithDefault("24h")
        Duration retention();
    }

    interface Auth {
        Jwt jwt();

        interface Jwt {
            /** Issuer ({@code iss}) of accepted access tokens. */
            @WithDefault("weft")
            String issuer();

            /** Audience ({@code aud}) accepted access tokens must name. */
            @WithDefault("weft")
            String audience();

            /** Verification keys as an inline JWKS document (tests, single-node runs). */
            Optional<String> jwks();

            /** Where to fetch the issuer's JWKS (auth-service's /.well-known/jwks.json); cached, refetched for unknown kids. */
            Optional<String> jwksUrl();

            /** Tolerated clock difference when checking exp/iat/nbf. */
            @WithDefault("30s")
            Duration clockSkew();
        }
    }
}
