package dev.weft.webhook.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.id.TypeId;
import dev.weft.webhook.delivery.Dispatcher;
import dev.weft.webhook.eventtype.EventTypeCatalog;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * Turns events into deliveries: the webhook body is built once ({@code id, type, created_at,
 * org_id, data}) and stored as the message, then one pending delivery is written for every
 * endpoint of the org (active or paused) whose subscriptions match. An event already stored (a
 * redelivery from Kafka, a duplicate on the topic) is skipped: messages are unique by event id.
 */
@ApplicationScoped
public class FanOut {
    private final ObjectMapper json;

    public FanOut(ObjectMapper json) {
        this.json = json;
    }

    /** An event as it arrived: CloudEvents attributes and the JSON data. */
    public record Event(String eventId, String type, String orgId, String aggregateId, Instant time, String data) {
    }

    /**
     * What a batch of events became: how many deliveries were stored, and those of them stored already leased to this
     * replica, to be sent from memory at once (no claim round, no second write before the send).
     */
    public record Accepted(int created, List<Dispatcher.Claimed> leased) {
    }

    /**
     * Stores the events and their deliveries on {@code db} (the caller commits, then hands {@link Accepted#leased} to
     * the dispatcher). Set-based: one statement for the messages, one for the endpoints of every org in the batch and
     * one for the deliveries, whatever the batch's size. A delivery to an active, unordered endpoint that
     * {@code takesNow} accepts (given how many the batch already leased to it) is written leased for
     * {@code leaseSeconds}; every other one is due now and claimed.
     */
    public Accepted accept(Connection db, List<Event> events, BiPredicate<UUID, Integer> takesNow, long leaseSeconds) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        Map<UUID, Stored> stored = storeMessages(db, events, now);
        if (stored.isEmpty()) {
            return new Accepted(0, List.of());
        }
        Map<String, List<Target>> targets = endpointsOf(db, stored.values().stream().map(m -> m.event().orgId()).distinct().toArray(String[]::new));
        Timestamp leasedUntil = Timestamp.from(now.toInstant().plusSeconds(leaseSeconds));
        Rows rows = new Rows();
        List<Dispatcher.Claimed> leased = new ArrayList<>();
        Map<UUID, Integer> leasedPerEndpoint = new HashMap<>();
        for (Map.Entry<UUID, Stored> entry : stored.entrySet()) {
            Event event = entry.getValue().event();
            for (Target target : targets.getOrDefault(event.orgId(), List.of())) {
                if (!EventTypeCatalog.matches(target.subscriptions(), event.type())) {
                    continue;
                }
                boolean sendNow = target.active() && !target.ordered()
                        && takesNow.test(target.id(), leasedPerEndpoint.getOrDefault(target.id(), 0));
                if (sendNow) {
                    leasedPerEndpoint.merge(target.id(), 1, Integer::sum);
                }
                UUID deliveryId = rows.add(target.id(), entry.getKey(), event, sendNow ? leasedUntil : now);
                if (sendNow) {
                    leased.add(new Dispatcher.Claimed(deliveryId, event.orgId(), target.id(), 0, event.eventId(), event.type(),
                            entry.getValue().payload(), target.url(), target.secret(), target.previousSecret(), target.previousSecretExpiresAt(),
                            target.headers(), target.rateLimit()));
                }
            }
        }
        rows.insert(db, now);
        return new Accepted(rows.size(), leased);
    }

    private record Stored(Event event, String payload) {
    }

    /** Inserts the batch's messages; returns those that were new (an event id seen before, or twice in the batch, is skipped). */
    private Map<UUID, Stored> storeMessages(Connection db, List<Event> events, Timestamp now) throws SQLException {
        Map<UUID, Stored> candidates = new LinkedHashMap<>();
        for (Event event : events) {
            if (event.orgId() == null || event.type() == null || event.eventId() == null) {
                continue;
            }
            try {
                candidates.put(TypeId.uuidV7(), new Stored(event, payload(event)));
            } catch (IllegalArgumentException unreadable) {
                // A poison event must not stop every later one: it is logged and passed over.
                io.quarkus.logging.Log.warnf("event=webhook_event_unreadable event_id=%s type=%s", event.eventId(), event.type());
            }
        }
        if (candidates.isEmpty()) {
            return candidates;
        }
        int size = candidates.size();
        String[] orgIds = new String[size];
        String[] eventIds = new String[size];
        String[] types = new String[size];
        String[] aggregates = new String[size];
        String[] payloads = new String[size];
        int i = 0;
        for (Stored candidate : candidates.values()) {
            orgIds[i] = candidate.event().orgId();
            eventIds[i] = candidate.event().eventId();
            types[i] = candidate.event().type();
            aggregates[i] = candidate.event().aggregateId();
            payloads[i] = candidate.payload();
            i++;
        }
        Map<UUID, Stored> inserted = new LinkedHashMap<>();
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO messages (id, org_id, event_id, type, aggregate_id, payload, created_at)
                SELECT v.id, v.org_id, v.event_id, v.type, v.aggregate_id, v.payload, ?
                FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                     AS v(id, org_id, event_id, type, aggregate_id, payload, n)
                ORDER BY v.n
                ON CONFLICT (event_id) DO NOTHING
                RETURNING id""")) {
            insert.setTimestamp(1, now);
            insert.setArray(2, db.createArrayOf("uuid", candidates.keySet().toArray()));
            insert.setArray(3, db.createArrayOf("text", orgIds));
            insert.setArray(4, db.createArrayOf("text", eventIds));
            insert.setArray(5, db.createArrayOf("text", types));
            insert.setArray(6, db.createArrayOf("text", aggregates));
            insert.setArray(7, db.createArrayOf("text", payloads));
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    UUID id = rows.getObject(1, UUID.class);
                    inserted.put(id, candidates.get(id));
                }
            }
        }
        // RETURNING does not promise the input's order; deliveries are created in the events' order.
        Map<UUID, Stored> ordered = new LinkedHashMap<>();
        candidates.forEach((id, candidate) -> {
            if (inserted.containsKey(id)) {
                ordered.put(id, candidate);
            }
        });
        return ordered;
    }

    /** An endpoint as fan-out and an immediate send need it. */
    private record Target(UUID id, List<String> subscriptions, boolean active, boolean ordered, String url, String secret,
                          String previousSecret, Instant previousSecretExpiresAt, String headers, Integer rateLimit) {
    }

    /** The endpoints (active or paused) of the given orgs. */
    private static Map<String, List<Target>> endpointsOf(Connection db, String[] orgIds) throws SQLException {
        Map<String, List<Target>> targets = new HashMap<>();
        try (PreparedStatement select = db.prepareStatement("""
                SELECT id, org_id, events, status, ordered, url, secret, previous_secret, previous_secret_expires_at, headers, rate_limit
                FROM endpoints WHERE org_id = ANY(?) AND status <> 'disabled'""")) {
            select.setArray(1, db.createArrayOf("text", orgIds));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Timestamp previousExpires = row.getTimestamp(9);
                    targets.computeIfAbsent(row.getString(2), org -> new ArrayList<>()).add(new Target(row.getObject(1, UUID.class),
                            Arrays.asList(row.getString(3).split(",")), "active".equals(row.getString(4)), row.getBoolean(5), row.getString(6),
                            row.getString(7), row.getString(8), previousExpires == null ? null : previousExpires.toInstant(), row.getString(10),
                            (Integer) row.getObject(11)));
                }
            }
        }
        return targets;
    }

    /** Deliveries to insert, as columns, in one statement. */
    private static final class Rows {
        private final List<UUID> ids = new ArrayList<>();
        private final List<String> orgIds = new ArrayList<>();
        private final List<UUID> endpointIds = new ArrayList<>();
        private final List<UUID> messageIds = new ArrayList<>();
        private final List<String> types = new ArrayList<>();
        private final List<String> aggregates = new ArrayList<>();
        private final List<Timestamp> due = new ArrayList<>();

        UUID add(UUID endpointId, UUID messageId, Event event, Timestamp nextAttemptAt) {
            UUID id = TypeId.uuidV7();
            ids.add(id);
            orgIds.add(event.orgId());
            endpointIds.add(endpointId);
            messageIds.add(messageId);
            types.add(event.type());
            aggregates.add(event.aggregateId());
            due.add(nextAttemptAt);
            return id;
        }

        int size() {
            return ids.size();
        }

        void insert(Connection db, Timestamp now) throws SQLException {
            if (ids.isEmpty()) {
                return;
            }
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO deliveries (id, org_id, endpoint_id, message_id, event_type, aggregate_id, status, next_attempt_at,
                                            created_at, updated_at)
                    SELECT v.id, v.org_id, v.endpoint_id, v.message_id, v.type, v.aggregate_id, 'pending', v.due, ?, ?
                    FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::timestamptz[])
                         AS v(id, org_id, endpoint_id, message_id, type, aggregate_id, due)""")) {
                insert.setTimestamp(1, now);
                insert.setTimestamp(2, now);
                insert.setArray(3, db.createArrayOf("uuid", ids.toArray()));
                insert.setArray(4, db.createArrayOf("text", orgIds.toArray()));
                insert.setArray(5, db.createArrayOf("uuid", endpointIds.toArray()));
                insert.setArray(6, db.createArrayOf("uuid", messageIds.toArray()));
                insert.setArray(7, db.createArrayOf("text", types.toArray()));
                insert.setArray(8, db.createArrayOf("text", aggregates.toArray()));
                insert.setArray(9, db.createArrayOf("timestamptz", due.toArray()));
                insert.executeUpdate();
            }
        }
    }

    /** One message for one endpoint only (a test event): returns the delivery id. */
    public UUID acceptFor(Connection db, Event event, UUID endpointId) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        UUID messageId = storeMessages(db, List.of(event), now).keySet().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("test event " + event.eventId() + " was not stored"));
        Rows rows = new Rows();
        UUID deliveryId = rows.add(endpointId, messageId, event, now);
        rows.insert(db, now);
        return deliveryId;
    }

    /** New deliveries of stored messages to one endpoint (a replay); returns how many. */
    public int redeliver(Connection db, UUID endpointId, String orgId, List<UUID> messageIds, List<String> types, List<String> aggregates)
            throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        Rows rows = new Rows();
        for (int i = 0; i < messageIds.size(); i++) {
            rows.add(endpointId, messageIds.get(i), new Event(null, types.get(i), orgId, aggregates.get(i), null, null), now);
        }
        rows.insert(db, now);
        return rows.size();
    }

    private String payload(Event event) {
        ObjectNode body = json.createObjectNode();
        body.put("id", event.eventId());
        body.put("type", event.type());
        body.put("created_at", (event.time() == null ? Instant.now() : event.time()).toString());
        body.put("org_id", event.orgId());
        try {
            JsonNode data = event.data() == null || event.data().isBlank() ? json.createObjectNode() : json.readTree(event.data());
            body.set("data", data);
            return json.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("event " + event.eventId() + " has no JSON data", e);
        }
    }
}
