package dev.weft.connections;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/**
 * connections-service settings ({@code weft.connections.*}). Per-provider settings (OAuth client
 * ids and secrets, endpoint and base-URL overrides) live under
 * {@code weft.connections.providers.<provider>.*} and are read by {@code ProviderSettings}.
 */
@ConfigMapping(prefix = "weft.connections")
public interface ConnectionsConfig {

    OAuth oauth();

    /**
     * Per-provider operator settings, {@code weft.connections.providers.<provider>.<key>}: OAuth
     * {@code client-id}, {@code client-secret}, {@code authorize-url}, {@code token-url},
     * {@code revoke-url}, {@code scopes}, {@code client-auth}; {@code base-url} for the vendor API;
     * provider-specific ones such as Salesforce's {@code login-url} and {@code private-key.<id>}.
     * Read through {@code ProviderSettings}, which also takes them from the environment.
     */
    Map<String, Map<String, String>> providers();

    Health health();

    Data data();

    Extensions extensions();

    Capture capture();

    interface Capture {
        /** Whether this replica runs change streams (any replica may; one runs each stream at a time). */
        @WithDefault("true")
        boolean enabled();

        /** How often a replica renews the leases of its streams and takes over streams nobody holds. */
        @WithDefault("2s")
        Duration superviseInterval();

        /** How long a stream stays with a replica that stops renewing it (killed, cut off) before another takes it over. */
        @WithDefault("30s")
        Duration lease();

        /** How often a polling stream asks a SaaS API for changes, unless the stream sets its own {@code poll_interval}. */
        @WithDefault("30s")
        Duration pollInterval();

        /** The shortest {@code poll_interval} a stream may ask for. */
        @WithDefault("5s")
        Duration minPollInterval();
    }

    /** How often data keys sealed under a retired keyring key are re-wrapped (see CredentialRewrapper). */
    @WithDefault("10m")
    String rewrapInterval();

    interface Extensions {
        /** Allow http:// and private-network extension URLs (local runs and tests only). */
        @WithDefault("false")
        boolean allowInsecureUrls();
    }

    interface OAuth {
        /** Public base URL the provider redirects back to: {@code <base>/v1/integrations/oauth/<provider>/callback}. */
        @WithDefault("http://localhost:8080")
        String callbackBaseUrl();

        /** How long an authorization may take from redirect to callback. */
        @WithDefault("10m")
        Duration stateTtl();

        /** Access tokens are refreshed this long before they expire. */
        @WithDefault("5m")
        Duration refreshAhead();

        /** How often the refresher looks for tokens about to expire. */
        @WithDefault("60s")
        String refreshInterval();

        /**
         * How long a replica holds a due refresh it claimed: no other replica attempts it meanwhile, and
         * one that failed (or whose replica died) is tried again after it. Keep it well under refresh-ahead.
         */
        @WithDefault("60s")
        Duration refreshLease();
    }

    interface Health {
        /** How often the monitor looks for connections due a check. */
        @WithDefault("30s")
        String interval();

        /** Time between two checks of one connection. */
        @WithDefault("5m")
        Duration checkEvery();

        /** A check slower than this marks the connection degraded. */
        @WithDefault("5s")
        Duration slowCheck();

        /** Connections checked per round, per replica. */
        @WithDefault("20")
        int batchSize();
    }

    interface Data {
        /** Most records one query returns. */
        @WithDefault("1000")
        int maxQueryLimit();

        /** Most records one write or internal batch carries. */
        @WithDefault("10000")
        int maxBatchSize();

        /** How long a connection's described objects are reused. */
        @WithDefault("60s")
        Duration schemaCacheTtl();

        /**
         * Most next batches of internal reads this replica reads ahead and holds at once (0: none); see
         * {@code data.ReadAhead}.
         */
        @WithDefault("8")
        int readAheadPages();

        /** How long a batch read ahead may wait for its request; an older one is dropped and the request reads itself. */
        @WithDefault("10s")
        Duration readAheadTtl();
    }
}
