package dev.weft.platform.ratelimit;

import io.smallrye.config.WithDefault;

import java.util.Map;

/**
 * Per-organization request limits by plan (seed 000: developer 60/min, 10,000/day, burst 100;
 * professional 300/min, 100,000/day, burst 500; enterprise 1,000/min, unlimited/day, burst 2,000).
 * Read as {@code weft.platform.rate-limit.*} through {@link dev.weft.platform.config.PlatformConfig#rateLimit()}.
 */
public interface RateLimitConfig {

    @WithDefault("true")
    boolean enabled();

    /** {@code memory} for a single replica; {@code redis} so every replica of every service shares one budget per org. */
    @WithDefault("memory")
    Store store();

    @WithDefault("redis://127.0.0.1:6379")
    String redisUri();

    /** Plan of a credential that names none. */
    @WithDefault("developer")
    String defaultPlan();

    /** Limits by plan name; defaults in libs/platform's microprofile-config.properties. */
    Map<String, Plan> plans();

    enum Store { MEMORY, REDIS }

    interface Plan {
        long perMinute();

        /** 0 means no daily limit. */
        @WithDefault("0")
        long perDay();

        long burst();
    }
}
