package dev.weft.platform.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /** The outbox columns publishAll fills, in the order of each binary COPY row. */
    private static final String COPY = "COPY outbox (event_id, topic, aggregate_id, type, subject, data, source, org_id, occurred_at, traceparent)"
            + " FROM STDIN (FORMAT binary)";
    private static final short COPY_COLUMNS = 10;
    /** The binary COPY signature, then no flags and no header extension. */
    private static final byte[] COPY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final String source;
    private final OutboxWakeup wakeup;

    public Outbox(DataSource dataSource, ObjectMapper json, PlatformConfig config, OutboxWakeup wakeup) {
        this.dataSource = dataSource;
        this.json = json;
        this.wakeup = wakeup;
        this.source = "/weft/" + config.serviceName();
    }

    /**
     * Records many events in the current transaction in one statement (high-volume publishers such as change capture),
     * in list order, which is their order on Kafka per aggregate. Returns their ids.
     * <p>
     * The rows go in as one binary {@code COPY}: each event's JSON is written once, straight into the stream, and
     * PostgreSQL reads the values as they are. Binding text arrays instead made the driver build one escaped array
     * literal per column (megabytes for a batch of thousands, short-lived and large enough to burden the collector) and
     * PostgreSQL parse it back: about half the CPU of committing a captured batch (bench/changes).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> publishAll(List<DomainEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        String orgId = TenantContext.current().map(RequestPrincipal::orgId).orElse(null);
        long occurredAt = postgresMicros(Instant.now());
        String traceparent = TraceHeaders.currentTraceparent();
        byte[] sourceBytes = utf8(source);
        byte[] orgBytes = utf8(orgId);
        byte[] traceBytes = utf8(traceparent);
        List<String> ids = new ArrayList<>(events.size());
        try (Connection connection = dataSource.getConnection()) {
            PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class), COPY, 1 << 16);
            try {
                DataOutputStream out = new DataOutputStream(copy);
                ByteArrayOutputStream data = new ByteArrayOutputStream(1024);
                out.write(COPY_HEADER);
                for (DomainEvent event : events) {
                    String eventId = TypeId.generate("evt");
                    ids.add(eventId);
                    data.reset();
                    try {
                        json.writeValue(data, event.data());
                    } catch (IOException e) {
                        throw new IllegalArgumentException("event data of " + event.type() + " is not serialisable", e);
                    }
                    out.writeShort(COPY_COLUMNS);
                    field(out, utf8(eventId));
                    field(out, utf8(event.topic()));
                    field(out, utf8(event.aggregateId()));
                    field(out, utf8(event.type()));
                    field(out, utf8(event.subject()));
                    out.writeInt(data.size());
                    data.writeTo(out);
                    field(out, sourceBytes);
                    field(out, orgBytes);
                    out.writeInt(8);
                    out.writeLong(occurredAt);
                    field(out, traceBytes);
                }
                out.writeShort(-1);
                copy.endCopy();
                wakeup.afterCommit();
            } catch (RuntimeException | IOException e) {
                if (copy.isActive()) {
                    try {
                        copy.cancelCopy();
                    } catch (SQLException cancel) {
                        e.addSuppressed(cancel);
                    }
                }
                throw e;
            }
            return ids;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not write " + events.size() + " events to the outbox", e);
        }
    }

    private static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    /** A field of a binary COPY row: its length and bytes, or -1 for NULL; text is sent as its UTF-8 bytes. */
    private static void field(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    /** A timestamptz in PostgreSQL's binary form: microseconds since 2000-01-01 UTC (truncated, as the column stores them). */
    static long postgresMicros(Instant instant) {
        return ChronoUnit.MICROS.between(POSTGRES_EPOCH, instant);
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
