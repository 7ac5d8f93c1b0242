package dev.weft.platform.http.outbound;

import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of an {@link OutboundClient}'s HTTP client (one per use: webhooks, workflow actions, ...).
 *
 * @param connectTimeout longest wait for a pooled connection or a new TCP+TLS connection (capped per request by
 *     the request's own timeout)
 * @param maxPoolSize most open connections per destination (host, port and resolved address)
 * @param maxWaitQueueSize most requests waiting for a connection per destination, -1 for unbounded
 * @param idleTimeout how long an unused pooled connection stays open
 * @param userAgent sent unless the caller's headers carry one
 * @param trustOptions certificates to trust instead of the JVM's defaults, null for the defaults (tests only)
 */
public record OutboundOptions(
        Duration connectTimeout,
        int maxPoolSize,
        int maxWaitQueueSize,
        Duration idleTimeout,
        String userAgent,
        TrustOptions trustOptions) {

    public OutboundOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(userAgent, "userAgent");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive");
        }
        if (idleTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("idleTimeout must be at least one second");
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be positive");
        }
    }

    public static OutboundOptions defaults() {
        return new OutboundOptions(Duration.ofSeconds(5), 50, -1, Duration.ofSeconds(30), "Weft/1.0", null);
    }

    public OutboundOptions withConnectTimeout(Duration value) {
        return new OutboundOptions(value, maxPoolSize, maxWaitQueueSize, idleTimeout, userAgent, trustOptions);
    }

    public OutboundOptions withMaxPoolSize(int value) {
        return new OutboundOptions(connectTimeout, value, maxWaitQueueSize, idleTimeout, userAgent, trustOptions);
    }

    public OutboundOptions withMaxWaitQueueSize(int value) {
        return new OutboundOptions(connectTimeout, maxPoolSize, value, idleTimeout, userAgent, trustOptions);
    }

    public OutboundOptions withIdleTimeout(Duration value) {
        return new OutboundOptions(connectTimeout, maxPoolSize, maxWaitQueueSize, value, userAgent, trustOptions);
    }

    public OutboundOptions withUserAgent(String value) {
        return new OutboundOptions(connectTimeout, maxPoolSize, maxWaitQueueSize, idleTimeout, value, trustOptions);
    }

    public OutboundOptions withTrustOptions(TrustOptions value) {
        return new OutboundOptions(connectTimeout, maxPoolSize, maxWaitQueueSize, idleTimeout, userAgent, value);
    }
}
