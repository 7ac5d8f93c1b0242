package dev.weft.platform.http.outbound;

import java.util.Objects;
import java.util.Optional;

/**
 * What one delivery attempt ended with: either a response (any status, redirects included) or a failure before a
 * response arrived.
 *
 * @param statusCode the response status, 0 when no response arrived
 * @param latencyMillis from the start of the send (name resolution included) until the outcome was known
 * @param responseExcerpt the first 4096 bytes of the response body as UTF-8 text, empty without a response
 * @param retryAfter the response's {@code Retry-After} header value, as sent
 * @param failure why no response arrived, {@link Failure#NONE} when one did
 * @param error a message safe to show the endpoint's owner, null when a response arrived
 */
public record OutboundOutcome(
        int statusCode,
        long latencyMillis,
        String responseExcerpt,
        Optional<String> retryAfter,
        Failure failure,
        String error) {

    public enum Failure {
        NONE,
        TIMEOUT,
        CONNECTION_REFUSED,
        DNS,
        TLS,
        BLOCKED_ADDRESS,
        INVALID_URL,
        IO
    }

    public OutboundOutcome {
        Objects.requireNonNull(responseExcerpt, "responseExcerpt");
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(failure, "failure");
    }

    public static OutboundOutcome response(int statusCode, long latencyMillis, String excerpt, String retryAfter) {
        return new OutboundOutcome(statusCode, latencyMillis, excerpt, Optional.ofNullable(retryAfter), Failure.NONE, null);
    }

    public static OutboundOutcome failed(Failure failure, long latencyMillis, String error) {
        if (failure == Failure.NONE) {
            throw new IllegalArgumentException("a failed outcome needs a failure");
        }
        return new OutboundOutcome(0, latencyMillis, "", Optional.empty(), failure, error);
    }

    /** Whether the endpoint answered at all (with any status). */
    public boolean responded() {
        return failure == Failure.NONE;
    }

    /** Whether the endpoint accepted the delivery (2xx). */
    public boolean succeeded() {
        return responded() && statusCode >= 200 && statusCode < 300;
    }
}
