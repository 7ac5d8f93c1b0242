package dev.weft.platform.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.db.ArrayColumns;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The transactional outbox: an event is a row written in the caller's transaction, so it exists
 * exactly when the change it describes was committed. {@link OutboxRelay} publishes it.
 */
@ApplicationScoped
public class Outbox {
    private static final String INSERT = """
            INSERT INTO outbox (event_id, topic, aggregate_id, type, source, subject, org_id, occurred_at, data, traceparent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final String source;

    public Outbox(DataSource dataSource, ObjectMapper json, PlatformConfig config) {
        this.dataSource = dataSource;
        this.json = json;
        this.source = "/weft/" + config.serviceName();
    }

    /**
     * Records many events in the current transaction in one statement (high-volume publishers such as change capture),
     * in list order, which is their order on Kafka per aggregate. Returns their ids.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> publishAll(List<DomainEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        String orgId = TenantContext.current().map(RequestPrincipal::orgId).orElse(null);
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        String traceparent = TraceHeaders.currentTraceparent();
        ArrayColumns rows = new ArrayColumns("text", "text", "text", "text", "text", "text");
        List<String> ids = new ArrayList<>(events.size());
        try {
            for (DomainEvent event : events) {
                String eventId = TypeId.generate("evt");
                ids.add(eventId);
                rows.add(eventId, event.topic(), event.aggregateId(), event.type(), event.subject(), json.writeValueAsString(event.data()));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not serialisable", e);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO outbox (event_id, topic, aggregate_id, type, subject, data, source, org_id, occurred_at, traceparent)
                     SELECT v.event_id, v.topic, v.aggregate_id, v.type, v.subject, v.data, ?, ?, ?, ?
                     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                          AS v(event_id, topic, aggregate_id, type, subject, data, n)
                     ORDER BY v.n""")) {
            insert.setString(1, source);
            insert.setString(2, orgId);
            insert.setTimestamp(3, now);
            insert.setString(4, traceparent);
            rows.bind(connection, insert, 5);
            insert.executeUpdate();
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("could not write " + events.size() + " events to the outbox", e);
        }
    }

    /** Records the event in the current transaction (there must be one) and returns its id. */
    @Transactional(Transactional.TxType.MANDATORY)
    public String publish(DomainEvent event) {
        String eventId = TypeId.generate("evt");
        String orgId = TenantContext.current().map(RequestPrincipal::orgId).orElse(null);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, eventId);
            insert.setString(2, event.topic());
            insert.setString(3, event.aggregateId());
            insert.setString(4, event.type());
            insert.setString(5, source);
            insert.setString(6, event.subject());
            insert.setString(7, orgId);
            insert.setTimestamp(8, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)));
            insert.setString(9, json.writeValueAsString(event.data()));
            insert.setString(10, TraceHeaders.currentTraceparent());
            insert.executeUpdate();
            return eventId;
        } catch (SQLException e) {
            throw new IllegalStateException("could not write event " + event.type() + " to the outbox", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data of " + event.type() + " is not serialisable", e);
        }
    }
}
