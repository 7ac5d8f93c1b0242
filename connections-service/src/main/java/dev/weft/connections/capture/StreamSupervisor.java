package dev.weft.connections.capture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionRuntime;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.data.DataService;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.InMemoryFilter;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Runs change streams, each on one replica at a time. Every few seconds a replica renews the leases of the streams it
 * runs (stopping those it lost, or that were paused, failed or deleted meanwhile) and takes over running streams whose
 * lease ran out (never held, or held by a replica that was killed), through the platform's DueWork. A source's every
 * batch commits only while its replica still holds the stream, so two replicas never both publish a stream's changes,
 * and the position stored with the last committed batch is where the next holder resumes.
 */
@ApplicationScoped
public class StreamSupervisor {
    private static final DueWork.Claim UNHELD = new DueWork.Claim("streams",
            "(c.leased_until IS NULL OR c.leased_until < now()) AND c.status IN " + StreamStatus.RUNNING_SQL, "c.created_at",
            "leased_until", "SELECT id, org_id FROM claimed").ownedBy("leased_by");
    /** How long a stream whose source could not be reached waits before a replica tries it again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final String replica = "replica-" + TypeId.uuidV7();
    private final Map<UUID, Run> running = new ConcurrentHashMap<>();
    private final DueWork dueWork;
    private final StreamStore store;
    private final Instance<ChangeSources> sources;
    private final ConnectionService connections;
    private final ConnectionRuntime runtime;
    private final DataService data;
    private final Outbox outbox;
    private final SystemPrincipal system;
    private final ConnectionsConfig config;
    private final ObjectMapper json;
    private volatile boolean stopping;

    public StreamSupervisor(DueWork dueWork, StreamStore store, Instance<ChangeSources> sources, ConnectionService connections,
                            ConnectionRuntime runtime, DataService data, Outbox outbox, SystemPrincipal system, ConnectionsConfig config,
                            ObjectMapper json) {
        this.dueWork = dueWork;
        this.store = store;
        this.sources = sources;
        this.connections = connections;
        this.runtime = runtime;
        this.data = data;
        this.outbox = outbox;
        this.system = system;
        this.config = config;
        this.json = json;
    }

    private record Unheld(UUID id, String orgId) {
    }

    /** The kind of source that captures this provider's changes, if any. */
    public Optional<ChangeSources> sourcesFor(String provider) {
        return sources.stream().filter(s -> s.supports(provider)).findFirst();
    }

    /** Whether this replica runs the stream now (tests, and deletion waiting for it to stop). */
    public boolean runs(UUID streamId) {
        return running.containsKey(streamId);
    }

