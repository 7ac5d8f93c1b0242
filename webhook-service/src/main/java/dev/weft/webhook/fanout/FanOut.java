package dev.weft.webhook.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.db.ArrayColumns;
import dev.weft.platform.events.BatchEventHandler;
import dev.weft.platform.events.IncomingEvent;
import dev.weft.platform.id.TypeId;
import dev.weft.webhook.dispatch.DeliveryStatus;
import dev.weft.webhook.dispatch.Deliverable;
import dev.weft.webhook.dispatch.DeliveryIntake;
import dev.weft.webhook.eventtype.EventTypeCatalog;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
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

/**
 * Turns domain events into deliveries, as the platform's batch handler of every domain topic: the
 * webhook body is built once ({@code id, type, created_at, org_id, data}) and stored as the
 * message, then one pending delivery is written for every endpoint of the org (active or paused)
 * whose subscriptions match. A batch is three set-based statements in one transaction, whatever
 * its size. An event already stored (a redelivery from Kafka, a duplicate on the topic) is
 * skipped: messages are unique by event id. A delivery to an active, unordered endpoint that the
 * dispatcher can take now is stored already leased and handed to it after the commit (no claim
 * round, no second write before the send); every other one is stored due and claimed.
 */
@ApplicationScoped
public class FanOut implements BatchEventHandler {
    private final ObjectMapper json;
    /** The event's data as published, every number exact (EventData): the payload's digits and scale are the producer's. */
    private final com.fasterxml.jackson.databind.ObjectReader exact;
    private final DataSource dataSource;
    private final DeliveryIntake intake;

    public FanOut(ObjectMapper json, DataSource dataSource, DeliveryIntake intake) {
        this.json = json;
        this.exact = dev.weft.platform.events.EventData.exactReader(json);
        this.dataSource = dataSource;
        this.intake = intake;
    }

    /** An event as fan-out needs it: CloudEvents attributes and the JSON data. */
    public record Event(String eventId, String type, String orgId, String aggregateId, Instant time, String data) {
        static Event of(IncomingEvent event) {
            return new Event(event.id(), event.type(), event.orgId(), event.key(), event.time(), event.data());
        }
    }

    @Override
    public String name() {
        return "webhook-fanout";
    }

    /** Runs in the platform's transaction; the leased deliveries go to the dispatcher once it has committed. */
    @Override
    public Runnable handle(List<IncomingEvent> events) throws SQLException {
        List<Event> batch = events.stream().map(Event::of).toList();
        Accepted accepted;
        try (Connection db = dataSource.getConnection()) {
            accepted = accept(db, batch);
        }
        return () -> {
            intake.take(accepted.leased());
            if (accepted.created() > accepted.leased().size()) {
                intake.wake();
            }
            // Back-pressure: the next batch is taken from Kafka once there is room to send it from memory.
            intake.awaitRoom();
        };
    }

    /** What a batch became: how many deliveries were stored, and those of them stored leased to this replica. */
    public record Accepted(int created, List<Deliverable> leased) {
    }

