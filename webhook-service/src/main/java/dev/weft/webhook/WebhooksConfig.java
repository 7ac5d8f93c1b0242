package dev.weft.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** webhook-service settings ({@code weft.webhooks.*}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.webhooks")
public interface WebhooksConfig {

    /** Allow plain http endpoint URLs (local runs and tests only). */
    @WithDefault("false")
    boolean allowHttp();

    /** CIDRs deliveries may reach even though they are private or loopback, e.g. 127.0.0.1/32 for local runs. */
    Optional<List<String>> allowedCidrs();

    /** A delivery attempt that has no answer after this failed. */
    @WithDefault("15s")
    Duration timeout();

    /** Waits before each retry; after the last one the delivery has failed. */
    @WithDefault("5s,30s,2m,10m,30m,2h,5h,10h")
    List<Duration> retrySchedule();

    /** An endpoint failing for this long without a success is disabled (endpoint.disabled). */
    @WithDefault("5d")
    Duration disableAfter();

    /** How long old and new secrets both sign after a rotation, unless the request says otherwise. */
    @WithDefault("24h")
    Duration rotationOverlap();

    /** Deliveries to one endpoint in flight at once, per replica. */
    @WithDefault("16")
    int maxInFlightPerEndpoint();

    /** Deliveries claimed per dispatch round. */
    @WithDefault("500")
    int claimBatch();

    /** After this many failures in a row an endpoint's deliveries wait {@code breaker-cooldown} before trying again. */
    @WithDefault("5")
    int breakerThreshold();

    @WithDefault("30s")
    Duration breakerCooldown();
}
