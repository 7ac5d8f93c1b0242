package dev.weft.platform.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records as transforms see them: JSON values only (maps, lists, strings, numbers, booleans, null). Values a database
 * hands over in other Java types (timestamps, UUIDs, bytes) are shown as their JSON text: ISO-8601, the UUID's text,
 * base64.
 */
final class RecordJson {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private RecordJson() {
    }

    static String write(Map<String, Object> record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new TransformException(TransformException.Kind.RUNTIME, "the record cannot be written as JSON: " + e.getOriginalMessage(), null, null);
        }
    }

    /** A transform's output as JSON text; anything but an object (a toJSON() can make it one) is the author's error. */
    static Map<String, Object> readOutput(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new TransformException(TransformException.Kind.RUNTIME, "the transform returned something that is not an object (JSON: "
                    + (json.length() > 40 ? json.substring(0, 40) + "…" : json) + ")", null, null);
        }
    }

    /** The value itself when it is already JSON-shaped (the common case: no copy), else a JSON-shaped copy. */
    @SuppressWarnings("unchecked")
    static Object jsonShaped(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Double || value instanceof BigDecimal || value instanceof BigInteger) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = null;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object shaped = jsonShaped(entry.getValue());
                if (copy == null && (shaped != entry.getValue() || !(entry.getKey() instanceof String))) {
                    copy = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> before : map.entrySet()) {
                        if (before == entry) {
                            break;
                        }
                        copy.put(String.valueOf(before.getKey()), before.getValue());
                    }
                }
                if (copy != null) {
                    copy.put(String.valueOf(entry.getKey()), shaped);
                }
            }
            return copy == null ? (Map<String, Object>) map : copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = null;
            for (int i = 0; i < list.size(); i++) {
                Object shaped = jsonShaped(list.get(i));
                if (copy == null && shaped != list.get(i)) {
                    copy = new ArrayList<>(list.subList(0, i));
                }
                if (copy != null) {
                    copy.add(shaped);
                }
            }
            return copy == null ? list : copy;
        }
        if (value instanceof Number number) {
            if (number instanceof Short || number instanceof Byte) {
                return number.intValue();
            }
            return number instanceof Float ? (Object) number.doubleValue() : new BigDecimal(number.toString());
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof TemporalAccessor || value instanceof java.util.Date) {
            return JSON.convertValue(value, String.class);
        }
        if (value instanceof Object[] array) {
            return jsonShaped(java.util.Arrays.asList(array));
        }
        return value.toString();
    }
}
