package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JdbcValuesTest {

    @Test
    void utc_text_is_exactly_what_instant_to_string_writes() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            int year = i % 50 == 0 ? random.nextInt(12_000) - 1000 : 1900 + random.nextInt(200);
            LocalDateTime value = LocalDateTime.of(year, 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), nano);
            assertEquals(value.toInstant(ZoneOffset.UTC).toString(), JdbcValues.utcText(value));
        }
    }

    @Test
    void the_hand_decoded_timestamp_is_exactly_what_offset_date_time_parses() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            LocalDateTime local = LocalDateTime.of(1 + random.nextInt(9999), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), nano);
            ZoneOffset offset = i % 3 == 0 ? ZoneOffset.UTC : ZoneOffset.ofTotalSeconds((random.nextInt(36 * 4 + 1) - 18 * 4) * 15 * 60);
            // toString leaves out zero seconds: that shape is the full parser's (null here), every other one is decoded.
            String text = local.atOffset(offset).toString();
            java.time.OffsetDateTime quick = JdbcValues.rfc3339(text);
            if (quick != null || local.getSecond() != 0 || local.getNano() != 0) {
                assertEquals(java.time.OffsetDateTime.parse(text), quick, text);
            }
            String utc = local.toInstant(ZoneOffset.UTC).toString();
            assertEquals(java.time.OffsetDateTime.parse(utc), JdbcValues.rfc3339(utc), utc);
        }
        // Shapes it leaves to the full parser (which accepts some and refuses others, as before), and impossible dates.
        for (String other : List.of("2024-01-01T10:15Z", "2024-01-01T10:15:30+01", "2024-01-01T10:15:30+01:00:30", "+12024-01-01T10:15:30Z",
                "2024-01-01T10:15:30.Z", "2024-01-01T10:15:30.1234567890Z", "2024-02-30T10:15:30Z", "2024-01-01T24:00:00Z",
                "2024-01-01T10:15:60Z", "2024-13-01T10:15:30Z", "2024-01-01T10:15:30+19:00", "2024-01-01T10:15:30+18:01", "2024-01-01T10:15:30z",
                "2024-01-01T10:15:30", "２０２４-01-01T10:15:30Z", "2024-01-01T10:15:30-00:00")) {
            java.time.OffsetDateTime quick = JdbcValues.rfc3339(other);
            if (quick != null) {
                assertEquals(java.time.OffsetDateTime.parse(other), quick, other);
            }
        }
    }

    @Test
    void cursors_decode_to_what_was_encoded_and_refuse_anything_else() {
        JdbcCursor values = new JdbcCursor(JdbcCursor.Phase.VALUES, "2024-01-01T00:00:00Z",
                Arrays.asList(7L, "a\"b\\c", new BigDecimal("1.50"), true, null), 0);
        assertEquals(new JdbcCursor(JdbcCursor.Phase.VALUES, "2024-01-01T00:00:00Z",
                Arrays.asList(7, "a\"b\\c", new BigDecimal("1.50"), true, null), 0), JdbcCursor.decode(values.encode()));
        assertEquals(new JdbcCursor(JdbcCursor.Phase.OFFSET, null, null, 12_345_678_901L),
                JdbcCursor.decode(new JdbcCursor(JdbcCursor.Phase.OFFSET, null, null, 12_345_678_901L).encode()));
        assertEquals(JdbcCursor.start(JdbcCursor.Phase.NULLS), JdbcCursor.decode(JdbcCursor.start(JdbcCursor.Phase.NULLS).encode()));
        for (String foreign : List.of("not-a-cursor", "W10", "eyJwIjoieCJ9", "eyJwIjoiayIsImsiOjF9", "eyJwIjoibyIsIm8iOi0xfQ")) {
            ConnectorException refused = assertThrows(ConnectorException.class, () -> JdbcCursor.decode(foreign), foreign);
            assertEquals("cursor", refused.details().get("field"));
        }
    }
}
