package dev.weft.connections.capture.log;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka Connect values as a record event carries them: a row as a map of JSON-friendly values. Debezium's temporal
 * types become ISO-8601 text (dates, times, timestamps; those with a zone in UTC), decimals exact numbers, bytes base64
 * (as Jackson writes them), nested structs and arrays maps and lists.
 */
final class ConnectValues {
    private ConnectValues() {
    }

    static Map<String, Object> row(Struct struct) {
        if (struct == null) {
            return null;
        }
        List<Field> fields = struct.schema().fields();
        // Sized for its columns: a default-sized map grew (rehashed) once or twice per row of a usual table.
        Map<String, Object> row = LinkedHashMap.newLinkedHashMap(fields.size());
        for (Field field : fields) {
            row.put(field.name(), value(field.schema(), struct.get(field)));
        }
        return row;
    }

    static Object value(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date" -> {
                    return value instanceof java.util.Date date ? date.toInstant().atOffset(ZoneOffset.UTC).toLocalDate().toString()
                            : LocalDate.ofEpochDay(((Number) value).longValue()).toString();
                }
                case "io.debezium.time.Timestamp" -> {
                    return LocalDateTime.ofInstant(Instant.ofEpochMilli(((Number) value).longValue()), ZoneOffset.UTC).toString();
                }
                case "io.debezium.time.MicroTimestamp" -> {
                    return LocalDateTime.ofInstant(Instant.EPOCH.plus(((Number) value).longValue(), ChronoUnit.MICROS), ZoneOffset.UTC).toString();
                }
                case "io.debezium.time.NanoTimestamp" -> {
                    return LocalDateTime.ofInstant(Instant.EPOCH.plusNanos(((Number) value).longValue()), ZoneOffset.UTC).toString();
                }
                case "io.debezium.time.Time" -> {
                    return LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000).toString();
                }
                case "io.debezium.time.MicroTime" -> {
                    return LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000).toString();
                }
                case "io.debezium.time.NanoTime" -> {
                    return LocalTime.ofNanoOfDay(((Number) value).longValue()).toString();
                }
                case "org.apache.kafka.connect.data.Timestamp" -> {
                    return ((java.util.Date) value).toInstant().toString();
                }
                case Decimal.LOGICAL_NAME -> {
                    return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
                }
                case "io.debezium.data.VariableScaleDecimal" -> {
                    Struct decimal = (Struct) value;
                    return new BigDecimal(new java.math.BigInteger(bytes(decimal.get("value"))), decimal.getInt32("scale"));
                }
                default -> {
                    // zoned timestamps and times, JSON, UUIDs, enums... arrive as text already
                }
            }
        }
        return switch (schema.type()) {
            case STRUCT -> row((Struct) value);
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    items.add(value(schema.valueSchema(), item));
                }
                yield items;
            }
            case MAP -> {
                Map<String, Object> entries = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> entries.put(String.valueOf(k), value(schema.valueSchema(), v)));
                yield entries;
            }
            case BYTES -> bytes(value);
            default -> value;
        };
    }

    private static byte[] bytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            byte[] copy = new byte[buffer.remaining()];
            buffer.duplicate().get(copy);
            return copy;
        }
        return (byte[]) value;
    }
}
