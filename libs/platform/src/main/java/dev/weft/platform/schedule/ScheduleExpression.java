package dev.weft.platform.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.weft.platform.error.ApiException;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When a schedule is due: {@code hourly} (minute 0 of every hour), {@code daily} (midnight), or a
 * 5-field Unix cron expression ({@code minute hour day-of-month month day-of-week}, as crontab(5)
 * reads it, parsed by cron-utils), read in an IANA time zone (UTC by default).
 *
 * <p>Wall-clock times follow the zone's daylight-saving changes as cron-utils computes them: a time
 * that does not exist on the day clocks go forward (02:30 in Europe/Berlin on the last Sunday of
 * March) is skipped that day; a time that occurs twice when they go back fires once.
 *
 * <p>An expression that does not parse, or that no date matches ({@code 0 0 30 2 *}), is refused
 * with a 400 naming the field and the problem, so an API passes it on to its caller as it is.
 */
public final class ScheduleExpression {
    public static final String HOURLY = "hourly";
    public static final String DAILY = "daily";
    /** The most due times one preview computes. */
    public static final int MAX_PREVIEW = 100;
    private static final int MAX_LENGTH = 200;
    private static final Map<String, String> NAMED = Map.of(HOURLY, "0 * * * *", DAILY, "0 0 * * *");
    private static final String FORMS = "\"hourly\", \"daily\" or a 5-field cron expression (minute hour day-of-month month day-of-week)";
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime times;

    private ScheduleExpression(String expression, ZoneId zone, ExecutionTime times) {
        this.expression = expression;
        this.zone = zone;
        this.times = times;
    }

    /** Parses an API's {@code schedule} and {@code timezone} fields; a null or blank zone is UTC. */
    public static ScheduleExpression parse(String expression, String timezone) {
        return parse(expression, timezone, "schedule", "timezone");
    }

    /** As {@link #parse(String, String)}, naming other fields in the 400 (e.g. a trigger's {@code config.cron}). */
    public static ScheduleExpression parse(String expression, String timezone, String expressionField, String timezoneField) {
        ZoneId zone = zone(timezone, timezoneField);
        if (expression == null || expression.isBlank()) {
            throw ApiException.invalid(expressionField, "required", expressionField + " is required: " + FORMS);
        }
        String given = expression.strip();
        if (given.length() > MAX_LENGTH) {
            throw ApiException.invalid(expressionField, "cron", expressionField + " is longer than " + MAX_LENGTH + " characters");
        }
        String cron = NAMED.get(given.toLowerCase(Locale.ROOT));
        if (cron == null) {
            int fields = given.split("\\s+").length;
            if (fields != 5) {
                throw ApiException.invalid(expressionField, "cron", expressionField + " \"" + given + "\" is not " + FORMS
                        + (fields > 1 ? ": it has " + fields + " fields" : ""));
            }
            cron = given;
        }
        ExecutionTime times;
        try {
            Cron parsed = UNIX.parse(cron);
            parsed.validate();
            times = ExecutionTime.forCron(parsed);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(expressionField, "cron", expressionField + " \"" + given + "\" is not a valid cron expression: " + reason(e));
        }
        ScheduleExpression schedule = new ScheduleExpression(given, zone, times);
        if (schedule.nextAfter(Instant.now()).isEmpty()) {
            throw ApiException.invalid(expressionField, "cron", expressionField + " \"" + given + "\" never fires: no date matches it");
        }
        return schedule;
    }

    /** The expression as given (trimmed): {@code hourly}, {@code daily} or the cron expression. */
    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first due time strictly after {@code instant}; empty if there is none. */
    public Optional<Instant> nextAfter(Instant instant) {
        return times.nextExecution(ZonedDateTime.ofInstant(instant, zone)).map(ZonedDateTime::toInstant);
    }

    /** The next {@code count} due times strictly after {@code instant} (fewer if the expression runs out). */
    public List<Instant> next(Instant instant, int count) {
        if (count < 1 || count > MAX_PREVIEW) {
            throw new IllegalArgumentException("count must be between 1 and " + MAX_PREVIEW + ": " + count);
        }
        List<Instant> due = new ArrayList<>(count);
        Instant after = instant;
        while (due.size() < count) {
            Optional<Instant> next = nextAfter(after);
            if (next.isEmpty()) {
                break;
            }
            due.add(next.get());
            after = next.get();
        }
        return due;
    }

    private static ZoneId zone(String timezone, String field) {
        if (timezone == null || timezone.isBlank()) {
            return UTC;
        }
        try {
            return ZoneId.of(timezone.strip());
        } catch (DateTimeException e) {
            throw ApiException.invalid(field, "timezone", field + " \"" + timezone + "\" is not an IANA time zone such as \"Europe/Berlin\" or \"UTC\"");
        }
    }

    /** cron-utils' message without its generic prefix, e.g. {@code value 61 not in range [0, 59]}. */
    private static String reason(IllegalArgumentException e) {
        String message = Objects.requireNonNullElse(e.getMessage(), "unreadable");
        message = message.replaceFirst("^Failed to parse cron expression\\.\\s*", "");
        return message.isEmpty() ? "unreadable" : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScheduleExpression that && expression.equals(that.expression) && zone.equals(that.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression, zone);
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}
