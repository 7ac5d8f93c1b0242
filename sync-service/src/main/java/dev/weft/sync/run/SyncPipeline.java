package dev.weft.sync.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.crypto.Digests;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.events.Failures;
import dev.weft.platform.filter.InMemoryFilter;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.transform.TransformRuntime;
import dev.weft.sync.SyncConfig;
import dev.weft.sync.connections.ConnectionsApi;
import dev.weft.sync.connections.ConnectionsClient;
import dev.weft.sync.events.SyncEvents;
import dev.weft.sync.sync.Sync;
import dev.weft.sync.sync.SyncDtos;
import dev.weft.sync.sync.SyncPlan;
import dev.weft.sync.sync.SyncPlanner;
import dev.weft.sync.sync.SyncService;
import dev.weft.sync.transform.TransformStage;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * One run of a sync, top to bottom, with the batches being written and up to {@code weft.sync.read-ahead} more, prepared
 * ahead, in memory (three for an upsert, four for an insert by default):
 * <ol>
 *   <li><b>start</b>: mark the run running (a resumed run keeps its last checkpoint's cursor) and, the first time,
 *       publish {@code sync.started} in the same transaction; plan the sync against both connections' describe;
 *       compile its transforms once;</li>
 *   <li><b>read</b> the next batch after the cursor through connections-service's internal read (from the second batch on,
 *       read, filtered, mapped and transformed ahead while the batches before it are written and checkpointed:
 *       {@link BatchPrefetch});</li>
 *   <li><b>filter</b> on the source's fields (the data API's grammar, in memory), counting the rest as skipped;</li>
 *   <li><b>map</b> fields to the destination's names;</li>
 *   <li><b>transform</b> (a record that throws fails alone; one that comes back null is skipped);</li>
 *   <li><b>write</b> the batch through the internal write (upsert by key: a batch written twice is harmless; an insert
 *       run writes up to {@code weft.sync.writes-in-flight} batches at once);</li>
 *   <li><b>checkpoint</b>, in the batches' order, only after the write answered: the batch's counts, its errors and the
 *       cursor after it, on the run and on the sync, in ONE transaction fenced by this replica's lease;</li>
 *   <li>repeat until the source has no more; a mirror, or a run asked for as a full refresh (which, like a mirror's,
 *       read from the start, not from the sync's cursor), then <b>deletes</b> the destination's keys the run did not see
 *       ({@link #deleteUnseen});</li>
 *   <li><b>finish</b>: succeeded, or partially_succeeded when records
 *       failed, with {@code sync.completed}; failed with {@code sync.failed}; cancelled when asked.</li>
 * </ol>
 * A replica killed anywhere in this loses at most the batches after its last checkpoint: the next holder of the lease
 * reads again from that checkpoint's cursor and writes those batches again by key, counting them once.
 */
@ApplicationScoped
public class SyncPipeline {
    /** Attempts of a run whose dependencies keep failing transiently before it fails. */
    static final int MAX_ATTEMPTS = 5;

    private final RunStore store;
    private final SyncService syncs;
    private final SyncPlanner planner;
    private final ConnectionsClient connections;
    private final TransformStage transforms;
    private final SyncEvents events;
    private final SyncConfig config;
    private final ObjectMapper json;

    public SyncPipeline(RunStore store, SyncService syncs, SyncPlanner planner, ConnectionsClient connections, TransformStage transforms,
                        SyncEvents events, SyncConfig config, ObjectMapper json) {
        this.store = store;
        this.syncs = syncs;
        this.planner = planner;
        this.connections = connections;
        this.transforms = transforms;
        this.events = events;
        this.config = config;
        this.json = json;
    }

    /** Why a run ends failed: the catalog's error codes. */
    private static final class RunFailed extends RuntimeException {
        final String code;
        final String connectionId;

        RunFailed(String code, String message, String connectionId) {
            super(message, null, false, false);
            this.code = code;
            this.connectionId = connectionId;
        }
    }

    /** Runs (or resumes) a run this replica claimed as {@code owner}, as the run's org. */
    public void execute(UUID runId, String owner) {
        Duration lease = config.worker().lease();
        // 1. Start.
        Optional<RunStore.State> started = QuarkusTransaction.requiringNew().call(() -> store.start(runId, owner));
        if (started.isEmpty()) {
            return;
        }
        RunStore.State run = started.get();
        Sync sync = QuarkusTransaction.requiringNew().call(() -> Sync.<Sync>findById(run.syncId()));
        if (sync == null) {
            return;
        }
        SyncDtos.SyncRequest spec = syncs.request(sync);
        if (run.firstStart()) {
            QuarkusTransaction.requiringNew().run(() -> events.started(sync, spec, runId, run.trigger(), run.fullRefresh(), run.startedAt()));
        }
        if (run.cancelRequested()) {
            finish(sync, spec, runId, owner, RunStatus.CANCELLED, null);
            return;
        }
        Log.infof("event=run_started org_id=%s sync_id=%s run_id=%s attempt=%d resumed_from_checkpoint=%s", sync.orgId, sync.syncId(),
                runId, run.attempts(), run.batches() > 0);
        List<RunDtos.RecordError> errors = new ArrayList<>(readErrors(run.errors()));
        TransformStage.Compiled transform = TransformStage.NONE;
        try {
            SyncPlan plan = plan(spec);
            try {
                transform = transforms.compile(spec.transformId(), plan.mappings());
            } catch (TransformStage.TransformUnavailable e) {
                throw new RunFailed("TRANSFORM_ERROR", e.getMessage(), null);
            }
            if (run.trigger().equals("realtime") && run.batches() == 0) {
                awaitChangeStream(plan, runId);
            }
            if (run.firstStart()) {
                // A full read counts the source; an incremental one what is left after its cursor (where the source can say).
                count(plan, run.cursor(), runId, owner);
            }
            Predicate<Map<String, Object>> keep = InMemoryFilter.of(plan.filter());
            TransformStage.Compiled compiled = transform;
            // A mirror's every run, and a run asked for as a full refresh, read everything and delete what they did not see.
            boolean detectDeletes = plan.mode().equals("mirror") || run.fullRefresh();
            if (detectDeletes && !plan.mode().equals("mirror")) {
                try {
                    SyncPlanner.checkFullRefresh(plan);
                } catch (ApiException e) {
                    // Checked when the run was asked for; the sync or its destination changed since.
                    throw new RunFailed("INVALID_REQUEST", e.getMessage(), null);
                }
            }
            // 2.-7. Read, filter, map, transform, write and checkpoint, batch after batch (a run resumed in its delete phase had
            // read the whole source already).
            if (!run.deleting() && !copy(sync, spec, plan, run, owner, keep, compiled, detectDeletes, errors, lease)) {
                return;
            }
            // 8. Delete (mirror, full refresh): the whole source has been read; what the destination holds beyond it goes.
            if (detectDeletes && !deleteUnseen(sync, spec, plan, run, owner, errors, lease)) {
                return;
            }
            // 9. Finish.
            finish(sync, spec, runId, owner, null, null);
        } catch (RunFailed e) {
            finish(sync, spec, runId, owner, RunStatus.FAILED, e);
        } catch (RuntimeException e) {
            if (Failures.isTransient(e) && run.attempts() < MAX_ATTEMPTS) {
                Duration delay = Duration.ofSeconds(Math.min(60, 2L << run.attempts()));
                Log.warnf("event=run_postponed org_id=%s run_id=%s attempt=%d retry_in_s=%d message=\"%s\"", sync.orgId, runId, run.attempts(),
                        delay.toSeconds(), e.getMessage());
                QuarkusTransaction.requiringNew().run(() -> {
                    try {
                        store.postpone(runId, owner, delay, e.getMessage());
                    } catch (java.sql.SQLException sql) {
                        throw new IllegalStateException(sql);
                    }
                });
                return;
            }
            Log.errorf(e, "event=run_failed org_id=%s run_id=%s", sync.orgId, runId);
            finish(sync, spec, runId, owner, RunStatus.FAILED, new RunFailed(Failures.isTransient(e) ? "UNREACHABLE" : "INTERNAL_ERROR",
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), null));
        } catch (Exception e) {
            finish(sync, spec, runId, owner, RunStatus.FAILED, new RunFailed("INTERNAL_ERROR", String.valueOf(e.getMessage()), null));
        } finally {
            transform.close();
        }
    }

    /**
     * Steps 2 to 7 over the whole source, from the run's cursor. Batches are read and prepared ahead
     * ({@link BatchPrefetch}), and up to {@code weft.sync.writes-in-flight} of them are written at once where the
     * destination's outcome cannot depend on their order (see {@link #concurrentWrites}); each batch is checkpointed
     * in order, only after its own write and every earlier batch's checkpoint. Returns false when the run ended here
     * (cancelled, or its lease lost).
     */
    private boolean copy(Sync sync, SyncDtos.SyncRequest spec, SyncPlan plan, RunStore.State run, String owner, Predicate<Map<String, Object>> keep,
                         TransformStage.Compiled transform, boolean detectDeletes, List<RunDtos.RecordError> errors, Duration lease)
            throws JsonProcessingException {
        UUID runId = run.id();
        int batchSize = config.batchSize();
        int inFlight = concurrentWrites(plan) ? Math.max(1, config.writesInFlight()) : 1;
        Stages stages = new Stages();
        Deque<Writing> writing = new ArrayDeque<>();
        long batches = 0;
        boolean exhausted = false;
        boolean cancelled = false;
        // A batch that could not be read or prepared: thrown once the writes already sent are checkpointed, so a run
        // postponed for it resumes after them and does not send them again.
        RuntimeException unread = null;
        try (BatchPrefetch<Prepared> source = BatchPrefetch.start(run.cursor(), Math.max(1, config.readAhead()), cursor -> read(plan, cursor, batchSize),
                (page, index) -> prepare(plan, page, keep, transform, detectDeletes, index * batchSize))) {
            while (true) {
                // 2.-6. Take the batches prepared ahead and start their writes, up to the writes allowed at once. A run asked
                // to stop starts no more; the writes already sent are still checkpointed, so its counts say what they did.
                while (!exhausted && !cancelled && writing.size() < inFlight) {
                    long waitStart = System.nanoTime();
                    Prepared taken;
                    try {
                        taken = source.next();
                    } catch (RuntimeException e) {
                        unread = e;
                        taken = null;
                    }
                    if (taken == null) {
                        exhausted = true;
                        break;
                    }
                    Prepared batch = taken;
                    stages.add(batch, System.nanoTime() - waitStart);
                    writing.add(new Writing(batch, BatchPrefetch.start(() -> write(plan, runId, batch))));
                }
                if (writing.isEmpty()) {
                    if (unread != null && !cancelled) {
                        throw unread;
                    }
                    break;
                }
                Writing oldest = writing.removeFirst();
                Prepared batch = oldest.batch();
                long writeStart = System.nanoTime();
                ConnectionsApi.WriteResponse result = answer(plan, runId, oldest, writing);
                long checkpointStart = System.nanoTime();
                stages.write += checkpointStart - writeStart;
                // Its transform's errors join the run's only now, in order: the checkpoint before this one must not store them.
                for (RunDtos.RecordError error : batch.errors()) {
                    remember(errors, error.key(), error.reason());
                }
                long written = 0;
                long created = 0;
                long updated = 0;
                long failed = batch.failed();
                if (result != null) {
                    written = result.succeeded();
                    // Created and updated as the destination tells them (an upsert on PostgreSQL or Salesforce); an insert creates
                    // what it writes; a destination that does not tell counts in written only.
                    created = result.created() != null ? result.created() : plan.writeMode().equals("insert") ? written : 0;
                    updated = result.updated() != null ? result.updated() : 0;
                    List<String> keys = batch.keys();
                    for (ConnectionsApi.Failure r : result.refused()) {
                        failed++;
                        remember(errors, r.index() >= 0 && r.index() < keys.size() ? keys.get(r.index()) : "#" + r.index(),
                                r.error() == null ? "refused by the destination" : r.error());
                    }
                }
                // 7. Checkpoint: only now that the write has answered, and after every batch before it.
                RunStore.Delta delta = new RunStore.Delta(batch.read(), written, created, updated, 0, batch.skipped(), failed);
                String errorsJson = json.writeValueAsString(errors);
                Optional<Boolean> cancel = QuarkusTransaction.requiringNew().call(() -> store.checkpoint(runId, owner, delta, batch.next(), errorsJson,
                        lease, batch.seen(), spec.source()));
                if (cancel.isEmpty()) {
                    Log.warnf("event=run_lease_lost org_id=%s run_id=%s action=stop", sync.orgId, runId);
                    return false;
                }
                stages.checkpoint += System.nanoTime() - checkpointStart;
                batches++;
                cancelled |= cancel.get();
            }
        }
        if (cancelled) {
            finish(sync, spec, runId, owner, RunStatus.CANCELLED, null);
            return false;
        }
        stages.log(runId, batches);
        return true;
    }

    /**
     * Whether a run may write several batches at once: only an insert, which changes no record another batch writes (a
     * key written twice is refused whichever batch comes first). An upsert, a mirror or a delete lets the last write of a
     * key win, and with several writes at once the last would no longer be the newest read.
     */
    private static boolean concurrentWrites(SyncPlan plan) {
        return plan.writeMode().equals("insert");
    }

    /**
     * A sent write's answer. One that failed transiently while later batches' writes were out is sent once more, alone,
     * once those have answered: handing the run back instead would resume before this batch and send the later ones,
     * already written, a second time (duplicates where the destination has no key, refusals where it has one). Should
     * it fail again, the run is handed back as for any transient failure.
     */
    private ConnectionsApi.WriteResponse answer(SyncPlan plan, UUID runId, Writing oldest, Deque<Writing> later) {
        try {
            return BatchPrefetch.take(oldest.result());
        } catch (RuntimeException e) {
            // An interrupted wait is the replica stopping: hand the run back at once.
            if (later.isEmpty() || !Failures.isTransient(e) || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            for (Writing next : later) {
                try {
                    BatchPrefetch.take(next.result());
                } catch (RuntimeException ignored) {
                    // Its own turn reports it: it is taken again, in order, after this batch's checkpoint.
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            Log.infof("event=run_write_resent run_id=%s cursor_after=%s message=\"%s\"", runId, oldest.batch().next(), e.getMessage());
            return write(plan, runId, oldest.batch());
        }
    }

    /** A batch whose write was sent; its result is its checkpoint's to wait for. */
    private record Writing(Prepared batch, Future<ConnectionsApi.WriteResponse> result) {
    }

    /** Step 2: the batch of the source after {@code cursor}. */
    private BatchPrefetch.Page read(SyncPlan plan, String cursor, int batchSize) {
        // By the cursor field the sync chose, or describe's (sent either way: connections-service seals the cursor for it).
        ConnectionsApi.ReadRequest request = new ConnectionsApi.ReadRequest(plan.source().name(), plan.readFields(), cursor, batchSize, "rows",
                plan.source().cursorField());
        long start = System.nanoTime();
        ConnectionsApi.RecordsResponse page = call(plan.sourceConnectionId(), () -> connections.read(plan.sourceConnectionId(), request));
        List<Map<String, Object>> records = page.records();
        boolean more = page.pagination() != null && page.pagination().hasMore() && !records.isEmpty();
        String next = page.pagination() == null || page.pagination().nextCursor() == null ? cursor : page.pagination().nextCursor();
        return new BatchPrefetch.Page(records, cursor, next, more, System.nanoTime() - start);
    }

    /** Step 6: the batch's write; null when it has nothing to write. */
    private ConnectionsApi.WriteResponse write(SyncPlan plan, UUID runId, Prepared batch) {
        if (batch.out().isEmpty()) {
            return null;
        }
        ConnectionsApi.WriteRequest request = ConnectionsApi.WriteRequest.of(plan.destination().name(), batch.out(), plan.writeMode(),
                plan.key().isEmpty() ? null : plan.key()).once(writeId(runId, batch));
        ConnectionsApi.WriteResponse response = call(plan.destinationConnectionId(), () -> connections.write(plan.destinationConnectionId(), request));
        if (response != null && response.replayed()) {
            Log.infof("event=run_write_replayed run_id=%s write_id=%s records=%d", runId, request.writeId(), batch.out().size());
        }
        return response;
    }

    /**
     * The id a batch's write carries, so that the destination writes it once however often it is sent (connections-service's
     * write ledger, where the destination has one): this run, the source positions the batch spans and how many records
     * it writes. A run resumed
     * after a kill reads again from its last checkpoint; the batch it reads there spans the same positions and so
     * carries the same id, and a batch the destination committed before the kill is not written twice, with or
     * without a key.
     */
    static String writeId(UUID runId, Prepared batch) {
        // The record count too: a batch read again that holds other records is another write.
        return TypeId.format("run", runId) + ":" + Digests.sha256Hex(32, batch.from() == null ? "" : batch.from(),
                batch.next() == null ? "" : batch.next(), Integer.toString(batch.out().size()));
    }

    /**
     * A batch read (step 2) and filtered, mapped and transformed (steps 3 to 5), ready to write: {@code read} records came
     * from the source, {@code next} is the cursor after them.
     */
    private record Prepared(int read, String from, String next, List<Map<String, Object>> out, List<String> keys, List<String> seen,
                            long skipped, long failed, List<RunDtos.RecordError> errors, long readNanos, long transformNanos) {
    }

    /** Steps 3 to 5 for a batch read; {@code position} is its first record's place in this run. */
    private Prepared prepare(SyncPlan plan, BatchPrefetch.Page page, Predicate<Map<String, Object>> keep, TransformStage.Compiled transform,
                             boolean detectDeletes, long position) {
        long start = System.nanoTime();
        List<Map<String, Object>> records = page.records();
        Processed batch = processBatch(plan, records, keep, transform, detectDeletes, position);
        return new Prepared(records.size(), page.from(), page.next(), batch.out(), batch.keys(), batch.seen(), batch.skipped(), batch.failed(), batch.errors(),
                page.readNanos(), System.nanoTime() - start);
    }

    /** Where a run's time went, summed over its batches, for its log line (read and transform run ahead, beside the write). */
    private static final class Stages {
        long read;
        long transform;
        long waited;
        long write;
        long checkpoint;

        void add(Prepared batch, long waitedNanos) {
            read += batch.readNanos();
            transform += batch.transformNanos();
            waited += waitedNanos;
        }

        void log(UUID runId, long batches) {
            Log.infof("event=run_stages run_id=%s batches=%d read_ms=%d transform_ms=%d waited_ms=%d write_ms=%d checkpoint_ms=%d", runId, batches,
                    read / 1_000_000, transform / 1_000_000, waited / 1_000_000, write / 1_000_000, checkpoint / 1_000_000);
        }
    }

    /** A batch after filter, map and transform: the records to write with their keys, and what was left out. */
    private record Processed(List<Map<String, Object>> out, List<String> keys, List<String> seen, long skipped, long failed,
                             List<RunDtos.RecordError> errors) {
    }

    /**
     * Steps 3 to 5 for one batch. With a transform, the loop runs on a platform thread as a whole (transforms evaluate on
     * platform threads; handing each record over from the run's virtual thread cost a thread switch per record).
     */
    private Processed processBatch(SyncPlan plan, List<Map<String, Object>> records, Predicate<Map<String, Object>> keep,
                                   TransformStage.Compiled transform, boolean detectDeletes, long position) {
        if (transform == TransformStage.NONE) {
            return filterMapTransform(plan, records, keep, transform, detectDeletes, position);
        }
        return TransformRuntime.onPlatformThread(() -> filterMapTransform(plan, records, keep, transform, detectDeletes, position));
    }

    private Processed filterMapTransform(SyncPlan plan, List<Map<String, Object>> records, Predicate<Map<String, Object>> keep,
                                         TransformStage.Compiled transform, boolean detectDeletes, long position) {
        // The batch's own errors: the run's list takes them when the batch is written (this may run ahead of that).
        List<RunDtos.RecordError> errors = new ArrayList<>();
        long skipped = 0;
        long failed = 0;
        List<Map<String, Object>> out = new ArrayList<>(records.size());
        List<String> keys = new ArrayList<>(records.size());
        // The destination keys this batch saw, when the run detects deletes: kept (not deleted) even when the record failed here.
        List<String> seen = detectDeletes ? new ArrayList<>(records.size()) : List.of();
        List<SyncPlan.Mapping> mappings = plan.mappings();
        for (Map<String, Object> record : records) {
            // 3. Filter.
            if (!keep.test(record)) {
                skipped++;
                continue;
            }
            // 4. Map.
            Map<String, Object> mapped = LinkedHashMap.newLinkedHashMap(mappings.size());
            for (SyncPlan.Mapping mapping : mappings) {
                mapped.put(mapping.destination(), record.get(mapping.source()));
            }
            String key = keyOf(plan, record, mapped, position + out.size() + skipped + failed);
            // 5. Transform.
            Map<String, Object> transformed;
            try {
                transformed = transform.apply(record, mapped);
            } catch (Exception e) {
                failed++;
                remember(errors, key, "transform failed: " + e.getMessage());
                if (detectDeletes) {
                    seen.add(destinationKey(plan.key(), mapped));
                }
                continue;
            }
            if (transformed == null) {
                skipped++;
                continue;
            }
            out.add(transformed);
            keys.add(key);
            if (detectDeletes) {
                seen.add(destinationKey(plan.key(), transformed));
            }
        }
        return new Processed(out, keys, seen, skipped, failed, errors);
    }

    /**
     * The delete phase of a mirror or a full refresh: pages through the destination's keys (internal read, key fields only) and deletes, one
     * batch at a time, those the run did not see in the source (internal write, mode delete), checkpointing the deleted
     * count and the destination cursor after each batch. Memory holds one page; the seen keys stay in the database. A
     * replica killed here resumes at the last checkpoint's cursor; a replayed batch deletes nothing twice, as the
     * keys already deleted are no longer read. Returns false when the run ended here (cancelled, or its lease lost).
     */
    private boolean deleteUnseen(Sync sync, SyncDtos.SyncRequest spec, SyncPlan plan, RunStore.State run, String owner, List<RunDtos.RecordError> errors,
                                 Duration lease) throws JsonProcessingException {
        UUID runId = run.id();
        if (!run.deleting() && !QuarkusTransaction.requiringNew().call(() -> store.beginDeletes(runId, owner))) {
            Log.warnf("event=run_lease_lost org_id=%s run_id=%s action=stop", sync.orgId, runId);
            return false;
        }
        String connectionId = plan.destinationConnectionId();
        List<String> key = plan.key();
        String cursor = run.deleting() ? run.deleteCursor() : null;
        while (true) {
            ConnectionsApi.ReadRequest readRequest = new ConnectionsApi.ReadRequest(plan.destination().name(), key, cursor, config.batchSize());
            ConnectionsApi.RecordsResponse page = call(connectionId, () -> connections.read(connectionId, readRequest));
            List<Map<String, Object>> rows = page.records();
            List<String> encoded = new ArrayList<>(rows.size());
            for (Map<String, Object> row : rows) {
                encoded.add(destinationKey(key, row));
            }
            List<Integer> unseen = QuarkusTransaction.requiringNew().call(() -> store.unseen(runId, encoded));
            long deleted = 0;
            long failed = 0;
            if (!unseen.isEmpty()) {
                List<Map<String, Object>> doomed = new ArrayList<>(unseen.size());
                for (int i : unseen) {
                    Map<String, Object> keyOnly = new LinkedHashMap<>();
                    key.forEach(k -> keyOnly.put(k, rows.get(i).get(k)));
                    doomed.add(keyOnly);
                }
                ConnectionsApi.WriteResponse result = call(connectionId, () -> connections.write(connectionId,
                        ConnectionsApi.WriteRequest.of(plan.destination().name(), doomed, "delete", key)));
                deleted = result.succeeded();
                for (ConnectionsApi.Failure r : result.refused()) {
                    failed++;
                    remember(errors, r.index() >= 0 && r.index() < unseen.size() ? encoded.get(unseen.get(r.index())) : "#" + r.index(),
                            "delete refused: " + (r.error() == null ? "refused by the destination" : r.error()));
                }
            }
            String next = page.pagination() == null || page.pagination().nextCursor() == null ? cursor : page.pagination().nextCursor();
            String errorsJson = json.writeValueAsString(errors);
            long deletedNow = deleted;
            long failedNow = failed;
            Optional<Boolean> cancel = QuarkusTransaction.requiringNew().call(() -> store.deleteCheckpoint(runId, owner, deletedNow, failedNow, next,
                    errorsJson, lease));
            if (cancel.isEmpty()) {
                Log.warnf("event=run_lease_lost org_id=%s run_id=%s action=stop", sync.orgId, runId);
                return false;
            }
            if (cancel.get()) {
                finish(sync, spec, runId, owner, RunStatus.CANCELLED, null);
                return false;
            }
            if (page.pagination() == null || !page.pagination().hasMore() || rows.isEmpty()) {
                return true;
            }
            cursor = next;
        }
    }

    /** A record's destination key as the run records it: its values as strings, in key order (1 and 1L are one key). */
    private String destinationKey(List<String> key, Map<String, Object> record) {
        try {
            return json.writeValueAsString(key.stream().map(k -> String.valueOf(record.get(k))).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A run can say how far along it is when the source counts what it will read; a source that cannot is no failure. */
    private void count(SyncPlan plan, String cursor, UUID runId, String owner) {
        try {
            Long total = connections.count(plan.sourceConnectionId(), plan.source().name(), plan.source().cursorField(), cursor);
            if (total != null) {
                QuarkusTransaction.requiringNew().run(() -> {
                    try {
                        store.total(runId, owner, total);
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } catch (RuntimeException e) {
            Log.infof("event=run_count_unavailable run_id=%s message=\"%s\"", runId, e.getMessage());
        }
    }

    private SyncPlan plan(SyncDtos.SyncRequest spec) {
        try {
            return planner.plan(spec);
        } catch (ApiException e) {
            // The systems changed since the sync was saved (a table dropped, a field renamed).
            throw new RunFailed("INVALID_REQUEST", e.getMessage(), null);
        }
    }

    /** A call to connections-service: its refusals end the run with the system's own message; being down is transient. */

    /**
     * A realtime sync's copy (its first run, a catch-up) starts reading only once the source's change stream follows the
     * source (status streaming): a change committed after that is in the stream, and one before it in what the copy
     * reads. Started at once, the copy could miss a change the stream, not yet started, never sees either. A paused
     * stream is the user's choice, and the copy goes ahead; a failed one fails the run with the stream's reason. Waits
     * at most half the run's lease (no checkpoint renews it meanwhile); then the run is postponed as after a transient
     * failure, and waits again when taken up.
     */
    private void awaitChangeStream(SyncPlan plan, UUID runId) {
        String connectionId = plan.sourceConnectionId();
        String streamId = call(connectionId, () -> connections.ensureStream(connectionId, plan.source().name()));
        long deadline = System.nanoTime() + config.worker().lease().toNanos() / 2;
        while (true) {
            var stream = call(connectionId, () -> connections.stream(connectionId, streamId));
            switch (String.valueOf(stream.status())) {
                case "streaming", "paused" -> {
                    return;
                }
                case "failed" -> throw new RunFailed("UPSTREAM_ERROR", "the source's change stream " + streamId + " failed: " + stream.statusReason(),
                        connectionId);
                default -> {
                }
            }
            if (System.nanoTime() > deadline) {
                throw new Failures.Transient("the source's change stream " + streamId + " does not follow the source yet (status " + stream.status()
                        + (stream.statusReason() == null ? "" : ": " + stream.statusReason()) + ")", null);
            }
            Log.debugf("event=run_awaits_stream run_id=%s stream_id=%s status=%s", runId, streamId, stream.status());
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the change stream", e);
            }
        }
    }

    private static <T> T call(String connectionId, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ServiceCallException e) {
            if (e.retryable()) {
                throw new Failures.Transient(e.getMessage(), e);
            }
            String code = e.status() == 400 ? "INVALID_REQUEST" : e.status() == 404 ? "CONNECTION_DELETED" : "UPSTREAM_ERROR";
            throw new RunFailed(code, e.reason(), connectionId);
        }
    }

    private void finish(Sync sync, SyncDtos.SyncRequest spec, UUID runId, String owner, String forced, RunFailed failure) {
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                String status = forced;
                if (status == null) {
                    // Decided from the stored counts: a resumed run's earlier failures count too.
                    status = RunStatus.SUCCEEDED;
                }
                Optional<RunStore.Finished> done = store.finish(runId, owner, status, failure == null ? null : failure.getMessage());
                if (done.isPresent() && status.equals(RunStatus.SUCCEEDED) && done.get().failed() > 0) {
                    done = store.relabel(runId, RunStatus.PARTIALLY_SUCCEEDED);
                }
                done.ifPresent(finished -> {
                    Log.infof("event=run_finished org_id=%s sync_id=%s run_id=%s status=%s read=%d written=%d skipped=%d failed=%d", sync.orgId,
                            sync.syncId(), runId, finished.status(), finished.read(), finished.written(), finished.skipped(), finished.failed());
                    if (!finished.status().equals(RunStatus.CANCELLED)) {
                        events.finished(sync, spec, runId, finished, failure == null ? null
                                : new SyncEvents.Failure(failure.code, failure.getMessage(), failure.connectionId));
                    }
                });
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String keyOf(SyncPlan plan, Map<String, Object> source, Map<String, Object> mapped, long position) {
        // Called for every record: plain loops, no streams.
        List<String> sourceKey = plan.source().primaryKey();
        if (sourceKey != null && !sourceKey.isEmpty() && containsAll(source, sourceKey)) {
            return joined(sourceKey, source);
        }
        if (!plan.key().isEmpty()) {
            return joined(plan.key(), mapped);
        }
        return "#" + position;
    }

    private static boolean containsAll(Map<String, Object> record, List<String> fields) {
        for (String field : fields) {
            if (!record.containsKey(field)) {
                return false;
            }
        }
        return true;
    }

    /** A record's key as runs and realtime changes report it: its values, joined with | when several. */
    static String joined(List<String> fields, Map<String, Object> record) {
        if (fields.size() == 1) {
            return String.valueOf(record.get(fields.getFirst()));
        }
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                key.append('|');
            }
            key.append(record.get(fields.get(i)));
        }
        return key.toString();
    }

    private void remember(List<RunDtos.RecordError> errors, String key, String reason) {
        if (errors.size() < config.maxRecordedErrors()) {
            errors.add(new RunDtos.RecordError(key, reason.length() > 500 ? reason.substring(0, 500) + "..." : reason));
        }
    }

    private List<RunDtos.RecordError> readErrors(String text) {
        try {
            return text == null ? List.of() : json.readValue(text, new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }
}
