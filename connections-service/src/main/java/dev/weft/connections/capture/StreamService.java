package dev.weft.connections.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionDeleting;
import dev.weft.connections.connection.ConnectionRuntime;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.data.DataService;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The streams of the current org's connections: create (validated against the connection's objects), list, pause, resume, delete. */
@ApplicationScoped
public class StreamService {
    /** How long a deletion waits for the replica running the stream to let go of it before cleaning up anyway. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final ConnectionService connections;
    private final ConnectionRuntime runtime;
    private final DataService data;
    private final StreamSupervisor supervisor;
    private final CursorCodec cursors;
    private final ConnectionsConfig config;
    private final ObjectMapper json;

    public StreamService(ConnectionService connections, ConnectionRuntime runtime, DataService data, StreamSupervisor supervisor,
                         CursorCodec cursors, ConnectionsConfig config, ObjectMapper json) {
        this.connections = connections;
        this.runtime = runtime;
        this.data = data;
        this.supervisor = supervisor;
        this.cursors = cursors;
        this.config = config;
        this.json = json;
    }

    @Transactional
    public StreamDtos.StreamView create(String connectionId, StreamDtos.CreateStream request) {
        Connection connection = connections.require(connectionId);
        ChangeSources sources = supervisor.sourcesFor(connection.provider).orElseThrow(() -> ApiException.invalid("connection_id",
                "capture_supported", "provider " + connection.provider + " has no change capture; streams follow postgres, mysql, "
                        + "salesforce, hubspot and http connections"));
        ObjectSchema object = data.describedObject(connectionId, request.object());
        if (object.primaryKey() == null || object.primaryKey().isEmpty()) {
            throw ApiException.invalid("object", "primary_key", object.name() + " has no primary key; a stream keys its events by it");
        }
        List<String> fields = DataService.fields(object, request.fields(), "fields");
        DataService.checkedFilter(object, request.filter(), "filter");
        Integer interval = null;
        if (Stream.POLL.equals(sources.kind())) {
            // A stream that names no interval keeps none of its own: it follows the operator's default, whatever it becomes.
            if (request.pollInterval() != null && request.pollInterval() < config.capture().minPollInterval().toSeconds()) {
                throw ApiException.invalid("poll_interval", "range", "poll_interval must be at least " + config.capture().minPollInterval().toSeconds()
                        + " seconds");
            }
            interval = request.pollInterval();
        } else if (request.pollInterval() != null) {
            throw ApiException.invalid("poll_interval", "not_applicable", connection.provider + " streams follow the database's log; poll_interval "
                    + "applies to polled SaaS connections only");
        }
        Stream existing = Stream.<Stream>find("connectionId = ?1 and object = ?2", connection.id, object.name()).firstResult();
        if (existing != null) {
            throw new ApiException(ErrorCode.DUPLICATE, "connection already has a stream of " + object.name(),
                    Map.of("field", "object", "stream_id", existing.streamId()));
        }
        Stream stream = new Stream();
        stream.connectionId = connection.id;
        stream.object = object.name();
        stream.fields = fields.isEmpty() ? null : write(fields);
        stream.filter = request.filter() == null || request.filter().isBlank() ? null : request.filter().trim();
        stream.kind = sources.kind();
        stream.status = StreamStatus.STARTING;
        stream.snapshot = Boolean.TRUE.equals(request.snapshot());
        stream.pollIntervalSeconds = interval;
        stream.persist();
        Log.infof("event=stream_created org_id=%s stream_id=%s connection_id=%s object=%s kind=%s", connection.orgId, stream.streamId(),
                connectionId, stream.object, stream.kind);
        return view(stream, connection);
    }

    public Page<StreamDtos.StreamView> list(String connectionId, String limit, String cursor) {
        Connection connection = connections.require(connectionId);
        return Keyset.of(Stream.class).where("connectionId = :connection", "connection", connection.id)
                .page(PageRequest.of(limit, cursor, cursors), s -> view(s, connection), cursors);
    }

    public StreamDtos.StreamView get(String connectionId, String streamId) {
        Connection connection = connections.require(connectionId);
        return view(require(connection, streamId), connection);
    }

    /** Stops the stream wherever it runs; it keeps its position (and, for a database log, its slot: the database keeps the log for it). */
    @Transactional
    public StreamDtos.StreamView pause(String connectionId, String streamId) {
        Connection connection = connections.require(connectionId);
        Stream stream = require(connection, streamId);
        if (stream.status != StreamStatus.PAUSED) {
            stream.status = StreamStatus.PAUSED;
            stream.statusReason = null;
        }
        return view(stream, connection);
    }

    /** Runs a paused or failed stream again, from its stored position. */
    @Transactional
    public StreamDtos.StreamView resume(String connectionId, String streamId) {
        Connection connection = connections.require(connectionId);
        Stream stream = require(connection, streamId);
        if (!stream.status.running()) {
            stream.status = StreamStatus.STARTING;
            stream.statusReason = null;
            stream.leasedBy = null;
            stream.leasedUntil = null;
        }
        return view(stream, connection);
    }

