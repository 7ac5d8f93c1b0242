package dev.weft.connections.capture.poll;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.CaptureRefused;
import dev.weft.connections.capture.Change;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.http.HttpConnector;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generic HTTP connector: by the object's {@code updated_field} (the connection's {@code config.objects.<name>}),
 * then its {@code id_field} to break ties. Such APIs list in no promised order, so every poll walks the listing (only
 * the changes when the object has a {@code since_param}) keeping the next page of changes after the cursor, and walks
 * again while more were left out. Nothing tells a create from an update, or shows a delete: every change is
 * {@code record.updated} (or {@code record.created} in a snapshot).
 */
@ApplicationScoped
class HttpPoller implements Poller {
    static final int PAGE = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpConnector http;

    HttpPoller(HttpConnector http) {
        this.http = http;
    }

    @Override
    public String provider() {
        return "http";
    }

    @Override
    public void check(CaptureContext context) {
        if (context.object().cursorField() == null) {
            throw new CaptureRefused(context.object().name() + " has no updated_field: set config.objects." + context.object().name()
                    + ".updated_field on the connection to the field holding each record's last change, then resume the stream");
        }
    }

    @Override
    public Map<String, String> start(CaptureContext context, Instant from) {
        if (from == null) {
            return cursor(null, null);
        }
        // The API's records carry the only clock there is: changes from now on are those after the latest one now.
        ObjectSchema object = context.object();
        Object[] latest = {null, null};
        http.scan(context.connector(), object.name(), null, page -> {
            for (Map<String, Object> record : page) {
                Object updated = record.get(object.cursorField());
                if (updated != null && (latest[0] == null || compare(updated, record.get(idField(object)), latest[0], latest[1]) > 0)) {
                    latest[0] = updated;
                    latest[1] = record.get(idField(object));
                }
            }
        });
        return cursor(latest[0], latest[1]);
    }

    @Override
    public void poll(CaptureContext context, Map<String, String> offsets, Sink sink) {
        ObjectSchema object = context.object();
        String updatedField = object.cursorField();
        String idField = idField(object);
        Object[] mark = {value(offsets.get(AT)), value(offsets.get(ID))};
        boolean started = !offsets.getOrDefault(AT, "").isEmpty();
        while (true) {
            Object since = started ? mark[0] : null;
            Object[] from = mark.clone();
            boolean fromStart = !started;
            Smallest<Map<String, Object>> next = new Smallest<>(PAGE,
                    Comparator.comparing((Map<String, Object> r) -> r.get(updatedField), HttpConnector::compare)
                            .thenComparing(r -> r.get(idField), HttpConnector::compare));
            http.scan(context.connector(), object.name(), since, page -> {
                for (Map<String, Object> record : page) {
                    Object updated = record.get(updatedField);
                    if (updated != null && (fromStart || compare(updated, record.get(idField), from[0], from[1]) > 0)) {
                        next.offer(record);
                    }
                }
            });
            List<Map<String, Object>> changed = next.sorted();
            if (changed.isEmpty()) {
                return;
            }
            List<Change> changes = new ArrayList<>(changed.size());
            for (Map<String, Object> record : changed) {
                mark[0] = record.get(updatedField);
                mark[1] = record.get(idField);
                Map<String, Object> key = new LinkedHashMap<>();
                key.put(idField, mark[1]);
                changes.add(new Change(Change.Op.UPDATED, key, record, null, position(cursor(mark[0], mark[1])), instant(mark[0])));
            }
            started = true;
            sink.accept(changes, cursor(mark[0], mark[1]));
            if (!next.leftOut()) {
                return;
            }
        }
    }

    @Override
    public String position(Map<String, String> cursor) {
        String at = cursor.getOrDefault(AT, "");
        if (at.isEmpty()) {
            return "start";
        }
        return text(value(at)) + " " + text(value(cursor.getOrDefault(ID, "")));
    }

    private static String idField(ObjectSchema object) {
        return object.primaryKey().getFirst();
    }

    private static int compare(Object updated, Object id, Object markUpdated, Object markId) {
        int byUpdate = HttpConnector.compare(updated, markUpdated);
        return byUpdate != 0 ? byUpdate : HttpConnector.compare(id, markId);
    }

    /** The cursor's values as JSON, so numbers stay numbers and compare as such after a restart. */
    private static Map<String, String> cursor(Object updated, Object id) {
        Map<String, String> cursor = new LinkedHashMap<>();
        cursor.put(AT, updated == null ? "" : json(updated));
        cursor.put(ID, id == null ? "" : json(id));
        return cursor;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object value(String json) {
        if (json == null || json.isEmpty()) {
            return null;
        }
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new CaptureRefused("the stream's stored position is unreadable; delete and recreate the stream");
        }
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }

    /** The change's time, for lag, when the field holds an RFC 3339 timestamp. */
    private static Instant instant(Object updated) {
        if (updated instanceof String text) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }
}
