package dev.weft.connections.connector.snowflake;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.ValueKind;
import dev.weft.connections.connector.snowflake.SnowflakeApi.Binding;
import dev.weft.connections.connector.snowflake.SnowflakeApi.Column;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Values between Weft records and Snowflake's SQL API. Outbound, a value already converted for its column by
 * {@code JdbcValues.toJdbc} becomes a binding: FIXED for integers and decimals, REAL for floats, BOOLEAN, BINARY (hex),
 * and TEXT for everything Snowflake casts from text on its own (dates, times and timestamps in ISO 8601; JSON, which
 * the statement wraps in PARSE_JSON). Inbound, the API's text values become JSON values by {@code rowType}: dates
 * come as days since the epoch, timestamps as epoch seconds with nanoseconds (TIMESTAMP_TZ followed by its offset).
 */
final class SnowflakeValues {
    private static final java.time.format.DateTimeFormatter LOCAL = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");
    private static final java.time.format.DateTimeFormatter OFFSET = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSxxx");

    private SnowflakeValues() {
    }

    /** The column kind Weft uses for a Snowflake {@code DATA_TYPE} (and the scale of NUMBER). */
    static ValueKind kind(String dataType, int scale) {
        return switch (dataType.toUpperCase(Locale.ROOT)) {
            case "NUMBER", "DECIMAL", "NUMERIC", "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT" ->
                    scale == 0 ? ValueKind.INTEGER : ValueKind.NUMBER;
            case "FLOAT", "FLOAT4", "FLOAT8", "DOUBLE", "DOUBLE PRECISION", "REAL" -> ValueKind.NUMBER;
            case "BOOLEAN" -> ValueKind.BOOLEAN;
            case "DATE" -> ValueKind.DATE;
            case "TIMESTAMP_NTZ", "DATETIME" -> ValueKind.TIMESTAMP;
            case "TIMESTAMP_LTZ", "TIMESTAMP_TZ" -> ValueKind.TIMESTAMP_TZ;
            case "TIME" -> ValueKind.TIME;
            case "VARIANT", "OBJECT" -> ValueKind.JSON;
            case "ARRAY" -> ValueKind.ARRAY;
            case "BINARY", "VARBINARY" -> ValueKind.BINARY;
            case "TEXT", "VARCHAR", "STRING", "CHAR", "CHARACTER" -> ValueKind.STRING;
            default -> ValueKind.OTHER;
        };
    }

    /** Semi-structured columns take their bound text through PARSE_JSON. */
    static boolean semiStructured(ColumnInfo column) {
        return column.kind() == ValueKind.JSON || column.kind() == ValueKind.ARRAY;
    }

    /** The binding of a value converted by {@code JdbcValues.toJdbc} for {@code column} (null included). */
    static Binding binding(Object value, ColumnInfo column) {
        String type = switch (column.kind()) {
            case INTEGER -> "FIXED";
            case NUMBER -> isFloat(column) ? "REAL" : "FIXED";
            case BOOLEAN -> "BOOLEAN";
            case BINARY -> "BINARY";
            default -> "TEXT";
        };
        if (value == null) {
            return new Binding(type, null);
        }
        return switch (value) {
            case Long l -> new Binding(type.equals("REAL") ? "REAL" : "FIXED", l.toString());
            case BigDecimal d -> new Binding(type.equals("REAL") ? "REAL" : "FIXED", d.toPlainString());
            case Boolean b -> new Binding("BOOLEAN", b.toString());
            case byte[] bytes -> new Binding("BINARY", HexFormat.of().withUpperCase().formatHex(bytes));
            case List<?> list -> new Binding("TEXT", json(list));
            case Map<?, ?> map -> new Binding("TEXT", json(map));
            // ISO 8601 with seconds and offset spelled out, which Snowflake's AUTO formats read
            case java.time.LocalDateTime dateTime -> new Binding("TEXT", LOCAL.format(dateTime));
            case java.time.OffsetDateTime dateTime -> new Binding("TEXT", OFFSET.format(dateTime));
            default -> new Binding("TEXT", value.toString());
        };
    }

    private static boolean isFloat(ColumnInfo column) {
        String type = column.nativeType().toUpperCase(Locale.ROOT);
        return type.startsWith("FLOAT") || type.startsWith("DOUBLE") || type.equals("REAL");
    }

    private static String json(Object value) {
        try {
            return SnowflakeApi.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be written as JSON");
        }
    }

    /** A result value (text as the SQL API sends it) as a JSON-compatible record value. */
    static Object read(String text, Column column) {
        if (text == null) {
            return null;
        }
        try {
            return switch (column.type()) {
                case "fixed" -> column.scale() == 0 ? integer(text) : new BigDecimal(text);
                case "real" -> real(text);
                case "boolean" -> text.equalsIgnoreCase("true") || text.equals("1");
                case "date" -> LocalDate.ofEpochDay(Long.parseLong(text.trim())).toString();
                case "time" -> LocalTime.ofNanoOfDay(nanos(text.trim())).toString();
                case "timestamp_ntz", "timestamp_ltz" -> instant(text.trim()).toString();
                case "timestamp_tz" -> instant(text.trim().split(" ")[0]).toString();
                case "variant", "object", "array" -> SnowflakeApi.JSON.readValue(text, Object.class);
                case "binary" -> Base64.getEncoder().encodeToString(HexFormat.of().parseHex(text));
                default -> text;
            };
        } catch (JsonProcessingException | RuntimeException e) {
            // a value outside what Java reads (a far-future date, odd JSON): Snowflake's text is the best answer
            return text;
        }
    }

    private static Object integer(String text) {
        BigInteger value = new BigInteger(text.trim());
        return value.bitLength() < 64 ? (Object) value.longValue() : new BigDecimal(value);
    }

    private static Object real(String text) {
        double value = Double.parseDouble(text);
        return Double.isNaN(value) || Double.isInfinite(value) ? text : (Object) new BigDecimal(text.trim());
    }

    /** {@code 1616173619.123456789}: seconds since the epoch, then nanoseconds. */
    private static Instant instant(String text) {
        BigDecimal seconds = new BigDecimal(text);
        long whole = seconds.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP).longValue();
        return Instant.ofEpochSecond(whole, nanos);
    }

    private static long nanos(String secondsOfDay) {
        return new BigDecimal(secondsOfDay).movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }
}
