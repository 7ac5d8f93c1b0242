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
