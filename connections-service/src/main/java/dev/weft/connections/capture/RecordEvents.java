package dev.weft.connections.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Topics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Turns a stream's changes into {@code record.created|updated|deleted} events on weft.records.events: keyed by connection,
 * object and record key, so one record's changes stay in order on one partition; filtered by the stream's filter and
 * narrowed to its fields (the key's fields always stay).
 */
final class RecordEvents {
    /** The key as canonical JSON (sorted fields), part of the Kafka key. */
    private static final ObjectMapper KEYS = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final String orgId;
    private final String streamId;
    private final String connectionId;
    private final String object;
    private final String kind;
    private final List<String> fields;
    private final Predicate<Map<String, Object>> filter;

    RecordEvents(String orgId, String streamId, String connectionId, String object, String kind, List<String> fields,
                 Predicate<Map<String, Object>> filter) {
        this.orgId = orgId;
        this.streamId = streamId;
        this.connectionId = connectionId;
        this.object = object;
        this.kind = kind;
        this.fields = fields;
        this.filter = filter;
    }

    /**
     * Data of a record.* event, in the API's snake_case (the catalog's schema): {@code direction} is always {@code read}
     * (seen in the source; a sync's writes say {@code write}), {@code record_id} the key as one string.
     */
    @JsonSerialize(using = RecordChangedJson.class)
    record RecordChanged(String orgId, String connectionId, String streamId, String object, String recordId, Map<String, Object> key,
                         String direction, Instant occurredAt, Map<String, Object> record, Map<String, Object> previous,
                         List<String> changedFields, Source source) {
    }

    record Source(String kind, String position, Instant committedAt) {
    }

    List<DomainEvent> of(List<Change> changes) {
        List<DomainEvent> events = new ArrayList<>(changes.size());
        Instant now = Instant.now();
        for (Change change : changes) {
            Map<String, Object> subject = change.op() == Change.Op.DELETED && change.record() == null ? change.key() : change.record();
            if (filter != null && !filter.test(subject == null ? Map.of() : subject)) {
                continue;
            }
            Map<String, Object> record = narrow(change.record(), change.key());
            Map<String, Object> previous = change.op() == Change.Op.UPDATED ? narrow(change.previous(), change.key()) : null;
            List<String> changed = previous == null || record == null ? null : changedFields(previous, record);
            String aggregate = connectionId + "/" + object + "/" + keyText(change.key());
            events.add(DomainEvent.of(Topics.RECORDS, change.op().eventType(), aggregate,
                    new RecordChanged(orgId, connectionId, streamId, object, recordId(change.key()), change.key(), "read", now, record, previous,
                            changed, new Source(kind, change.position(), change.committedAt()))));
        }
        return events;
    }

    private Map<String, Object> narrow(Map<String, Object> row, Map<String, Object> key) {
        if (row == null || fields.isEmpty()) {
            return row;
        }
        Map<String, Object> narrowed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : row.entrySet()) {
            if (fields.contains(field.getKey()) || key.containsKey(field.getKey())) {
                narrowed.put(field.getKey(), field.getValue());
            }
        }
        return narrowed;
    }

    private static List<String> changedFields(Map<String, Object> previous, Map<String, Object> record) {
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, Object> field : record.entrySet()) {
            if (!previous.containsKey(field.getKey()) || !sameValue(previous.get(field.getKey()), field.getValue())) {
                changed.add(field.getKey());
            }
        }
        return changed;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString())) == 0;
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return java.util.Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }

    /** A one-field key's value as text (a Salesforce Id, a row's id); a composite key as its canonical JSON. */
    static String recordId(Map<String, Object> key) {
        if (key.size() == 1) {
            Object value = key.values().iterator().next();
            return value == null ? null : value.toString();
        }
        return keyText(key);
    }

    /** The last key column found plain: a stream's changes share it, and it need not be checked again. */
    private static volatile String lastPlainName;

    /** A name JSON writes as it is (nothing to escape). */
    private static boolean plainName(String name) {
        if (name == lastPlainName) {
            return true;
        }
        if (!checkPlain(name)) {
            return false;
        }
        lastPlainName = name;
        return true;
    }

    private static boolean checkPlain(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return !name.isEmpty();
    }

    static String keyText(Map<String, Object> key) {
        if (key.size() == 1) {
            // The usual key, one integer column: written as Jackson writes it, without a sorted copy and a JSON writer.
            Map.Entry<String, Object> only = key.entrySet().iterator().next();
            if ((only.getValue() instanceof Long || only.getValue() instanceof Integer || only.getValue() instanceof Short)
                    && plainName(only.getKey())) {
                return "{\"" + only.getKey() + "\":" + only.getValue() + "}";
            }
        }
        try {
            return KEYS.writeValueAsString(new TreeMap<>(key));
        } catch (JsonProcessingException e) {
            return String.valueOf(new TreeMap<>(key));
        }
    }
}
