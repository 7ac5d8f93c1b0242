package dev.weft.connections.capture;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes a record event's data as the service's mapper would (snake_case names, absent values left out, in maps too),
 * without reflection on the record and with its own names encoded once: every captured change is serialised once, and
 * generic bean and map serialisation was the largest share of Weft's own CPU per change (bench/changes). Values other
 * than text, integers, decimals and booleans still go through the mapper. RecordChangedJsonTest holds it equal to the
 * mapper's output.
 */
final class RecordChangedJson extends StdSerializer<RecordEvents.RecordChanged> {
    private static final SerializedString ORG_ID = new SerializedString("org_id");
    private static final SerializedString CONNECTION_ID = new SerializedString("connection_id");
    private static final SerializedString STREAM_ID = new SerializedString("stream_id");
    private static final SerializedString OBJECT = new SerializedString("object");
    private static final SerializedString RECORD_ID = new SerializedString("record_id");
    private static final SerializedString KEY = new SerializedString("key");
    private static final SerializedString DIRECTION = new SerializedString("direction");
    private static final SerializedString OCCURRED_AT = new SerializedString("occurred_at");
    private static final SerializedString RECORD = new SerializedString("record");
    private static final SerializedString PREVIOUS = new SerializedString("previous");
    private static final SerializedString CHANGED_FIELDS = new SerializedString("changed_fields");
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString KIND = new SerializedString("kind");
    private static final SerializedString POSITION = new SerializedString("position");
    private static final SerializedString COMMITTED_AT = new SerializedString("committed_at");
    /**
     * The last instant written in a field, with its text: a batch's events share their occurred_at, a transaction's their
     * committed_at. One per field: the two alternate in every event, so one shared slot was formatted anew each time.
     */
    private static final InstantTexts OCCURRED = new InstantTexts();
    private static final InstantTexts COMMITTED = new InstantTexts();
    /** Column names encoded once, by position, per map of an event (key, record, previous). */
    private static final ColumnNames KEY_NAMES = new ColumnNames();
    private static final ColumnNames RECORD_NAMES = new ColumnNames();
    private static final ColumnNames PREVIOUS_NAMES = new ColumnNames();
    /** Values a stream's events repeat, each encoded once while it lasts. */
    private static final LastText ORG_IDS = new LastText();
    private static final LastText CONNECTION_IDS = new LastText();
    private static final LastText STREAM_IDS = new LastText();
    private static final LastText OBJECTS = new LastText();
    private static final LastText DIRECTIONS = new LastText();
    private static final LastText KINDS = new LastText();

    RecordChangedJson() {
        super(RecordEvents.RecordChanged.class);
    }

