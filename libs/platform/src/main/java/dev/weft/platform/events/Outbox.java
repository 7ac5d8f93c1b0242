package dev.weft.platform.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.io.IOException;
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

    /** A pack of events (publishAll): what they share in the row's columns, the events in {@code pack}. */
    private static final String INSERT_PACK = """
            INSERT INTO outbox (topic, source, org_id, occurred_at, traceparent, pack, pack_size)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final String source;
    private final OutboxWakeup wakeup;
    /** Most events in one pack: the relay's round, so a round reads one pack or more, never part of one. */
    private final int batchSize;

    public Outbox(DataSource dataSource, ObjectMapper json, PlatformConfig config, OutboxWakeup wakeup) {
        this.dataSource = dataSource;
        this.json = json;
        this.wakeup = wakeup;
        this.batchSize = config.outbox().batchSize();
        this.source = "/weft/" + config.serviceName();
    }

    /**
     * Records many events in the current transaction (high-volume publishers such as change capture), in list order,
     * which is their order on Kafka per aggregate. Returns their ids.
     * <p>
     * They go in as packs ({@link OutboxPack}): one row holds a run of events of one topic, up to the relay's batch size
     * or 256 KiB, each event's JSON written straight into the pack. A row per event made PostgreSQL insert, read
     * back and delete a tuple and an index entry per event, the largest part of its CPU per captured change.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> publishAll(List<DomainEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        String orgId = TenantContext.current().map(RequestPrincipal::orgId).orElse(null);
        Timestamp occurredAt = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        String traceparent = TraceHeaders.currentTraceparent();
        int maxEvents = Math.max(1, batchSize);
        List<String> ids = new ArrayList<>(events.size());
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(INSERT_PACK)) {
            OutboxPack.Writer pack = new OutboxPack.Writer();
            // One generator for the whole list, writing into the pack: one per event, with its own buffer, was a share of a
            // captured batch's commit. Flushed after each event; no separator between the root values it writes.
            JsonGenerator generator = json.createGenerator(pack.sink()).setRootValueSeparator(null);
            String topic = null;
            for (DomainEvent event : events) {
                if (pack.count() > 0 && (!event.topic().equals(topic) || pack.full(maxEvents))) {
                    insertPack(insert, pack, topic, orgId, occurredAt, traceparent);
                }
                topic = event.topic();
                String eventId = TypeId.generate("evt");
                ids.add(eventId);
                try {
                    pack.add(eventId, event.aggregateId(), event.type(), event.subject(), () -> {
                        json.writeValue(generator, event.data());
                        generator.flush();
                    });
                } catch (IOException e) {
                    throw new IllegalArgumentException("event data of " + event.type() + " is not serialisable", e);
                }
            }
            insertPack(insert, pack, topic, orgId, occurredAt, traceparent);
            generator.close(); // returns its buffer; nothing left to write
            wakeup.afterCommit();
            return ids;
        } catch (IOException e) {
            throw new IllegalStateException("could not write the data of " + events.size() + " events", e);
        } catch (SQLException e) {
            throw new IllegalStateException("could not write " + events.size() + " events to the outbox", e);
        }
    }

    /** Adds the pack's row to the statement's batch and starts the next pack. */
    private void insertPack(PreparedStatement insert, OutboxPack.Writer pack, String topic, String orgId, Timestamp occurredAt,
                            String traceparent) throws SQLException {
        insert.setString(1, topic);
        insert.setString(2, source);
        insert.setString(3, orgId);
        insert.setTimestamp(4, occurredAt);
        insert.setString(5, traceparent);
        insert.setBinaryStream(6, pack.stream(), pack.bytes());
        insert.setInt(7, pack.count());
        // Executed at once: the batch would hold on to the stream, and the pack's buffer is reused for the next.
        insert.executeUpdate();
        pack.reset();
    }

    /**
     * The outbox's columns, in the order {@link #bindRow} binds them, and their placeholders: for a caller that writes an
     * event in a statement of its own together with the change it describes, e.g. a CTE
     * {@code WITH e AS (UPDATE ... RETURNING id) INSERT INTO outbox (ROW_COLUMNS) SELECT ROW_PLACEHOLDERS FROM e}, so a
     * change and its event are one round trip and one statement (atomic without a transaction around it).
     */
    public static final String ROW_COLUMNS = "event_id, topic, aggregate_id, type, source, subject, org_id, occurred_at, data, traceparent";
    public static final String ROW_PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?, ?";

    /**
     * Binds {@code event}'s outbox row to {@link #ROW_PLACEHOLDERS} from parameter {@code first}; returns the index of the
     * next parameter. Once the statement has run, call {@link #written()}.
     */
    public int bindRow(PreparedStatement statement, int first, DomainEvent event) throws SQLException {
        String data;
        try {
            data = json.writeValueAsString(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data of " + event.type() + " is not serialisable", e);
        }
        int i = first;
        statement.setString(i++, TypeId.generate("evt"));
        statement.setString(i++, event.topic());
        statement.setString(i++, event.aggregateId());
        statement.setString(i++, event.type());
        statement.setString(i++, source);
        statement.setString(i++, event.subject());
        statement.setString(i++, TenantContext.current().map(RequestPrincipal::orgId).orElse(null));
        statement.setTimestamp(i++, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS))); // as publish does: the driver's direct path
        statement.setString(i++, data);
        statement.setString(i++, TraceHeaders.currentTraceparent());
        return i;
    }

    /**
     * Events bound with {@link #bindRow} were written: wakes the relay once the current transaction commits, or now when
     * there is none (the caller's statement committed on its own).
     */
    public void written() {
        if (io.quarkus.narayana.jta.QuarkusTransaction.isActive()) {
            wakeup.afterCommit();
        } else {
            wakeup.committed();
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
            wakeup.afterCommit();
            return eventId;
        } catch (SQLException e) {
            throw new IllegalStateException("could not write event " + event.type() + " to the outbox", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data of " + event.type() + " is not serialisable", e);
        }
    }
}
