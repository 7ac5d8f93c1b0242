package dev.weft.connections.capture.poll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.CaptureRefused;
import dev.weft.connections.capture.Change;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.hubspot.HubspotConnector;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * HubSpot: the CRM search API on the last-modified property ({@code lastmodifieddate} for contacts,
 * {@code hs_lastmodifieddate} for other objects), sorted ascending; archived records for deletes.
 *
 * <p>Pages follow one another by the cursor, not by the search's {@code after}: {@code after} is an offset into a
 * result that shifts when a record changes between two pages (one would be skipped), and a search stops at 10,000
 * results. Each search asks for records modified after the cursor's time; the records of the last time of a full
 * page may go on beyond it, in no order HubSpot promises, so they are read by a second search on exactly that time
 * sorted by {@code hs_object_id}, after the cursor's id. Records sharing a millisecond are thus neither lost nor
 * repeated. {@code createdate = last-modified} is a create, anything else an update; no previous values.
 *
 * <p>Deletes: archived records come from {@code GET /crm/v3/objects/{object}?archived=true}, which filters nothing;
 * every page is read and the next ones by {@code archivedAt} after the cursor are kept (at most a page of them).
 */
@ApplicationScoped
class HubspotPoller implements Poller {
    static final int PAGE = 100;
    static final String TIE = "tie";
    static final String ARCHIVED_AT = "archived_at";
    static final String ARCHIVED_ID = "archived_id";
    private static final String ID_PROPERTY = "hs_object_id";

    private final HubspotConnector hubspot;

    HubspotPoller(HubspotConnector hubspot) {
        this.hubspot = hubspot;
    }

    @Override
    public String provider() {
        return "hubspot";
    }

    @Override
    public void check(CaptureContext context) {
        if (context.object().cursorField() == null) {
            throw new CaptureRefused(context.object().name() + " has no last-modified property to poll by");
        }
    }

    @Override
    public Map<String, String> start(CaptureContext context, Instant from) {
        Cursor cursor = new Cursor();
        // One millisecond back: the first search asks for modified > that, so records of the starting millisecond count.
        cursor.at = from == null ? null : Instant.ofEpochMilli(from.toEpochMilli() - 1);
        cursor.archivedAt = from == null ? Instant.ofEpochMilli(Instant.now().toEpochMilli()) : Instant.ofEpochMilli(from.toEpochMilli());
        return cursor.offsets();
    }

    @Override
    public void poll(CaptureContext context, Map<String, String> offsets, Sink sink) {
        Cursor cursor = Cursor.of(offsets);
        ObjectSchema object = context.object();
        String modified = object.cursorField();
        List<String> properties = properties(context, modified);
        while (true) {
            if (cursor.tie) {
                drainTie(context, cursor, modified, properties, sink);
            }
            Map<String, Object> search = new LinkedHashMap<>();
            if (cursor.at != null) {
                search.put("filterGroups", List.of(Map.of("filters", List.of(filter(modified, "GT", cursor.at)))));
            }
            search.put("sorts", List.of(Map.of("propertyName", modified, "direction", "ASCENDING")));
            search.put("properties", properties);
            search.put("limit", PAGE);
            List<JsonNode> results = results(hubspot.search(context.connector(), object.name(), search), modified);
            if (results.isEmpty()) {
                break;
            }
            boolean full = results.size() >= PAGE;
            Instant lastTime = time(results.getLast(), modified);
            // A full page may cut the records of its last time short: those are read by the tie search instead.
            List<JsonNode> complete = full ? results.stream().filter(r -> time(r, modified).isBefore(lastTime)).toList() : results;
            List<JsonNode> ordered = new ArrayList<>(complete);
            ordered.sort(Comparator.comparing((JsonNode r) -> time(r, modified)).thenComparing(HubspotPoller::id));
            publish(context, cursor, ordered, modified, sink);
            if (!full) {
                break;
            }
            // Everything before lastTime is published; records at lastTime are read in id order from none.
            cursor.at = lastTime;
            cursor.id = null;
            cursor.tie = true;
        }
        deletes(context, cursor, sink);
    }

    /** The records modified at exactly the cursor's time after its id, in id order, a page per search. */
    private void drainTie(CaptureContext context, Cursor cursor, String modified, List<String> properties, Sink sink) {
        while (true) {
            List<Map<String, Object>> filters = new ArrayList<>();
            filters.add(filter(modified, "EQ", cursor.at));
            if (cursor.id != null) {
                filters.add(Map.of("propertyName", ID_PROPERTY, "operator", "GT", "value", cursor.id.toString()));
            }
            Map<String, Object> search = new LinkedHashMap<>();
            search.put("filterGroups", List.of(Map.of("filters", filters)));
            search.put("sorts", List.of(Map.of("propertyName", ID_PROPERTY, "direction", "ASCENDING")));
            search.put("properties", properties);
            search.put("limit", PAGE);
            List<JsonNode> results = new ArrayList<>(results(hubspot.search(context.connector(), context.object().name(), search), modified));
            results.sort(Comparator.comparing(HubspotPoller::id));
            boolean last = results.size() < PAGE;
            if (last) {
                cursor.tie = false;
            }
            publish(context, cursor, results, modified, sink);
            if (last) {
                return;
            }
        }
    }

