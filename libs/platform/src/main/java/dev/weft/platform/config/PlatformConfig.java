package dev.weft.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Settings every service shares; each key is listed in docs/configuration.md. */
@ConfigMapping(prefix = "weft.platform")
public interface PlatformConfig {

    /** The PostgreSQL schema this service owns (Flyway, Hibernate and the outbox use it). */
    @WithDefault("weft")
    String schema();

    /** The service's name, used as the CloudEvents source and in logs. */
    @WithDefault("weft")
    String serviceName();

    /**
     * The shared credential services present to each other's {@code /internal/} endpoints when they act for an org with
     * no user present (sync-service reading through connections-service): {@code Authorization: Weft-Internal <token>}
     * with the org and the calling service in headers. The same value on every service of a deployment (bin/weft
     * generates one; Kubernetes takes it from the Secret). Unset: this service neither accepts nor sends such calls.
     */
    Optional<String> internalToken();

    Http http();

    Pagination pagination();

    Outbox outbox();

    Idempotency idempotency();

    Auth auth();

    Events events();

    Schedules schedules();

    GroupCommit groupCommit();

    dev.weft.platform.ratelimit.RateLimitConfig rateLimit();

    interface Http {
        /** Largest request body accepted, in bytes, outside {@link #uploadPaths}; larger ones get 413 PAYLOAD_TOO_LARGE. */
        @WithDefault("1048576")
        long maxBodySize();

        /**
         * Path prefixes that take bodies up to {@link #maxUploadSize} instead (a service's file uploads), so that its JSON
         * endpoints keep the small limit: a JSON body is parsed whole, an upload streams.
         */
        Optional<List<String>> uploadPaths();

        /** Largest request body on {@link #uploadPaths}, in bytes; {@link #maxBodySize} when not set. */
        OptionalLong maxUploadSize();

        /** The body limit of a request to {@code path}. */
        default long bodyLimit(String path) {
            if (path != null && maxUploadSize().isPresent() && uploadPaths().isPresent()) {
                for (String prefix : uploadPaths().get()) {
                    if (path.startsWith(prefix)) {
                        return maxUploadSize().getAsLong();
                    }
                }
            }
            return maxBodySize();
        }

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

        /**
         * Most events published per round (read, send, wait for Kafka's acknowledgements, delete; a pack's row is read
         * whole). A round's time is mostly waiting, so under a backlog the relay's rate is about this many events per round
         * trip. Also the most events {@code Outbox.publishAll} puts in one pack.
         */
        @WithDefault("2000")
        int batchSize();

        /**
         * The least time between the starts of two rounds when the first was not full, as Kafka's {@code linger.ms} for
         * the relay: under a steady stream of small commits, each round then carries the events of many (one SELECT, one
         * produce request and one DELETE for all of them) instead of one or two. An event committed after a quiet spell
         * longer than this is sent at once; otherwise it waits at most this long. {@code 0} sends round after round.
         */
        @WithDefault("5ms")
        Duration linger();

        /** How long the relay waits for a NOTIFY before looking at the table anyway. */
        @WithDefault("1s")
        Duration pollInterval();

        /** How often a standby replica tries to become the publisher. */
        @WithDefault("2s")
        Duration leaseRetry();

        /**
         * How the relay's producer compresses its batches: zstd by default, through zstd-jni's native library. The
         * broker then checks a compressed batch without parsing each record's key, value and CloudEvents headers (it
         * does parse them in an uncompressed batch), and a consumer's fetch of the same events is a quarter of the
         * bytes. Under Quarkus' class loader Kafka's LZ4 runs as lz4-java's pure-Java code (its native library is only
         * used when loaded by the system class loader): avoid {@code lz4} here.
         */
        @WithDefault("zstd")
        Compression compression();

        enum Compression {
            NONE, GZIP, SNAPPY, LZ4, ZSTD;

            /** The name Kafka's {@code compression.type} takes. */
            public String kafkaName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    interface Events {
        /**
         * Whether this service consumes domain events (build time): its handlers then join the consumer group
         * named after the service on the {@code weft-events} channel. Services without handlers leave it off.
         */
        @WithDefault("false")
        boolean consume();

        /** Attempts at handling one event before it goes to the dead-letter topic {@code weft.<service>.dlq}. */
        @WithDefault("3")
        int maxAttempts();

        /** Wait before the second attempt; it doubles for each further one. */
        @WithDefault("200ms")
        Duration retryBackoff();

        /** Longest wait between attempts, and between tries while the database is unreachable. */
        @WithDefault("5s")
        Duration maxRetryBackoff();
    }

    /** The clustered cron scheduler (dev.weft.platform.schedule.SchedulePoller). */
    /** {@code dev.weft.platform.db.GroupCommit}: short transactions of one org that arrive together commit as one. */
    interface GroupCommit {
        /** Most units of work in one shared transaction; {@code 1} gives each its own transaction. */
        @WithDefault("32")
        int maxBatch();

        /**
         * Most shared transactions of one org running at once on a replica (the rest wait and join the next). A group's
         * units run one after another on one connection, so a group alternates between this JVM and PostgreSQL: with 2
         * the two cores of the benchmark machine idled a fifth of the time, with 4 they were busy (docs/benchmarks.md).
         */
        @WithDefault("4")
        int maxInFlight();
    }

    interface Schedules {
        /** Whether this replica fires due schedules; any number of replicas may, each due time fires once. */
        @WithDefault("true")
        boolean enabled();

        /** How often this replica looks for due schedules: the longest a due time waits beyond its minute. */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * How long a claimed schedule stays reserved for this replica before it starts firing it. A replica
         * that dies holding claims hands them to the others when this runs out; the firing itself is protected
         * by its transaction's row lock, not by the lease, so a slow handler is never fired twice.
         */
        @WithDefault("30s")
        Duration lease();

        /** Due schedules claimed per statement; a full batch is followed at once by the next. */
        @WithDefault("100")
        int batchSize();
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

        /**
         * Whether this replica listens on weft.auth.events for revocations: API keys and signing keys leave its
         * credential cache, revoked access tokens go on its deny-list.
         */
        @WithDefault("true")
        boolean revocationListenerEnabled();

        /**
         * How far back the revocation listener re-reads weft.auth.events when it starts: at least the longest an
         * access token lives (auth-service's access-token lifetime, 1 h by default), so revocations still in force
         * are known after a restart.
         */
        @WithDefault("65m")
        Duration revocationReplay();

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
