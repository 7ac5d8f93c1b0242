package dev.weft.platform.ratelimit;

/** What one request cost: whether it may proceed, and what the rate-limit headers say. */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetEpochSeconds, long retryAfterSeconds) {
}
