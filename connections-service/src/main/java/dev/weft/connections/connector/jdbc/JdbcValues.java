package dev.weft.connections.connector.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts between Weft record values (String, Long, BigDecimal, Boolean, null, Map, List; RFC 3339
 * strings for timestamps) and what JDBC binds and returns, by column kind. A value that does not
 * fit its column is an {@link IllegalArgumentException} naming the field, never SQL text.
 */
public final class JdbcValues {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private JdbcValues() {
    }

    /** The value to bind for {@code column}: Long, BigDecimal, Boolean, LocalDate, LocalDateTime (UTC), OffsetDateTime, String, byte[], List. */
    public static Object toJdbc(Object value, ColumnInfo column) {
        if (value == null) {
            return null;
        }
        try {
            return switch (column.kind()) {
                case STRING, TIME, OTHER -> value instanceof Map<?, ?> || value instanceof List<?> ? JSON.writeValueAsString(value) : String.valueOf(value);
                case INTEGER -> integer(value, column);
                case NUMBER -> number(value, column);
                case BOOLEAN -> bool(value, column);
                case DATE -> date(value, column);
                case TIMESTAMP -> timestamp(value, column).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
                case TIMESTAMP_TZ -> timestamp(value, column);
                case JSON -> json(value);
                case ARRAY -> {
                    if (!(value instanceof List<?> list)) {
                        throw mismatch(value, column, "a list");
                    }
                    yield list;
                }
                case BINARY -> value instanceof byte[] bytes ? bytes : Base64.getDecoder().decode(String.valueOf(value));
            };
        } catch (JsonProcessingException e) {
            throw mismatch(value, column, "JSON");
        } catch (ArithmeticException | DateTimeParseException e) {
            throw mismatch(value, column, expected(column));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("field ")) {
                throw e;
            }
            throw mismatch(value, column, expected(column));
        }
    }

    private static Object integer(Object value, ColumnInfo column) {
        return switch (value) {
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case BigInteger big -> big.bitLength() < 64 ? (Object) big.longValue() : new BigDecimal(big);
            case BigDecimal decimal -> integral(decimal);
            case Double d when d == Math.rint(d) && !d.isInfinite() -> integral(BigDecimal.valueOf(d));
            case String s -> integral(new BigDecimal(s.trim()));
            default -> throw mismatch(value, column, "an integer");
        };
    }

    private static Object integral(BigDecimal decimal) {
        BigInteger exact = decimal.toBigIntegerExact();
        return exact.bitLength() < 64 ? (Object) exact.longValue() : new BigDecimal(exact);
    }

    private static BigDecimal number(Object value, ColumnInfo column) {
        return switch (value) {
            case BigDecimal decimal -> decimal;
            case Long l -> BigDecimal.valueOf(l);
            case Integer i -> BigDecimal.valueOf(i);
            case Double d -> BigDecimal.valueOf(d);
            case Float f -> new BigDecimal(f.toString());
            case BigInteger big -> new BigDecimal(big);
            case String s -> new BigDecimal(s.trim());
            default -> throw mismatch(value, column, "a number");
        };
    }

    private static Boolean bool(Object value, ColumnInfo column) {
        return switch (value) {
            case Boolean b -> b;
            case Number n when n.longValue() == 0 || n.longValue() == 1 -> n.longValue() == 1;
            case String s -> switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "t", "1", "yes" -> true;
                case "false", "f", "0", "no" -> false;
                default -> throw mismatch(value, column, "a boolean");
            };
            default -> throw mismatch(value, column, "a boolean");
        };
    }

    private static LocalDate date(Object value, ColumnInfo column) {
        if (!(value instanceof String text)) {
            throw mismatch(value, column, "a date (YYYY-MM-DD)");
        }
        String trimmed = text.trim();
        return trimmed.length() == 10 ? LocalDate.parse(trimmed) : timestamp(trimmed, column).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    }

    /** RFC 3339 (offset or Z), a local date-time taken as UTC, or a bare date meaning its UTC midnight. */
    private static OffsetDateTime timestamp(Object value, ColumnInfo column) {
        if (!(value instanceof String text)) {
            throw mismatch(value, column, "an RFC 3339 timestamp");
        }
        String normalized = text.trim().replace(' ', 'T');
        if (normalized.length() == 10) {
            return LocalDate.parse(normalized).atStartOfDay().atOffset(ZoneOffset.UTC);
        }
        OffsetDateTime quick = rfc3339(normalized);
        if (quick != null) {
            return quick;
        }
        try {
            return OffsetDateTime.parse(normalized);
        } catch (DateTimeParseException noOffset) {
            return LocalDateTime.parse(normalized).atOffset(ZoneOffset.UTC);
        }
    }

    /**
     * The common shape, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]} then {@code Z} or {@code ±HH:MM} (what reads and
     * {@link Instant#toString} write), decoded by hand: {@link OffsetDateTime#parse} cost a sync writing timestamps about
     * a tenth of connections-service's time. Anything else, or an impossible date, is null, and the caller parses it as
     * before (which also makes the error message), so both paths accept and produce exactly the same.
     */
    static OffsetDateTime rfc3339(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int at = 19;
        int nano = 0;
        if (text.charAt(at) == '.') {
            int start = ++at;
            while (at < length && at - start < 10 && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                nano = nano * 10 + (text.charAt(at) - '0');
                at++;
            }
            int count = at - start;
            if (count == 0 || count > 9) {
                return null;
            }
            for (int i = count; i < 9; i++) {
                nano *= 10;
            }
        }
        ZoneOffset offset;
        if (at == length - 1 && text.charAt(at) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (at == length - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':') {
            int hours = digits(text, at + 1, at + 3);
            int minutes = digits(text, at + 4, at + 6);
            if ((hours | minutes) < 0 || hours > 18 || minutes > 59) {
                return null;
            }
            int seconds = hours * 3600 + minutes * 60;
            if (seconds > 18 * 3600) {
                return null;
            }
            offset = ZoneOffset.ofTotalSeconds(text.charAt(at) == '-' ? -seconds : seconds);
        } else {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nano, offset);
        } catch (java.time.DateTimeException impossible) {
            return null;
        }
    }

    /** The decimal number in text[from, to), or -1 when a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String json(Object value) throws JsonProcessingException {
        if (value instanceof String text) {
            String trimmed = text.trim();
            if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
                try {
                    JSON.readTree(trimmed);
                    return trimmed;
                } catch (JsonProcessingException notJson) {
                    // a plain string that happens to start with a brace: store it as a JSON string
                }
            }
        }
        return JSON.writeValueAsString(value);
    }

    private static String expected(ColumnInfo column) {
        return switch (column.kind()) {
            case INTEGER -> "an integer";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case DATE -> "a date (YYYY-MM-DD)";
            case TIMESTAMP, TIMESTAMP_TZ -> "an RFC 3339 timestamp";
            case BINARY -> "base64 bytes";
            default -> "a " + column.kind().fieldType();
        };
    }

    private static IllegalArgumentException mismatch(Object value, ColumnInfo column, String expected) {
        String shown = String.valueOf(value);
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return new IllegalArgumentException("field " + column.name() + " (" + column.nativeType() + ") needs " + expected + ", got " + shown);
    }

    /** Binds with the setter matching the converted value's class; nulls typed by column kind. */
    public static void bindStandard(PreparedStatement statement, int index, Object value, ColumnInfo column) throws SQLException {
        switch (value) {
            case null -> statement.setNull(index, sqlType(column.kind()));
            case Long l -> statement.setLong(index, l);
            case BigDecimal d -> statement.setBigDecimal(index, d);
            case Boolean b -> statement.setBoolean(index, b);
            case String s -> statement.setString(index, s);
            case byte[] bytes -> statement.setBytes(index, bytes);
            case List<?> list -> statement.setString(index, JSON.valueToTree(list).toString());
            default -> statement.setObject(index, value);
        }
    }

    /** The JDBC type to bind a null of this kind with. */
    public static int sqlType(ValueKind kind) {
        return switch (kind) {
            case INTEGER -> Types.BIGINT;
            case NUMBER -> Types.NUMERIC;
            case BOOLEAN -> Types.BOOLEAN;
            case DATE -> Types.DATE;
            case TIMESTAMP -> Types.TIMESTAMP;
            case TIMESTAMP_TZ -> Types.TIMESTAMP_WITH_TIMEZONE;
            case BINARY -> Types.BINARY;
            case STRING -> Types.VARCHAR;
            case TIME, JSON, ARRAY, OTHER -> Types.OTHER;
        };
    }

    /**
     * The current row's column as a JSON-compatible value: timestamps as RFC 3339 UTC, json parsed, bytes base64.
     * Each column is fetched once, with the getter its kind needs (decoding text or a timestamp twice shows in bulk reads).
     */
    public static Object read(ResultSet rows, int index, ColumnInfo column) throws SQLException {
        try {
            return switch (column.kind()) {
                // numbers by the driver's own class: it tells NaN and unsigned or huge values apart
                case INTEGER, NUMBER, ARRAY -> readObject(rows, index, column);
                case BOOLEAN -> {
                    boolean value = rows.getBoolean(index);
                    yield rows.wasNull() ? null : value;
                }
                case DATE -> {
                    LocalDate date = rows.getObject(index, LocalDate.class);
                    yield date == null ? null : date.toString();
                }
                case TIMESTAMP -> {
                    LocalDateTime dateTime = rows.getObject(index, LocalDateTime.class);
                    yield dateTime == null ? null : utcText(dateTime);
                }
                case TIMESTAMP_TZ -> {
                    OffsetDateTime dateTime = rows.getObject(index, OffsetDateTime.class);
                    yield dateTime == null ? null : utcText(dateTime.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
                }
                case JSON -> {
                    String text = rows.getString(index);
                    yield text == null ? null : JSON.readValue(text, Object.class);
                }
                case BINARY -> {
                    byte[] bytes = rows.getBytes(index);
                    yield bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
                }
                // a uuid's text is what UUID.toString() gives
                case STRING, TIME, OTHER -> rows.getString(index);
            };
        } catch (JsonProcessingException | RuntimeException e) {
            // values outside java.time's range (PostgreSQL 'infinity') or odd JSON: the database's text is the best answer
            return rows.getString(index);
        }
    }

    /**
     * A UTC date-time as {@code Instant.toString()} writes it (seconds always, a fraction in groups
     * of three digits when there is one), without the general formatter, which shows in bulk reads.
     */
    static String utcText(LocalDateTime utc) {
        int year = utc.getYear();
        if (year < 1000 || year > 9999) {
            return utc.toInstant(ZoneOffset.UTC).toString();
        }
        StringBuilder text = new StringBuilder(30).append(year).append('-');
        pad(text, utc.getMonthValue(), 2).append('-');
        pad(text, utc.getDayOfMonth(), 2).append('T');
        pad(text, utc.getHour(), 2).append(':');
        pad(text, utc.getMinute(), 2).append(':');
        pad(text, utc.getSecond(), 2);
        int nano = utc.getNano();
        if (nano != 0) {
            text.append('.');
            if (nano % 1_000_000 == 0) {
                pad(text, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                pad(text, nano / 1000, 6);
            } else {
                pad(text, nano, 9);
            }
        }
        return text.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder text, int value, int digits) {
        String number = Integer.toString(value);
        for (int i = number.length(); i < digits; i++) {
            text.append('0');
        }
        return text.append(number);
    }

    private static Object readObject(ResultSet rows, int index, ColumnInfo column) throws SQLException {
        Object raw = rows.getObject(index);
        if (raw == null) {
            return null;
        }
        return switch (column.kind()) {
            case INTEGER -> switch (raw) {
                case Long l -> l;
                case Number n when !(n instanceof BigDecimal) && !(n instanceof BigInteger) -> n.longValue();
                case Boolean b -> b ? 1L : 0L;
                default -> integral(new BigDecimal(raw.toString()));
            };
            case NUMBER -> switch (raw) {
                case BigDecimal d -> d;
                case Double d -> d.isNaN() || d.isInfinite() ? d.toString() : d;
                case Float f -> f.isNaN() || f.isInfinite() ? f.toString() : new BigDecimal(f.toString());
                case Number n -> new BigDecimal(n.toString());
                default -> new BigDecimal(raw.toString());
            };
            default -> raw instanceof Array array ? list(array) : rows.getString(index);
        };
    }

    private static List<Object> list(Array array) throws SQLException {
        Object[] elements = (Object[]) array.getArray();
        List<Object> values = new ArrayList<>(elements.length);
        for (Object element : elements) {
            values.add(switch (element) {
                case null -> null;
                case Integer i -> i.longValue();
                case Short s -> s.longValue();
                case Long l -> l;
                case BigDecimal d -> d;
                case Double d -> d;
                case Boolean b -> b;
                case Array nested -> list(nested);
                default -> element.toString();
            });
        }
        return values;
    }
}