    /** Stops the stream, removes what it made in the source (replication slot, publication) and the stream itself. */
    public void delete(String connectionId, String streamId) {
        Connection connection = QuarkusTransaction.requiringNew().call(() -> connections.require(connectionId));
        Stream stream = QuarkusTransaction.requiringNew().call(() -> require(connection, streamId));
        delete(connection, stream);
    }

    /** A connection is being deleted: its streams go first (in its transaction, while its credentials still exist). */
    void connectionDeleting(@Observes ConnectionDeleting deleting) {
        Connection connection = Connection.findById(deleting.id());
        for (Stream stream : Stream.<Stream>list("connectionId", deleting.id())) {
            delete(connection, stream);
        }
    }

    private void delete(Connection connection, Stream stream) {
        UUID id = stream.id;
        // 1. Nobody runs it any more: paused here, stopped by its holder at its next renewal.
        QuarkusTransaction.requiringNew().run(() -> Stream.update("status = ?1, updatedAt = ?2 where id = ?3", StreamStatus.PAUSED, Instant.now(), id));
        supervisor.stop(id, "deleted");
        waitUntilReleased(id);
        // 2. What the source made for it in the customer's system.
        supervisor.sourcesFor(connection.provider).ifPresent(sources -> {
            try {
                sources.cleanUp(new Remnant(stream, connection, runtime.context(connection), data));
            } catch (RuntimeException e) {
                Log.warnf("event=stream_cleanup_failed org_id=%s stream_id=%s message=\"%s\"", stream.orgId, stream.streamId(), e.getMessage());
            }
        });
        // 3. The stream, its position and its schema history.
        QuarkusTransaction.requiringNew().run(() -> Stream.deleteById(id));
        Log.infof("event=stream_deleted org_id=%s stream_id=%s connection_id=%s", stream.orgId, stream.streamId(), connection.connectionId());
    }

    private void waitUntilReleased(UUID id) {
        Instant deadline = Instant.now().plus(STOP_WAIT);
        while (Instant.now().isBefore(deadline)) {
            Stream current = QuarkusTransaction.requiringNew().call(() -> Stream.<Stream>findById(id));
            if (current == null || current.leasedBy == null || current.leasedUntil == null || current.leasedUntil.isBefore(Instant.now())) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Stream require(Connection connection, String streamId) {
        UUID id = Ids.require(Stream.ID_PREFIX, streamId, "stream");
        Stream stream = Stream.<Stream>find("id = ?1 and connectionId = ?2", id, connection.id).firstResult();
        if (stream == null) {
            throw ApiException.notFound("stream");
        }
        return stream;
    }

    private StreamDtos.StreamView view(Stream s, Connection connection) {
        return new StreamDtos.StreamView(s.streamId(), connection.connectionId(), s.object, read(s.fields), s.filter, s.kind, s.status.wire(),
                s.statusReason, s.snapshot, pollInterval(s), s.position, s.eventsPublished, s.lastEventAt, s.lagSeconds, s.createdAt,
                s.updatedAt);
    }

    /** A polled stream's interval in seconds: its own, or the default it follows (rounded up); null for log streams. */
    private Integer pollInterval(Stream s) {
        if (!Stream.POLL.equals(s.kind)) {
            return null;
        }
        if (s.pollIntervalSeconds != null) {
            return s.pollIntervalSeconds;
        }
        long millis = config.capture().pollInterval().toMillis();
        return (int) Math.max(1, (millis + 999) / 1000);
    }

    private String write(List<String> fields) {
        try {
            return json.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> read(String fields) {
        try {
            return fields == null ? null : json.readValue(fields, new TypeReference<List<String>>() {
            });
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Enough of a stream that is going away for its source to clean up after it. */
    private record Remnant(Stream stream, Connection connection, ConnectorContext connector, DataService data) implements CaptureContext {
        @Override
        public UUID streamId() {
            return stream.id;
        }

        @Override
        public String streamPublicId() {
            return stream.streamId();
        }

        @Override
        public String orgId() {
            return stream.orgId;
        }

        @Override
        public String connectionId() {
            return connection.connectionId();
        }

        @Override
        public ObjectSchema object() {
            return data.describedObject(connection.connectionId(), stream.object);
        }

        @Override
        public boolean snapshot() {
            return stream.snapshot;
        }

        @Override
        public Duration pollInterval() {
            return stream.pollIntervalSeconds == null ? Duration.ofSeconds(30) : Duration.ofSeconds(stream.pollIntervalSeconds);
        }

        @Override
        public Map<String, String> offsets() {
            return Map.of();
        }

        @Override
        public void publish(ChangeBatch batch) {
            throw new LeaseLost(stream.streamId());
        }

        @Override
        public void status(StreamStatus status) {
            throw new LeaseLost(stream.streamId());
        }

        @Override
        public void failed(String reason) {
        }

        @Override
        public List<String> schemaHistory() {
            return List.of();
        }

        @Override
        public void recordSchemaHistory(String record) {
        }
    }
}
