package dev.weft.platform.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Token buckets per organization (Bucket4j): capacity = the plan's burst, refilled at its
 * per-minute rate, plus a daily allowance. With the Redis store the bucket state lives in Redis
 * under {@code weft:rl:<org>} and is updated by compare-and-swap, so all replicas of all services
 * draw from one budget per org; in memory each process has its own (one replica only).
 */
@ApplicationScoped
public class RateLimiter {
    private static final String KEY_PREFIX = "weft:rl:";

    private final RateLimitConfig config;
    private final Map<String, BucketConfiguration> plans = new ConcurrentHashMap<>();
    private final Function<String, Bucket> buckets;
    private RedisClient redisClient;
    private StatefulRedisConnection<String, byte[]> redisConnection;

    @jakarta.inject.Inject
    public RateLimiter(dev.weft.platform.config.PlatformConfig config) {
        this(config.rateLimit());
    }

    public RateLimiter(RateLimitConfig config) {
        this.config = config;
        if (config.store() == RateLimitConfig.Store.REDIS) {
            redisClient = RedisClient.create(config.redisUri());
            redisConnection = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            ProxyManager<String> proxies = Bucket4jLettuce.casBasedBuilder(redisConnection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                    .build();
            buckets = key -> proxies.getProxy(KEY_PREFIX + key, () -> configurationFor(planOf(key)));
        } else {
            Map<String, Bucket> local = new ConcurrentHashMap<>();
            buckets = key -> local.computeIfAbsent(key, k -> {
                var builder = Bucket.builder();
                for (Bandwidth limit : configurationFor(planOf(k)).getBandwidths()) {
                    builder.addLimit(limit);
                }
                return builder.build();
            });
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Charges one request to the org's budget under its plan. */
    public RateLimitDecision consume(String orgId, String planName) {
        String plan = planName == null || !config.plans().containsKey(planName) ? config.defaultPlan() : planName;
        RateLimitConfig.Plan limits = config.plans().get(plan);
        if (limits == null) {
            throw new IllegalStateException("no rate-limit plan " + plan + " configured");
        }
        ConsumptionProbe probe = buckets.apply(orgId + "|" + plan).tryConsumeAndReturnRemaining(1);
        long now = Instant.now().getEpochSecond();
        long reset = now + ceilSeconds(probe.getNanosToWaitForReset());
        long retryAfter = probe.isConsumed() ? 0 : Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
        return new RateLimitDecision(probe.isConsumed(), limits.perMinute(), probe.getRemainingTokens(), reset, retryAfter);
    }

    private static String planOf(String key) {
        return key.substring(key.indexOf('|') + 1);
    }

    private BucketConfiguration configurationFor(String plan) {
        return plans.computeIfAbsent(plan, name -> {
            RateLimitConfig.Plan limits = config.plans().get(name);
            var builder = BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(limits.burst()).refillGreedy(limits.perMinute(), Duration.ofMinutes(1)).id("minute"));
            if (limits.perDay() > 0) {
                builder.addLimit(limit -> limit.capacity(limits.perDay()).refillIntervally(limits.perDay(), Duration.ofDays(1)).id("day"));
            }
            return builder.build();
        });
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }

    @PreDestroy
    void close() {
        if (redisConnection != null) {
            redisConnection.close();
            redisClient.shutdown();
            Log.debug("event=rate_limit_redis_closed");
        }
    }
}
