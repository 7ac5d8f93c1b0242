package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * {@code delay}: waits {@code duration} ({@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}, ISO-8601 {@code PT15M}, or
 * {@code seconds}) before the next step. Durable: the wait is the execution's due time in the database, not a sleeping
 * thread, so it survives restarts and any replica resumes it.
 */
@ApplicationScoped
public class DelayAction implements Action {
    static final Duration MAX = Duration.ofDays(30);

    @Override
    public String type() {
        return "delay";
    }

    @Override
    public void check(ObjectNode config, String at) {
        duration(config, at);
    }

    @Override
    public StepResult run(StepInput input) {
        Duration wait = duration(input.config(), "");
        Instant resumeAt = Instant.now().plus(wait);
        return new StepResult(Map.of("waited_ms", wait.toMillis(), "resume_at", resumeAt.toString()), null, java.util.List.of(), false, resumeAt);
    }

    static Duration duration(ObjectNode config, String at) {
        JsonNode seconds = config.get("seconds");
        JsonNode text = config.get("duration");
        Duration duration;
        if (seconds != null && seconds.isNumber()) {
            duration = Duration.ofMillis((long) (seconds.asDouble() * 1000));
        } else if (text != null && text.isTextual()) {
            duration = parse(text.asText().trim(), at);
        } else {
            throw ApiException.invalid(at + ".duration", "required", at + ".duration is required, e.g. \"15m\" (or seconds: 900)");
        }
        if (duration.isNegative() || duration.compareTo(MAX) > 0) {
            throw ApiException.invalid(at + ".duration", "range", at + ".duration must be between 0 and 30 days");
        }
        return duration;
    }

    private static Duration parse(String text, String at) {
        try {
            if (text.toUpperCase(Locale.ROOT).startsWith("P")) {
                return Duration.parse(text);
            }
            var matcher = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(text.toLowerCase(Locale.ROOT));
            if (matcher.matches()) {
                long n = Long.parseLong(matcher.group(1));
                return switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // falls through to the 400
        }
        throw ApiException.invalid(at + ".duration", "format", at + ".duration \"" + text + "\" is not a duration such as 30s, 15m, 2h, 1d or PT15M");
    }
}
