package dev.weft.auth.org;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * The plans of seed 000 with their rate limits. Stored and shown here; enforcement reads them
 * elsewhere. An empty daily limit means unlimited.
 */
public enum Plan {
    DEVELOPER(60, OptionalLong.of(10_000), 100),
    PROFESSIONAL(300, OptionalLong.of(100_000), 500),
    ENTERPRISE(1_000, OptionalLong.empty(), 2_000);

    private final int requestsPerMinute;
    private final OptionalLong requestsPerDay;
    private final int burst;

    Plan(int requestsPerMinute, OptionalLong requestsPerDay, int burst) {
        this.requestsPerMinute = requestsPerMinute;
        this.requestsPerDay = requestsPerDay;
        this.burst = burst;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Unknown names fail JSON binding, which the platform maps to a 400 naming the field. */
    @JsonCreator
    public static Plan fromWire(String value) {
        for (Plan plan : values()) {
            if (plan.wireName().equals(value)) {
                return plan;
            }
        }
        throw new IllegalArgumentException("plan must be developer, professional or enterprise");
    }

    public Limits limits() {
        return new Limits(requestsPerMinute, requestsPerDay.isPresent() ? requestsPerDay.getAsLong() : null, burst);
    }

    /** {@code requests_per_day} is null for unlimited. */
    public record Limits(int requestsPerMinute, Long requestsPerDay, int burst) {
    }
}
