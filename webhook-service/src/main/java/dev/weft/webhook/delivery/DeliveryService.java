package dev.weft.webhook.delivery;

import dev.weft.platform.tenancy.OrgScopedLookup;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.webhook.dispatch.DeliveryIntake;
import dev.weft.webhook.dispatch.DeliveryStatus;
import dev.weft.webhook.endpoint.Endpoint;
import dev.weft.webhook.eventtype.EventTypeCatalog;
import dev.weft.webhook.fanout.FanOut;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Deliveries and attempts of the current org's endpoints: history, statistics, manual retry, replay, test events. */
@ApplicationScoped
public class DeliveryService {
    private static final int MAX_REPLAY = 10_000;

    private final CursorCodec cursors;
    private final DataSource dataSource;
    private final FanOut fanOut;
    private final DeliveryIntake dispatcher;

    public DeliveryService(CursorCodec cursors, DataSource dataSource, FanOut fanOut, DeliveryIntake dispatcher) {
        this.cursors = cursors;
        this.dataSource = dataSource;
        this.fanOut = fanOut;
        this.dispatcher = dispatcher;
    }

    public Page<DeliveryDtos.DeliveryView> list(Endpoint endpoint, String status, String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        DeliveryStatus wanted = status == null || status.isBlank() ? null : DeliveryStatus.parse(status)
                .orElseThrow(() -> ApiException.invalid("status", "enum", "status must be one of " + DeliveryStatus.allWire()));
        List<Delivery> rows = Keyset.of(Delivery.class).where("endpointId = :endpoint", "endpoint", endpoint.id)
                .whereIfPresent("status = :status", "status", wanted).rows(page);
        Map<UUID, String> eventIds = eventIds(rows.stream().map(d -> d.messageId).toList());
        return Page.of(rows, page, Delivery::position, d -> view(d, eventIds.get(d.messageId)), cursors);
    }

    public DeliveryDtos.DeliveryView get(String id) {
        return view(require(id));
    }

    public DeliveryDtos.AttemptList attempts(String id) {
        Delivery delivery = require(id);
        List<Attempt> attempts = Attempt.<Attempt>find("deliveryId", Sort.ascending("attemptedAt"), delivery.id).list();
        return new DeliveryDtos.AttemptList(attempts.stream().map(a -> new DeliveryDtos.AttemptView(a.attemptId(), delivery.deliveryId(),
                a.attemptedAt, a.statusCode, a.latencyMs, a.succeeded, a.responseExcerpt, a.error, a.nextAttemptAt)).toList());
    }

    /** Sends a delivery again now, whatever its state; the retry schedule continues from its attempts so far. */
    public DeliveryDtos.DeliveryView retry(String id) {
        Delivery delivery = require(id);
        QuarkusTransaction.requiringNew().run(() -> {
            Delivery row = Delivery.findById(delivery.id);
            row.status = DeliveryStatus.RETRYING;
            row.nextAttemptAt = Instant.now();
            row.updatedAt = Instant.now();
        });
        dispatcher.wake();
        return view(QuarkusTransaction.requiringNew().call(() -> Delivery.<Delivery>findById(delivery.id)));
    }

    public DeliveryDtos.DeliveryView sendTest(Endpoint endpoint) {
        String eventId = TypeId.generate("evt");
        String data = "{\"webhook_id\":\"" + endpoint.endpointId() + "\",\"message\":\"A test event from Weft.\"}";
        UUID deliveryId = inTransaction(db -> fanOut.acceptFor(db,
                new FanOut.Event(eventId, "webhook.test", endpoint.orgId, endpoint.endpointId(), Instant.now(), data), endpoint.id));
        dispatcher.wake();
        return view(QuarkusTransaction.requiringNew().call(() -> Delivery.<Delivery>findById(deliveryId)));
    }

