package dev.weft.platform.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
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
