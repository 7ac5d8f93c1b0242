package dev.weft.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
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

        /** Longest request URI (path and query) accepted, in bytes; longer ones get 414 URI_TOO_LONG. */
        @WithDefault("4096")
        int maxUriLength();

        /** Largest total size of the request's header fields (names and values), in bytes; larger get 431 HEADERS_TOO_LARGE. */
        @WithDefault("20480")
        int maxHeaderSize();
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

        /**
         * auth-service's introspection endpoint, asked about API keys and signing keys that are not
         * in the cache (services other than auth-service, which reads its own database).
         */
        @WithDefault("http://127.0.0.1:8081/v1/auth/introspect")
        String introspectionUrl();

        /**
         * Bearer credential presented to the introspection endpoint: the operator token
         * ({@code WEFT_OPERATOR_TOKEN}), since signing-key answers carry the key's secret and are
         * given to the operator only. Unset: API keys and signed requests cannot be verified here.
         */
        Optional<String> introspectionToken();

        /** How long to wait for auth-service's introspection before answering 503. */
        @WithDefault("2s")
        Duration introspectionTimeout();

        /** How long an introspection answer (positive or negative) is reused; revocation events clear it sooner. */
        @WithDefault("30s")
        Duration credentialCacheTtl();

        /** Most introspection answers kept per credential kind (API keys, signing keys). */
        @WithDefault("10000")
        long credentialCacheSize();

        /** Whether this replica listens on weft.auth.events for revocations that clear its credential cache. */
        @WithDefault("true")
        boolean revocationListenerEnabled();

        SignedRequests signedRequests();

        interface SignedRequests {
            /** Largest accepted difference between a signed request's timestamp and this server's clock. */
            @WithDefault("300s")
            Duration tolerance();

            /** How often expired rows are deleted from the replay store (seen_signatures). */
            @WithDefault("60s")
            Duration cleanupInterval();
        }

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

            /**
             * Further issuers whose tokens are accepted beside Weft's own (Keycloak mode), keyed by a
             * name of your choice: {@code weft.platform.auth.jwt.trusted-issuers.<name>.issuer} and
             * {@code .jwks-url}. A token is checked against the keys of the issuer it names, and only
             * a configured issuer is trusted; the audience is the same as for Weft tokens.
             */
            Map<String, TrustedIssuer> trustedIssuers();

            interface TrustedIssuer {
                /** The exact {@code iss} of this issuer's tokens (Keycloak: {@code <url>/realms/<realm>}). */
                String issuer();

                /** Where this issuer publishes its JWKS (Keycloak: {@code <issuer>/protocol/openid-connect/certs}). */
                String jwksUrl();

                /**
                 * Claim carrying the space-separated Weft scopes. Keycloak keeps {@code scope} for its
                 * own client scopes, so auth-service's Keycloak clients carry Weft's in {@code weft_scope}.
                 */
                @WithDefault("scope")
                String scopeClaim();
            }
        }
    }
}