    private void publish(CaptureContext context, Cursor cursor, List<JsonNode> results, String modified, Sink sink) {
        if (results.isEmpty() && cursor.tie) {
            return;
        }
        List<Change> changes = new ArrayList<>(results.size());
        for (JsonNode result : results) {
            Instant at = time(result, modified);
            cursor.at = at;
            cursor.id = id(result);
            Map<String, Object> record = HubspotConnector.record(result, context.object());
            Instant created = HubspotConnector.instant(result.path("properties").path("createdate").asText(null));
            Change.Op op = at.equals(created) ? Change.Op.CREATED : Change.Op.UPDATED;
            changes.add(new Change(op, key(context, record, result), record, null, position(cursor.offsets()), at));
        }
        sink.accept(changes, cursor.offsets());
    }

    /** Archived after the cursor: a page of the earliest at a time, in archivedAt then id order, until none is left. */
    private void deletes(CaptureContext context, Cursor cursor, Sink sink) {
        Comparator<JsonNode> order = Comparator.comparing((JsonNode r) -> HubspotConnector.instant(r.path("archivedAt").asText(null)))
                .thenComparing(HubspotPoller::id);
        while (true) {
            Smallest<JsonNode> next = new Smallest<>(PAGE, order);
            String after = null;
            do {
                JsonNode page = hubspot.archived(context.connector(), context.object().name(), after, PAGE);
                for (JsonNode result : page.path("results")) {
                    Instant archivedAt = HubspotConnector.instant(result.path("archivedAt").asText(null));
                    if (archivedAt == null || result.path("id").asText("").isEmpty()) {
                        continue;
                    }
                    int byTime = archivedAt.compareTo(cursor.archivedAt);
                    if (byTime > 0 || byTime == 0 && cursor.archivedId != null && id(result).compareTo(cursor.archivedId) > 0) {
                        next.offer(result);
                    }
                }
                after = page.path("paging").path("next").path("after").asText(null);
            } while (after != null);
            List<JsonNode> deleted = next.sorted();
            if (deleted.isEmpty()) {
                return;
            }
            List<Change> changes = new ArrayList<>(deleted.size());
            for (JsonNode result : deleted) {
                cursor.archivedAt = HubspotConnector.instant(result.path("archivedAt").asText());
                cursor.archivedId = id(result);
                Map<String, Object> record = HubspotConnector.record(result, context.object());
                changes.add(new Change(Change.Op.DELETED, key(context, record, result), record, null,
                        "archived " + cursor.archivedAt + " " + cursor.archivedId, cursor.archivedAt));
            }
            sink.accept(changes, cursor.offsets());
            if (!next.leftOut()) {
                return;
            }
        }
    }

    private static List<String> properties(CaptureContext context, String modified) {
        LinkedHashSet<String> properties = new LinkedHashSet<>(context.fields().isEmpty() ? context.object().fieldNames() : context.fields());
        properties.remove("id");
        properties.add(ID_PROPERTY);
        properties.add(modified);
        properties.add("createdate");
        return List.copyOf(properties);
    }

    private static Map<String, Object> filter(String property, String operator, Instant at) {
        return Map.of("propertyName", property, "operator", operator, "value", String.valueOf(at.toEpochMilli()));
    }

    /** The results that say when they changed (every one should). */
    private static List<JsonNode> results(JsonNode answer, String modified) {
        List<JsonNode> results = new ArrayList<>();
        for (JsonNode result : answer.path("results")) {
            if (time(result, modified) != null && !result.path("id").asText("").isEmpty()) {
                results.add(result);
            }
        }
        return results;
    }

    private static Instant time(JsonNode result, String modified) {
        return HubspotConnector.instant(result.path("properties").path(modified).asText(null));
    }

    private static BigInteger id(JsonNode result) {
        try {
            return new BigInteger(result.path("id").asText());
        } catch (NumberFormatException e) {
            throw new CaptureRefused("hubspot answered with a record id that is not a number: " + result.path("id").asText());
        }
    }

    private static Map<String, Object> key(CaptureContext context, Map<String, Object> record, JsonNode result) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (String field : context.object().primaryKey()) {
            Object value = record.get(field);
            key.put(field, value != null ? value : ID_PROPERTY.equals(field) ? new java.math.BigDecimal(result.path("id").asText()) : null);
        }
        return key;
    }

    /** The stream's offsets, read and written. */
    private static final class Cursor {
        Instant at;
        BigInteger id;
        boolean tie;
        Instant archivedAt;
        BigInteger archivedId;

        static Cursor of(Map<String, String> offsets) {
            Cursor cursor = new Cursor();
            cursor.at = instant(offsets.get(AT));
            cursor.id = number(offsets.get(ID));
            cursor.tie = "true".equals(offsets.get(TIE));
            cursor.archivedAt = instant(offsets.get(ARCHIVED_AT));
            cursor.archivedId = number(offsets.get(ARCHIVED_ID));
            if (cursor.archivedAt == null) {
                cursor.archivedAt = Instant.EPOCH;
            }
            return cursor;
        }

        Map<String, String> offsets() {
            Map<String, String> offsets = new LinkedHashMap<>();
            offsets.put(AT, at == null ? "" : at.toString());
            offsets.put(ID, id == null ? "" : id.toString());
            offsets.put(TIE, tie ? "true" : "");
            offsets.put(ARCHIVED_AT, archivedAt == null ? "" : archivedAt.toString());
            offsets.put(ARCHIVED_ID, archivedId == null ? "" : archivedId.toString());
            return offsets;
        }

        private static Instant instant(String text) {
            return text == null || text.isEmpty() ? null : Instant.parse(text);
        }

        private static BigInteger number(String text) {
            return text == null || text.isEmpty() ? null : new BigInteger(text);
        }
    }
}