    @Scheduled(every = "${weft.connections.capture.supervise-interval:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void supervise() {
        if (!config.capture().enabled() || stopping) {
            return;
        }
        try {
            Set<UUID> held = store.renew(replica, Set.copyOf(running.keySet()), config.capture().lease());
            for (UUID id : Set.copyOf(running.keySet())) {
                if (!held.contains(id)) {
                    stop(id, "no longer held here (paused, deleted, failed or taken over)");
                }
            }
            List<Unheld> unheld = dueWork.claim(UNHELD, replica, DueWork.Parameters.NONE, config.capture().lease(), 20,
                    row -> new Unheld(row.getObject(1, UUID.class), row.getString(2)));
            dueWork.forEach("stream_start", unheld, Unheld::orgId, stream -> start(stream.id()));
        } catch (RuntimeException e) {
            Log.warnf("event=stream_supervision_failed replica=%s error=%s message=\"%s\"", replica, e.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** Starts a stream this replica just claimed; runs as the stream's org. */
    private void start(UUID id) {
        // Still running here when its lease ran out between this round's renewal and its claim (a stall longer than the
        // lease): that run is stopped before the new one reads the stored position, or both would publish from there on.
        close(id, "its lease ran out and it was claimed again here; restarting from the stored position");
        Stream stream = QuarkusTransaction.requiringNew().call(() -> Stream.<Stream>findById(id));
        if (stream == null) {
            return;
        }
        Run run;
        try {
            run = QuarkusTransaction.requiringNew().call(() -> prepare(stream));
        } catch (CaptureRefused e) {
            store.status(id, replica, StreamStatus.FAILED, e.getMessage());
            Log.infof("event=stream_refused org_id=%s stream_id=%s reason=\"%s\"", stream.orgId, stream.streamId(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            retryLater(stream, e);
            return;
        }
        try {
            run.source = run.sources.open(run);
            running.put(id, run);
            run.source.start();
            Log.infof("event=stream_started org_id=%s stream_id=%s connection_id=%s object=%s kind=%s replica=%s", stream.orgId,
                    stream.streamId(), run.connectionId, stream.object, stream.kind, replica);
        } catch (CaptureRefused e) {
            running.remove(id);
            store.status(id, replica, StreamStatus.FAILED, e.getMessage());
            Log.infof("event=stream_refused org_id=%s stream_id=%s reason=\"%s\"", stream.orgId, stream.streamId(), e.getMessage());
        } catch (RuntimeException e) {
            running.remove(id);
            retryLater(stream, e);
        }
    }

    /** The source could not be reached or started for a passing reason: say so on the stream and let a replica try later. */
    private void retryLater(Stream stream, RuntimeException e) {
        String reason = "could not start, retrying: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        store.status(stream.id, replica, StreamStatus.STARTING, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
        store.postpone(stream.id, replica, RETRY_AFTER);
        Log.warnf("event=stream_start_failed org_id=%s stream_id=%s message=\"%s\"", stream.orgId, stream.streamId(), reason);
    }

    private Run prepare(Stream stream) throws Exception {
        Connection connection = Connection.findById(stream.connectionId);
        if (connection == null) {
            throw new CaptureRefused("the stream's connection no longer exists");
        }
        ChangeSources kind = sourcesFor(connection.provider)
                .orElseThrow(() -> new CaptureRefused("provider " + connection.provider + " has no change capture"));
        ObjectSchema object = data.describedObject(connection.connectionId(), stream.object);
        List<String> fields = stream.fields == null ? List.of() : json.readValue(stream.fields, new TypeReference<List<String>>() {
        });
        Filter filter = DataService.checkedFilter(object, stream.filter, "filter");
        Predicate<Map<String, Object>> predicate = filter == null ? null : InMemoryFilter.of(filter);
        Duration interval = stream.pollIntervalSeconds == null ? config.capture().pollInterval() : Duration.ofSeconds(stream.pollIntervalSeconds);
        return new Run(stream.id, stream.streamId(), stream.orgId, connection.connectionId(), object, filter == null ? fields : List.of(),
                stream.snapshot, interval,
                runtime.context(connection), store.offsets(stream.id), kind,
                new RecordEvents(stream.orgId, stream.streamId(), connection.connectionId(), object.name(), kind.kind(), fields, predicate));
    }

    /** Stops a stream running here, if it does. */
    public void stop(UUID id, String why) {
        if (close(id, why)) {
            store.release(replica, Set.of(id));
        }
    }

    /** Stops the stream's run here, if there is one, keeping its lease; returns whether there was. */
    private boolean close(UUID id, String why) {
        Run run = running.remove(id);
        if (run == null) {
            return false;
        }
        try {
            if (run.source != null) {
                run.source.close();
            }
        } catch (RuntimeException e) {
            Log.warnf("event=stream_stop_failed stream_id=%s message=\"%s\"", run.streamPublicId, e.getMessage());
        }
        Log.infof("event=stream_stopped org_id=%s stream_id=%s reason=\"%s\"", run.orgId, run.streamPublicId, why);
        return true;
    }

    void shutdown(@Observes ShutdownEvent shutdown) {
        stopping = true;
        // Stopped and released now, so another replica takes the streams over at once rather than after the lease.
        for (UUID id : Set.copyOf(running.keySet())) {
            stop(id, "shutting down");
        }
    }

    /** One running stream: what its source was given, and how its batches are committed. */
    private final class Run implements CaptureContext {
        private final UUID streamId;
        private final String streamPublicId;
        private final String orgId;
        private final String connectionId;
        private final ObjectSchema object;
        private final List<String> fields;
        private final boolean snapshot;
        private final Duration pollInterval;
        private final ConnectorContext connector;
        private final Map<String, String> offsets;
        private final ChangeSources sources;
        private final RecordEvents events;
        private volatile ChangeSource source;

        Run(UUID streamId, String streamPublicId, String orgId, String connectionId, ObjectSchema object, List<String> fields, boolean snapshot,
            Duration pollInterval,
            ConnectorContext connector, Map<String, String> offsets, ChangeSources sources, RecordEvents events) {
            this.streamId = streamId;
            this.streamPublicId = streamPublicId;
            this.orgId = orgId;
            this.connectionId = connectionId;
            this.object = object;
            this.fields = List.copyOf(fields);
            this.snapshot = snapshot;
            this.pollInterval = pollInterval;
            this.connector = connector;
            this.offsets = Map.copyOf(offsets);
            this.sources = sources;
            this.events = events;
        }

        @Override
        public UUID streamId() {
            return streamId;
        }

        @Override
        public String streamPublicId() {
            return streamPublicId;
        }

        @Override
        public String orgId() {
            return orgId;
        }

        @Override
        public String connectionId() {
            return connectionId;
        }

        @Override
        public ObjectSchema object() {
            return object;
        }

        @Override
        public List<String> fields() {
            return fields;
        }

        @Override
        public boolean snapshot() {
            return snapshot;
        }

        @Override
        public Duration pollInterval() {
            return pollInterval;
        }

        @Override
        public ConnectorContext connector() {
            return connector;
        }

        @Override
        public Map<String, String> offsets() {
            return offsets;
        }

        @Override
        public void publish(ChangeBatch batch) {
            // This run, not merely the stream: a run replaced by a newer one of the same stream publishes nothing more.
            if (running.get(streamId) != this || stopping) {
                throw new LeaseLost(streamPublicId);
            }
            var published = events.of(batch.changes());
            Instant lastCommitted = batch.changes().stream().map(Change::committedAt).filter(Objects::nonNull).reduce((a, b) -> b).orElse(null);
            system.runAs(orgId, () -> QuarkusTransaction.requiringNew().run(() -> {
                outbox.publishAll(published);
                store.committed(streamId, streamPublicId, replica, published.size(), batch, lastCommitted);
            }));
        }

        @Override
        public void status(StreamStatus status) {
            if (!store.status(streamId, replica, status, null)) {
                throw new LeaseLost(streamPublicId);
            }
        }

        @Override
        public void failed(String reason) {
            if (running.get(streamId) != this) {
                return; // a run already replaced or stopped: the stream is another run's to report on
            }
            String cut = reason == null ? "the source stopped" : reason.length() > 1000 ? reason.substring(0, 1000) : reason;
            store.status(streamId, replica, StreamStatus.FAILED, cut);
            Log.warnf("event=stream_failed org_id=%s stream_id=%s reason=\"%s\"", orgId, streamPublicId, cut);
            // Not on the source's own thread: closing waits for that thread to finish.
            Thread.ofVirtual().start(() -> stop(streamId, "failed"));
        }

        @Override
        public List<String> schemaHistory() {
            return store.schemaHistory(streamId);
        }

        @Override
        public void recordSchemaHistory(String record) {
            store.recordSchemaHistory(streamId, record);
        }
    }
}
