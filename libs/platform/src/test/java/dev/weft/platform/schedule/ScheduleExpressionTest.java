package dev.weft.platform.schedule;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When schedules are due, and how a refused expression is reported: no database, no clock but the one given. */
class ScheduleExpressionTest {

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    private static List<Instant> next(String expression, String zone, String after, int count) {
        return ScheduleExpression.parse(expression, zone).next(at(after), count);
    }

    @Test
    void hourly_is_due_at_minute_zero_of_every_hour() {
        assertEquals(List.of(at("2026-05-04T11:00:00Z"), at("2026-05-04T12:00:00Z"), at("2026-05-04T13:00:00Z")),
                next("hourly", null, "2026-05-04T10:17:42Z", 3));
        // Strictly after: a schedule that just fired at 11:00 is next due at 12:00.
        assertEquals(List.of(at("2026-05-04T12:00:00Z")), next("hourly", null, "2026-05-04T11:00:00Z", 1));
    }

    @Test
    void daily_is_due_at_midnight_in_its_zone() {
        assertEquals(List.of(at("2026-05-05T00:00:00Z"), at("2026-05-06T00:00:00Z")), next("daily", "UTC", "2026-05-04T10:17:42Z", 2));
        // Midnight in Berlin is 22:00 UTC in summer and 23:00 UTC in winter.
        assertEquals(List.of(at("2026-05-04T22:00:00Z")), next("daily", "Europe/Berlin", "2026-05-04T10:17:42Z", 1));
        assertEquals(List.of(at("2026-01-04T23:00:00Z")), next("DAILY", "Europe/Berlin", "2026-01-04T10:17:42Z", 1));
        assertEquals(ZoneId.of("UTC"), ScheduleExpression.parse("daily", " ").zone());
    }

    @Test
    void a_cron_expression_is_read_as_crontab_reads_it() {
        // Every 15 minutes from 09:00 to 17:45, Monday to Friday: Friday 17:45 is followed by Monday 09:00.
        assertEquals(List.of(at("2026-05-08T17:45:00Z"), at("2026-05-11T09:00:00Z"), at("2026-05-11T09:15:00Z")),
                next("*/15 9-17 * * 1-5", null, "2026-05-08T17:31:00Z", 3));
        // Names, and Sunday as 7.
        assertEquals(List.of(at("2026-05-10T06:30:00Z"), at("2026-05-17T06:30:00Z")), next("30 6 * * SUN", null, "2026-05-08T00:00:00Z", 2));
        assertEquals(List.of(at("2026-05-10T06:30:00Z")), next("30 6 * * 7", null, "2026-05-08T00:00:00Z", 1));
        // Day of month and day of week both restricted: either matches (crontab(5)), Friday the 1st and every Monday.
        assertEquals(List.of(at("2026-05-01T00:00:00Z"), at("2026-05-04T00:00:00Z"), at("2026-05-11T00:00:00Z")),
                next("0 0 1 * MON", null, "2026-04-30T12:00:00Z", 3));
        // 29 February comes every fourth year.
        assertEquals(List.of(at("2028-02-29T00:00:00Z")), next("0 0 29 2 *", null, "2026-03-01T00:00:00Z", 1));
    }

    @Test
    void wall_clock_times_follow_daylight_saving() {
        // 02:30 does not exist in Berlin on 29 March 2026 (clocks go 02:00 -> 03:00): that day is skipped.
        assertEquals(List.of(at("2026-03-28T01:30:00Z"), at("2026-03-30T00:30:00Z")), next("30 2 * * *", "Europe/Berlin", "2026-03-28T00:00:00Z", 2));
        // 02:30 happens twice on 25 October 2026 (03:00 -> 02:00): it fires once, at the first.
        assertEquals(List.of(at("2026-10-25T00:30:00Z"), at("2026-10-26T01:30:00Z")), next("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 2));
        // hourly fires every real hour through the change, the repeated 02:00 included.
        assertEquals(List.of(at("2026-10-25T00:00:00Z"), at("2026-10-25T01:00:00Z"), at("2026-10-25T02:00:00Z")),
                next("hourly", "Europe/Berlin", "2026-10-24T23:30:00Z", 3));
    }

    @Test
    void a_refused_expression_is_a_400_that_names_the_problem() {
        assertRefused("every hour", "schedule", "cron",
                "schedule \"every hour\" is not \"hourly\", \"daily\" or a 5-field cron expression (minute hour day-of-month month day-of-week): it has 2 fields");
        assertRefused("realtime", "schedule", "cron",
                "schedule \"realtime\" is not \"hourly\", \"daily\" or a 5-field cron expression (minute hour day-of-month month day-of-week)");
        assertRefused("0 0 * * * *", "schedule", "cron", "it has 6 fields");
        assertRefused("61 * * * *", "schedule", "cron", "schedule \"61 * * * *\" is not a valid cron expression: value 61 not in range [0, 59]");
        assertRefused("0 24 * * *", "schedule", "cron", "value 24 not in range [0, 23]");
        assertRefused("0 0 L * *", "schedule", "cron", "is not a valid cron expression: invalid chars in expression");
        assertRefused("0 0 30 2 *", "schedule", "cron", "schedule \"0 0 30 2 *\" never fires: no date matches it");
        assertRefused(" ", "schedule", "required", "schedule is required");
        assertRefused("0 0 " + "1,".repeat(100) + "1 * *", "schedule", "cron", "longer than 200 characters");

        ApiException zone = assertThrows(ApiException.class, () -> ScheduleExpression.parse("daily", "Mars/Olympus"));
        assertEquals("timezone", zone.details().get("field"));
        assertEquals("timezone", zone.details().get("constraint"));
        assertEquals("timezone \"Mars/Olympus\" is not an IANA time zone such as \"Europe/Berlin\" or \"UTC\"", zone.getMessage());

        ApiException renamed = assertThrows(ApiException.class, () -> ScheduleExpression.parse("hourly!", null, "config.cron", "config.timezone"));
        assertEquals("config.cron", renamed.details().get("field"));
        assertTrue(renamed.getMessage().startsWith("config.cron \"hourly!\""), renamed.getMessage());
    }

    @Test
    void a_preview_is_bounded() {
        assertEquals(ScheduleExpression.MAX_PREVIEW, next("* * * * *", null, "2026-05-04T10:00:00Z", ScheduleExpression.MAX_PREVIEW).size());
        assertThrows(IllegalArgumentException.class, () -> next("* * * * *", null, "2026-05-04T10:00:00Z", ScheduleExpression.MAX_PREVIEW + 1));
        assertThrows(IllegalArgumentException.class, () -> next("* * * * *", null, "2026-05-04T10:00:00Z", 0));
    }

    private static void assertRefused(String expression, String field, String constraint, String message) {
        ApiException refused = assertThrows(ApiException.class, () -> ScheduleExpression.parse(expression, "UTC"), expression);
        assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
        assertEquals(field, refused.details().get("field"));
        assertEquals(constraint, refused.details().get("constraint"));
        assertTrue(refused.getMessage().contains(message), refused.getMessage());
    }
}
