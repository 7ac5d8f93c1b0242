package dev.weft.platform.services;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.impl.PropertySerializerMap;

import java.io.IOException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The field names a batch of records shares, for the row form of the internal batch calls (sync-service and
 * connections-service): {@code {"fields":["id","name"],"rows":[[1,"a"],[2,"b"]]}}, the names once, each record as the
 * array of its values in that order. Values are written and read by the same Jackson serializers as in the object form
 * ({@code [{"id":1,"name":"a"},...]}), so a record decodes to the same Java values either way.
 *
 * <p>A decoded row is a read-only {@link Map} over its value array ({@link #record}): all rows of a batch share this
 * instance's names, slot index and key set, so no map is built per record.
 */
public final class FieldRows {
    private final String[] names;
    private final Map<String, Integer> slots;
    private final KeySet keySet;

    private FieldRows(String[] names) {
        this.names = names;
        this.slots = HashMap.newHashMap(names.length);
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null) {
                throw new IllegalArgumentException("fields[" + i + "] is null");
            }
            if (slots.putIfAbsent(names[i], i) != null) {
                throw new IllegalArgumentException("fields[" + i + "] names " + names[i] + " twice");
            }
        }
        this.keySet = new KeySet();
    }

    /** The names, each once; a null or repeated name is an {@link IllegalArgumentException} naming it. */
    public static FieldRows of(List<String> names) {
        return new FieldRows(names.toArray(String[]::new));
    }

    public List<String> names() {
        return List.of(names);
    }

    public int size() {
        return names.length;
    }

    /** The record whose values, in this instance's field order, are {@code values} (not copied: the caller hands it over). */
    public Map<String, Object> record(Object[] values) {
        if (values.length != names.length) {
            throw new IllegalArgumentException("a row has " + values.length + " values for " + names.length + " fields");
        }
        return new Row(values);
    }

    /**
     * The field names every record has, in the first record's order, when all records have exactly the same ones (the
     * row form can carry them without losing the difference between a missing field and a null one); null otherwise.
     */
    public static List<String> sharedFields(List<? extends Map<String, ?>> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        Map<String, ?> first = records.getFirst();
        if (first == null) {
            return null;
        }
        if (first instanceof Row row) {
            Set<String> shared = row.keySet();
            for (Map<String, ?> record : records) {
                if (record == null || record.keySet() != shared && !sameKeys(record, first, row.fields().names)) {
                    return null;
                }
            }
            return row.fields().names();
        }
        Object[] order = first.keySet().toArray();
        for (Map<String, ?> record : records) {
            if (record == null || record != first && !sameKeys(record, first, order)) {
                return null;
            }
        }
        return List.copyOf(first.keySet());
    }

    private static boolean sameKeys(Map<String, ?> record, Map<String, ?> first, Object[] order) {
        if (record.size() != order.length) {
            return false;
        }
        // Records built alike list their keys in the same order, usually the same String instances: one pass, no hashing.
        int at = 0;
        boolean inOrder = true;
        for (Object name : record.keySet()) {
            Object expected = order[at++];
            if (name != expected && (name == null || !name.equals(expected))) {
                inOrder = false;
                break;
            }
        }
        if (inOrder) {
            return true;
        }
        for (String name : first.keySet()) {
            if (!record.containsKey(name)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes records, all having exactly {@code fields} (see {@link #sharedFields}), as the row form's {@code rows}: one
     * array per record, values in field order, each by the serializer the object form uses for it.
     */
    public record Rows(List<String> fields, List<? extends Map<String, ?>> records) {
    }

    /**
     * {@link Rows} as a JSON array of arrays. Each value's serializer is found for the {@code rows} property, as the object
     * form finds its maps' value serializers for the {@code records} property: the property's {@code @JsonInclude}
     * (content {@code ALWAYS}) then keeps null values inside nested objects too, as the object form does.
     */
    public static final class RowsSerializer extends JsonSerializer<Rows> implements ContextualSerializer {
        private final BeanProperty property;
        /** Serializers by value class, as Jackson's own container serializers cache them (replaced, never mutated). */
        private PropertySerializerMap serializers = PropertySerializerMap.emptyForProperties();

        public RowsSerializer() {
            this(null);
        }

        private RowsSerializer(BeanProperty property) {
            this.property = property;
        }

        @Override
        public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property) {
            return new RowsSerializer(property);
        }

        @Override
        public void serialize(Rows rows, JsonGenerator out, SerializerProvider provider) throws IOException {
            List<String> fields = rows.fields();
            int width = fields.size();
            String[] names = fields.toArray(String[]::new);
            FieldRows alike = null;
            out.writeStartArray();
            for (Map<String, ?> record : rows.records()) {
                out.writeStartArray(record, width);
                // A row of this form, or an ordered map whose keys come in the fields' order (a record built field by
                // field), gives its values in order without a lookup per value; any other map is asked by name.
                Object[] slots = null;
                if (record instanceof FieldRows.Row row && (row.fields() == alike || Arrays.equals(row.fields().names, names))) {
                    alike = row.fields();
                    slots = row.values;
                }
                Iterator<? extends Map.Entry<String, ?>> entries = slots == null && record instanceof LinkedHashMap<String, ?> ordered
                        ? ordered.entrySet().iterator() : null;
                for (int i = 0; i < width; i++) {
                    Object value;
                    if (slots != null) {
                        value = slots[i];
                    } else if (entries != null && entries.hasNext()) {
                        Map.Entry<String, ?> entry = entries.next();
                        String key = entry.getKey();
                        if (key == names[i] || names[i].equals(key)) {
                            value = entry.getValue();
                        } else {
                            entries = null;
                            value = record.get(names[i]);
                        }
                    } else {
                        value = record.get(names[i]);
                    }
                    if (value == null) {
                        provider.defaultSerializeNull(out);
                        continue;
                    }
                    PropertySerializerMap known = serializers;
                    JsonSerializer<Object> serializer = known.serializerFor(value.getClass());
                    if (serializer == null) {
                        PropertySerializerMap.SerializerAndMapResult found = known.findAndAddSecondarySerializer(value.getClass(), provider, property);
                        serializers = found.map;
                        serializer = found.serializer;
                    }
                    serializer.serialize(value, out, provider);
                }
                out.writeEndArray();
            }
            out.writeEndArray();
        }
    }

    /** A record of the batch: a read-only map over its values. */
    private final class Row extends AbstractMap<String, Object> {
        private final Object[] values;

        Row(Object[] values) {
            this.values = values;
        }

        FieldRows fields() {
            return FieldRows.this;
        }

        @Override
        public Object get(Object key) {
            Integer slot = slots.get(key);
            return slot == null ? null : values[slot];
        }

        @Override
        public boolean containsKey(Object key) {
            return slots.containsKey(key);
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public Set<String> keySet() {
            return keySet;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < values.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (next >= values.length) {
                                throw new NoSuchElementException();
                            }
                            int at = next++;
                            return new SimpleImmutableEntry<>(names[at], values[at]);
                        }
                    };
                }

                @Override
                public int size() {
                    return values.length;
                }
            };
        }
    }

    /** The names as a set, shared by every row; its hash is worked out once (a writer looks its plan up by the key set per record). */
    private final class KeySet extends AbstractSet<String> {
        private final int hash = Arrays.stream(names).mapToInt(String::hashCode).sum();

        @Override
        public Iterator<String> iterator() {
            return List.of(names).iterator();
        }

        @Override
        public int size() {
            return names.length;
        }

        @Override
        public boolean contains(Object o) {
            return slots.containsKey(o);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