    /** Stores the events and their deliveries on {@code db} (the caller commits, then hands {@link Accepted#leased} over). */
    public Accepted accept(Connection db, List<Event> events) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        Map<UUID, Stored> stored = storeMessages(db, events, now);
        if (stored.isEmpty()) {
            return new Accepted(0, List.of());
        }
        Map<String, List<Target>> targets = endpointsOf(db, stored.values().stream().map(m -> m.event().orgId()).distinct().toArray(String[]::new));
        Timestamp leasedUntil = Timestamp.from(now.toInstant().plusSeconds(intake.leaseSeconds()));
        Rows rows = new Rows();
        List<Deliverable> leased = new ArrayList<>();
        Map<UUID, Integer> leasedPerEndpoint = new HashMap<>();
        for (Map.Entry<UUID, Stored> entry : stored.entrySet()) {
            Event event = entry.getValue().event();
            for (Target target : targets.getOrDefault(event.orgId(), List.of())) {
                if (!EventTypeCatalog.matches(target.subscriptions(), event.type())) {
                    continue;
                }
                boolean sendNow = target.active() && !target.ordered()
                        && intake.takesNow(target.id(), leasedPerEndpoint.getOrDefault(target.id(), 0));
                if (sendNow) {
                    leasedPerEndpoint.merge(target.id(), 1, Integer::sum);
                }
                UUID deliveryId = rows.add(target.id(), entry.getKey(), event, sendNow ? leasedUntil : now);
                if (sendNow) {
                    leased.add(new Deliverable(deliveryId, event.orgId(), target.id(), 0, event.eventId(), event.type(),
                            entry.getValue().body(), target.url(), target.secret(), target.previousSecret(), target.previousSecretExpiresAt(),
                            target.headers(), target.rateLimit()));
                }
            }
        }
        rows.insert(db, now);
        return new Accepted(rows.size(), leased);
    }

    /** A message: its event, and its webhook body as stored (text) and as sent (UTF-8, encoded once for all its deliveries). */
    private record Stored(Event event, String payload, byte[] body) {
        Stored(Event event, String payload) {
            this(event, payload, payload.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Inserts the batch's messages; returns those that were new (an event id seen before, or twice in the batch, is skipped). */
    private Map<UUID, Stored> storeMessages(Connection db, List<Event> events, Timestamp now) throws SQLException {
        Map<UUID, Stored> candidates = new LinkedHashMap<>();
        ArrayColumns messages = new ArrayColumns("uuid", "text", "text", "text", "text", "text");
        for (Event event : events) {
            if (event.orgId() == null || event.type() == null || event.eventId() == null) {
                continue;
            }
            String payload;
            try {
                payload = payload(event);
            } catch (IllegalArgumentException unreadable) {
                // Not JSON: it cannot become a webhook; the rest of the batch goes on.
                Log.warnf("event=webhook_event_unreadable event_id=%s type=%s", event.eventId(), event.type());
                continue;
            }
            UUID id = TypeId.uuidV7();
            candidates.put(id, new Stored(event, payload));
            messages.add(id, event.orgId(), event.eventId(), event.type(), event.aggregateId(), payload);
        }
        if (candidates.isEmpty()) {
            return candidates;
        }
        Map<UUID, Stored> inserted = new HashMap<>();
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO messages (id, org_id, event_id, type, aggregate_id, payload, created_at)
                SELECT v.id, v.org_id, v.event_id, v.type, v.aggregate_id, v.payload, ?
                FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                     AS v(id, org_id, event_id, type, aggregate_id, payload, n)
                ORDER BY v.n
                ON CONFLICT (event_id) DO NOTHING
                RETURNING id""")) {
            insert.setTimestamp(1, now);
            messages.bind(db, insert, 2);
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
        private final ArrayColumns columns = new ArrayColumns("uuid", "text", "uuid", "uuid", "text", "text", "timestamptz");

        UUID add(UUID endpointId, UUID messageId, Event event, Timestamp nextAttemptAt) {
            UUID id = TypeId.uuidV7();
            columns.add(id, event.orgId(), endpointId, messageId, event.type(), event.aggregateId(), nextAttemptAt);
            return id;
        }

        int size() {
            return columns.size();
        }

        void insert(Connection db, Timestamp now) throws SQLException {
            if (columns.isEmpty()) {
                return;
            }
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO deliveries (id, org_id, endpoint_id, message_id, event_type, aggregate_id, status, next_attempt_at,
                                            created_at, updated_at)
                    SELECT v.id, v.org_id, v.endpoint_id, v.message_id, v.type, v.aggregate_id, ?, v.due, ?, ?
                    FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::timestamptz[])
                         AS v(id, org_id, endpoint_id, message_id, type, aggregate_id, due)""")) {
                insert.setString(1, DeliveryStatus.PENDING.wire());
                insert.setTimestamp(2, now);
                insert.setTimestamp(3, now);
                columns.bind(db, insert, 4);
                insert.executeUpdate();
            }
        }
    }

    /** One message for one endpoint only (a test event), due at once: returns the delivery id. */
    public UUID acceptFor(Connection db, Event event, UUID endpointId) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        UUID messageId = storeMessages(db, List.of(event), now).keySet().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("test event " + event.eventId() + " was not stored"));
        Rows rows = new Rows();
        UUID deliveryId = rows.add(endpointId, messageId, event, now);
        rows.insert(db, now);
        return deliveryId;
    }

    /** New deliveries, due at once, of stored messages to one endpoint (a replay); returns how many. */
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
            JsonNode data = event.data() == null || event.data().isBlank() ? json.createObjectNode() : exact.readTree(event.data());
            body.set("data", data);
            return json.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("event " + event.eventId() + " has no JSON data", e);
        }
    }
}
