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
    /** The last instant written and its text: a batch's events share their occurred_at, a transaction's their committed_at. */
    private static volatile InstantText lastInstant = new InstantText(Instant.EPOCH, Instant.EPOCH.toString());

    private record InstantText(Instant instant, String text) {
    }

    RecordChangedJson() {
        super(RecordEvents.RecordChanged.class);
    }

    @Override
    public void serialize(RecordEvents.RecordChanged event, JsonGenerator out, SerializerProvider mapper) throws IOException {
        out.writeStartObject();
        text(out, ORG_ID, event.orgId());
        text(out, CONNECTION_ID, event.connectionId());
        text(out, STREAM_ID, event.streamId());
        text(out, OBJECT, event.object());
        text(out, RECORD_ID, event.recordId());
        map(out, KEY, event.key(), mapper);
        text(out, DIRECTION, event.direction());
        other(out, OCCURRED_AT, event.occurredAt(), mapper);
        map(out, RECORD, event.record(), mapper);
        map(out, PREVIOUS, event.previous(), mapper);
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
            text(out, KIND, source.kind());
            text(out, POSITION, source.position());
            other(out, COMMITTED_AT, source.committedAt(), mapper);
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

    private static void other(JsonGenerator out, SerializedString name, Object value, SerializerProvider mapper) throws IOException {
        if (value instanceof Instant instant) {
            out.writeFieldName(name);
            out.writeString(text(instant));
        } else if (value != null) {
            out.writeFieldName(name);
            mapper.defaultSerializeValue(value, out);
        }
    }

    /** An instant as the mapper writes it (ISO-8601 in UTC, as {@link Instant#toString()}), formatted once for a run of equal ones. */
    private static String text(Instant instant) {
        InstantText last = lastInstant;
        if (!last.instant().equals(instant)) {
            last = new InstantText(instant, instant.toString());
            lastInstant = last;
        }
        return last.text();
    }

    private static void map(JsonGenerator out, SerializedString name, Map<String, Object> values, SerializerProvider mapper) throws IOException {
        if (values == null) {
            return;
        }
        out.writeFieldName(name);
        out.writeStartObject();
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            Object value = entry.getValue();
            if (value == null) {
                continue;
            }
            // As a plain string: Jackson encodes a short column name about as fast as a lookup of its encoded form, which
            // (a concurrent map) showed as an eighth of a captured batch's commit in flight recordings.
            out.writeFieldName(entry.getKey());
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