    /** New deliveries, to this endpoint, of every stored event of the window it subscribes to (and of {@code event_types}, if given). */
    public DeliveryDtos.Replayed replay(Endpoint endpoint, DeliveryDtos.Replay request) {
        Instant until = request.until() == null ? Instant.now() : request.until();
        if (!request.since().isBefore(until)) {
            throw ApiException.invalid("since", "before_until", "since must be before until");
        }
        List<String> subscriptions = endpoint.eventList();
        int replayed = inTransaction(db -> {
            List<UUID> ids = new ArrayList<>();
            List<String> types = new ArrayList<>();
            List<String> aggregates = new ArrayList<>();
            try (PreparedStatement select = db.prepareStatement("""
                    SELECT id, type, aggregate_id FROM messages WHERE org_id = ? AND created_at >= ? AND created_at < ?
                    ORDER BY created_at, id LIMIT ?""")) {
                select.setString(1, endpoint.orgId);
                select.setTimestamp(2, Timestamp.from(request.since()));
                select.setTimestamp(3, Timestamp.from(until));
                select.setInt(4, MAX_REPLAY);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        String type = row.getString(2);
                        boolean wanted = EventTypeCatalog.matches(subscriptions, type)
                                && (request.eventTypes() == null || request.eventTypes().isEmpty() || EventTypeCatalog.matches(request.eventTypes(), type));
                        if (wanted) {
                            ids.add(row.getObject(1, UUID.class));
                            types.add(type);
                            aggregates.add(row.getString(3));
                        }
                    }
                }
            }
            return fanOut.redeliver(db, endpoint.id, endpoint.orgId, ids, types, aggregates);
        });
        dispatcher.wake();
        return new DeliveryDtos.Replayed(replayed);
    }

    public DeliveryDtos.Stats stats(Endpoint endpoint) {
        Instant since = Instant.now().minus(Duration.ofHours(24));
        return inTransaction(db -> {
            long total;
            long succeeded;
            long failed;
            try (PreparedStatement counts = db.prepareStatement("""
                    SELECT count(*), count(*) FILTER (WHERE status = ?), count(*) FILTER (WHERE status = ?)
                    FROM deliveries WHERE endpoint_id = ? AND created_at >= ?""")) {
                counts.setString(1, DeliveryStatus.SUCCEEDED.wire());
                counts.setString(2, DeliveryStatus.FAILED.wire());
                counts.setObject(3, endpoint.id);
                counts.setTimestamp(4, Timestamp.from(since));
                try (ResultSet row = counts.executeQuery()) {
                    row.next();
                    total = row.getLong(1);
                    succeeded = row.getLong(2);
                    failed = row.getLong(3);
                }
            }
            Long p50 = null;
            Long p95 = null;
            try (PreparedStatement latency = db.prepareStatement("""
                    SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms)
                    FROM attempts WHERE endpoint_id = ? AND attempted_at >= ?""")) {
                latency.setObject(1, endpoint.id);
                latency.setTimestamp(2, Timestamp.from(since));
                try (ResultSet row = latency.executeQuery()) {
                    if (row.next() && row.getObject(1) != null) {
                        p50 = row.getLong(1);
                        p95 = row.getLong(2);
                    }
                }
            }
            long finished = succeeded + failed;
            return new DeliveryDtos.Stats("24h", total, succeeded, failed, finished == 0 ? null : (double) succeeded / finished,
                    new DeliveryDtos.Latency(p50, p95));
        });
    }

    private Delivery require(String id) {
        Delivery delivery = OrgScopedLookup.findById(Delivery.class, Ids.require(Delivery.ID_PREFIX, id, "delivery"));
        if (delivery == null) {
            throw ApiException.notFound("delivery");
        }
        return delivery;
    }

    DeliveryDtos.DeliveryView view(Delivery d) {
        return view(d, eventIds(List.of(d.messageId)).get(d.messageId));
    }

    private DeliveryDtos.DeliveryView view(Delivery d, String eventId) {
        return new DeliveryDtos.DeliveryView(d.deliveryId(), TypeId.format(Endpoint.ID_PREFIX, d.endpointId), eventId, d.eventType, d.status.wire(),
                d.attempts, d.nextAttemptAt, d.lastStatusCode, d.lastError, d.succeededAt, d.createdAt);
    }

    /** The event ids of these messages, in one query (a page of deliveries needs them all). */
    private Map<UUID, String> eventIds(List<UUID> messageIds) {
        if (messageIds.isEmpty()) {
            return Map.of();
        }
        return inTransaction(db -> {
            Map<UUID, String> ids = new java.util.HashMap<>();
            try (PreparedStatement select = db.prepareStatement("SELECT id, event_id FROM messages WHERE id = ANY(?)")) {
                select.setArray(1, db.createArrayOf("uuid", messageIds.toArray(UUID[]::new)));
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        ids.put(row.getObject(1, UUID.class), row.getString(2));
                    }
                }
            }
            return ids;
        });
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection db) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection db = dataSource.getConnection()) {
                return work.run(db);
            }
        });
    }
}