    @Override
    public void serialize(RecordEvents.RecordChanged event, JsonGenerator out, SerializerProvider mapper) throws IOException {
        out.writeStartObject();
        ORG_IDS.write(out, ORG_ID, event.orgId());
        CONNECTION_IDS.write(out, CONNECTION_ID, event.connectionId());
        STREAM_IDS.write(out, STREAM_ID, event.streamId());
        OBJECTS.write(out, OBJECT, event.object());
        text(out, RECORD_ID, event.recordId());
        map(out, KEY, event.key(), KEY_NAMES, mapper);
        DIRECTIONS.write(out, DIRECTION, event.direction());
        other(out, OCCURRED_AT, event.occurredAt(), OCCURRED, mapper);
        map(out, RECORD, event.record(), RECORD_NAMES, mapper);
        map(out, PREVIOUS, event.previous(), PREVIOUS_NAMES, mapper);
        List<String> changed = event.changedFields();
        if (changed != null) {
            out.writeFieldName(CHANGED_FIELDS);
            out.writeStartArray();
            for (String field : changed) {
                if (field == null) {
                    out.writeNull();
                } else {
                    out.writeString(field);
                }
            }
            out.writeEndArray();
        }
        RecordEvents.Source source = event.source();
        if (source != null) {
            out.writeFieldName(SOURCE);
            out.writeStartObject();
            KINDS.write(out, KIND, source.kind());
            text(out, POSITION, source.position());
            other(out, COMMITTED_AT, source.committedAt(), COMMITTED, mapper);
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    private static void text(JsonGenerator out, SerializedString name, String value) throws IOException {
        if (value != null) {
            out.writeFieldName(name);
            out.writeString(value);
        }
    }

    private static void other(JsonGenerator out, SerializedString name, Object value, InstantTexts texts, SerializerProvider mapper)
            throws IOException {
        if (value instanceof Instant instant) {
            out.writeFieldName(name);
            out.writeString(texts.text(instant));
        } else if (value != null) {
            out.writeFieldName(name);
            mapper.defaultSerializeValue(value, out);
        }
    }

    /** An instant as the mapper writes it (ISO-8601 in UTC, as {@link Instant#toString()}), formatted once for a run of equal ones. */
    private static final class InstantTexts {
        private record InstantText(Instant instant, String text) {
        }

        /** One immutable pair, so a thread never sees one instant with another's text. */
        private volatile InstantText last = new InstantText(Instant.EPOCH, Instant.EPOCH.toString());

        String text(Instant instant) {
            InstantText seen = last;
            if (!seen.instant().equals(instant)) {
                seen = new InstantText(instant, instant.toString());
                last = seen;
            }
            return seen.text();
        }
    }

    /**
     * A text field's last value, encoded once (a stream's events repeat their org, connection, stream, object...). Shared by
     * the streams' threads like {@link ColumnNames}: the slot holds an immutable encoded value, checked before use.
     */
    private static final class LastText {
        private volatile SerializedString last = new SerializedString("");

        void write(JsonGenerator out, SerializedString name, String value) throws IOException {
            if (value == null) {
                return;
            }
            out.writeFieldName(name);
            SerializedString seen = last;
            if (seen.getValue() != value && !seen.getValue().equals(value)) {
                if (!ColumnNames.plain(value)) {
                    out.writeString(value);
                    return;
                }
                seen = new SerializedString(value);
                last = seen;
            }
            out.writeString(seen);
        }
    }

    /**
     * Column names encoded once, by their position in a row: a table's rows come with their columns in one order, so the
     * name at a position is nearly always the one written there last, found by comparing references. Jackson encoding
     * each name anew (writeFieldName(String)) was the largest single item of a captured batch's commit; a map from name
     * to encoded name cost about as much as it saved. Streams' threads share the slots and may overwrite each other's:
     * each slot holds an immutable, thread-safe encoded name, checked against the name before it is used.
     */
    private static final class ColumnNames {
        private final SerializedString[] slots = new SerializedString[64];

        /** The encoded name, or null for a name written as the generator writes any text (not plain ASCII, too many columns). */
        SerializedString at(int position, String name) {
            if (position >= slots.length) {
                return null;
            }
            SerializedString cached = slots[position];
            if (cached != null && (cached.getValue() == name || cached.getValue().equals(name))) {
                return cached;
            }
            if (!plain(name)) {
                return null;
            }
            cached = new SerializedString(name);
            slots[position] = cached;
            return cached;
        }

        /**
         * Characters that no generator setting escapes ({@code /} may be, non-ASCII may be, and a pre-encoded name would
         * ignore that), so the pre-encoded name is the bytes the generator would write.
         */
        static boolean plain(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '$'
                        || c == ' ')) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void map(JsonGenerator out, SerializedString name, Map<String, Object> values, ColumnNames names, SerializerProvider mapper)
            throws IOException {
        if (values == null) {
            return;
        }
        out.writeFieldName(name);
        out.writeStartObject();
        int position = -1;
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            position++;
            Object value = entry.getValue();
            if (value == null) {
                continue;
            }
            SerializedString encoded = entry.getKey() == null ? null : names.at(position, entry.getKey());
            if (encoded != null) {
                out.writeFieldName(encoded);
            } else {
                out.writeFieldName(entry.getKey());
            }
            if (value instanceof String text) {
                out.writeString(text);
            } else if (value instanceof Long number) {
                out.writeNumber(number);
            } else if (value instanceof Integer number) {
                out.writeNumber(number);
            } else if (value instanceof BigDecimal number) {
                out.writeNumber(number);
            } else if (value instanceof Boolean bool) {
                out.writeBoolean(bool);
            } else {
                mapper.defaultSerializeValue(value, out);
            }
        }
        out.writeEndObject();
    }
}
