package dev.weft.sync.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.weft.platform.events.EventData;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.events.BatchEventHandler;
import dev.weft.platform.events.Failures;
import dev.weft.platform.events.IncomingEvent;
import dev.weft.platform.events.ProcessedEvents;
import dev.weft.platform.events.Topics;
import dev.weft.platform.filter.InMemoryFilter;
import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.sync.connections.ConnectionsApi;
import dev.weft.sync.connections.ConnectionsClient;
import dev.weft.sync.sync.RealtimeChanges;
import dev.weft.sync.sync.Sync;
import dev.weft.sync.sync.SyncDtos;
import dev.weft.sync.sync.SyncPlan;
import dev.weft.sync.sync.SyncPlanner;
import dev.weft.sync.sync.SyncService;
import dev.weft.sync.transform.TransformStage;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Realtime syncs: each {@code record.created|updated|deleted} change event (connections-service's change capture, on
 * weft.records.events) is applied to every enabled realtime sync of its org that reads that connection and object,
 * through the same stages as a run: filter, map, transform, write (upsert by key; a delete by the mapped key).
 *
 * <p>A polled batch of events is applied together, each org's share in one transaction as that org: its events claimed
 * at once (the platform's processed-event claim, so a redelivered event does nothing), then per sync, in id order, its
 * changes in their order, consecutive upserts (or deletes) of distinct keys sent as one write of up to
 * {@value #WRITE_RUN} records, and the outcomes counted in one statement. One change an HTTP call was about 100
 * changes a second; a bulk update of a source table now moves at the destination's write speed. A record the
 * destination refuses is counted and kept among the sync's latest errors ({@link RealtimeChanges}), not retried;
 * connections-service being down makes the consumer repeat the batch (the orgs already done find their events
 * claimed; an upsert or delete applied twice changes nothing). While a run of the sync is queued or running, its
 * changes wait ({@link DeferredChanges}) and are applied when it ends ({@link #drain}): the run's copy of a record is
 * read before a change and may be written after it.
 */
@ApplicationScoped
public class RealtimeApplier implements BatchEventHandler {
    /** Most records in one write to the destination. */
    static final int WRITE_RUN = 500;

    private final SyncService syncs;
    private final SyncPlanner planner;
    private final ConnectionsClient connections;
    private final TransformStage transforms;
    private final RealtimeChanges changes;
    private final DeferredChanges deferred;
    private final ProcessedEvents processed;
    private final SystemPrincipal system;
    /** Change events' numerics are exact numbers: read as decimals (EventData), so every digit reaches the destination. */
    private final ObjectReader json;
    /** Plans per sync, until the sync changes: describing both connections per event would cost two calls a change. */
    private final Map<UUID, Planned> plans = new ConcurrentHashMap<>();

    /** {@code source}: the object the sync reads, as saved; {@code plan} null when it cannot be planned, {@code unplannable} saying why. */
    private record Planned(Instant version, String source, SyncPlan plan, TransformStage.Compiled transform, String unplannable) {
    }

    /** One change event as a sync applies it: its type, its data and the data as received (kept when it must wait). */
    private record Change(String type, JsonNode data, String raw) {
        String object() {
            return data.path("object").asText("");
        }
    }

    public RealtimeApplier(SyncService syncs, SyncPlanner planner, ConnectionsClient connections, TransformStage transforms, RealtimeChanges changes,
                           DeferredChanges deferred, ProcessedEvents processed, SystemPrincipal system, ObjectMapper json) {
        this.changes = changes;
        this.deferred = deferred;
        this.syncs = syncs;
        this.planner = planner;
        this.connections = connections;
        this.transforms = transforms;
        this.processed = processed;
        this.system = system;
        this.json = EventData.exactReader(json);
    }

    @Override
    public String name() {
        return "sync-realtime";
    }

    @Override
    public java.util.Set<String> topics() {
        return java.util.Set.of(Topics.RECORDS);
    }

    @Override
    public Runnable handle(List<IncomingEvent> events) throws Exception {
        Map<String, List<IncomingEvent>> byOrg = new LinkedHashMap<>();
        for (IncomingEvent event : events) {
            if (Topics.RECORDS.equals(event.topic()) && event.type().startsWith("record.") && event.orgId() != null) {
                byOrg.computeIfAbsent(event.orgId(), org -> new ArrayList<>()).add(event);
            }
        }
        for (Map.Entry<String, List<IncomingEvent>> org : byOrg.entrySet()) {
            // As that org (an entity session's tenant is fixed), in a transaction of its own that claims its events: done
            // again after a later org failed, it finds them claimed.
            system.callAs(org.getKey(), () -> QuarkusTransaction.requiringNew().call(() -> {
                applyOrg(org.getValue());
                return null;
            }));
        }
        return null;
    }

    /** One org's change events, in order, in the caller's transaction. */
    private void applyOrg(List<IncomingEvent> events) throws Exception {
        java.util.Set<String> claimed = processed.claimAll(name(), events.stream().map(IncomingEvent::id).toList());
        Map<String, List<Sync>> readers = new HashMap<>();
        // In id order: each sync's lock is taken in turn, and two batches taking them in other orders could deadlock.
        Map<UUID, List<Change>> bySync = new TreeMap<>();
        Map<UUID, Sync> synced = new HashMap<>();
        for (IncomingEvent event : events) {
            if (!claimed.remove(event.id())) {
                continue; // redelivered, or twice in this batch
            }
            JsonNode data = json.readTree(event.data());
            if ("write".equals(data.path("direction").asText())) {
                continue;
            }
            String connectionId = data.path("connection_id").asText(null);
            if (connectionId == null || data.path("object").asText(null) == null) {
                continue;
            }
            List<Sync> realtime = readers.computeIfAbsent(connectionId, id -> Sync.list(
                    "sourceConnectionId = ?1 and schedule = ?2 and enabled = true order by id", id, SyncService.REALTIME));
            for (Sync sync : realtime) {
                synced.put(sync.id, sync);
                bySync.computeIfAbsent(sync.id, id -> new ArrayList<>()).add(new Change(event.type(), data, event.data()));
            }
        }
        for (Map.Entry<UUID, List<Change>> entry : bySync.entrySet()) {
            Sync sync = synced.get(entry.getKey());
            Planned planned = planned(sync);
            List<Change> mine = entry.getValue().stream().filter(c -> planned.source().equalsIgnoreCase(c.object())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            deferred.lock(sync.id);
            if (deferred.mustWait(sync.id)) {
                // A run is copying the source (its older copy of a record could land after these changes), or changes
                // from during one still wait: these go after them, once the run has ended.
                for (Change change : mine) {
                    deferred.defer(sync.id, sync.orgId, change.type(), change.raw());
                }
                continue;
            }
            RealtimeChanges.Tally tally = new RealtimeChanges.Tally();
            apply(sync, planned, mine, tally);
            changes.count(sync, tally);
        }
    }

    /** Changes applied from the held-back ones in one transaction. */
    static final int DRAIN_PAGE = 500;

    /**
     * Applies the sync's held-back changes, now that its run has ended: page by page in order, each page in a
     * transaction of its own that also removes it, under the sync's lock (so a change arriving meanwhile waits behind
     * them). Of a record's changes within a page only the latest is written (the others are counted as skipped): each
     * carries the whole record. Stops when a run is active again or nothing waits; a page that fails (connections-service
     * down) stays for the next try. Call as the sync's org. Returns the changes taken.
     */
    public int drain(UUID syncId) {
        int taken = 0;
        while (true) {
            int page;
            try {
                page = QuarkusTransaction.requiringNew().call(() -> drainPage(syncId));
            } catch (RuntimeException e) {
                Log.warnf("event=realtime_drain_failed sync_id=%s error=%s message=\"%s\"", syncId, e.getClass().getSimpleName(), e.getMessage());
                return taken;
            }
            if (page == 0) {
                return taken;
            }
            taken += page;
        }
    }

    private int drainPage(UUID syncId) throws Exception {
        deferred.lock(syncId);
        if (deferred.runActive(syncId)) {
            return 0;
        }
        List<DeferredChanges.Deferred> page = deferred.oldest(syncId, DRAIN_PAGE);
        if (page.isEmpty()) {
            return 0;
        }
        Sync sync = Sync.findById(syncId);
        // Changes for a sync paused or no longer realtime meanwhile are dropped, as they would be arriving now.
        if (sync != null && sync.enabled && SyncService.REALTIME.equals(sync.schedule)) {
            Planned planned = planned(sync);
            List<JsonNode> data = new java.util.ArrayList<>(page.size());
            List<String> keys = new java.util.ArrayList<>(page.size());
            Map<String, Integer> latest = new java.util.HashMap<>();
            for (int i = 0; i < page.size(); i++) {
                JsonNode change = json.readTree(page.get(i).data());
                String key = keyText(map(change.path("key")));
                data.add(change);
                keys.add(key);
                if (key != null) {
                    latest.put(key, i);
                }
            }
            RealtimeChanges.Tally tally = new RealtimeChanges.Tally();
            List<Change> latestChanges = new ArrayList<>(page.size());
            for (int i = 0; i < page.size(); i++) {
                JsonNode change = data.get(i);
                if (!planned.source().equalsIgnoreCase(change.path("object").asText())) {
                    continue;
                }
                String key = keys.get(i);
                if (key != null && latest.get(key) != i) {
                    tally.add(RealtimeChanges.Outcome.SKIPPED, key, null, happenedAt(change));
                } else {
                    latestChanges.add(new Change(page.get(i).type(), change, page.get(i).data()));
                }
            }
            apply(sync, planned, latestChanges, tally);
            changes.count(sync, tally);
        }
        deferred.applied(syncId, page.getLast().seq());
        Log.infof("event=realtime_drained sync_id=%s changes=%d", syncId, page.size());
        return page.size();
    }

    /** What one change did to one sync; {@code reason} says why it failed or was skipped. */
    private record Applied(RealtimeChanges.Outcome outcome, String reason) {
        static Applied failed(String reason) {
            return new Applied(RealtimeChanges.Outcome.FAILED, reason);
        }

        static Applied skipped(String reason) {
            return new Applied(RealtimeChanges.Outcome.SKIPPED, reason);
        }
    }

    /** A change made ready: its outcome when nothing is to be written, else the record (or key) to write, and whether to delete it. */
    private record Prepared(Applied done, Map<String, Object> record, boolean delete) {
    }

    /** A record waiting in a write, with its change's key and time for its count. */
    private record Pending(Map<String, Object> record, String key, Instant happenedAt) {
    }

    /**
     * Applies a sync's changes in their order and adds what each came to to {@code tally}: consecutive upserts, or
     * deletes, of distinct keys go to the destination as one write (a key seen again, or the other kind, starts the
     * next), so every record ends as its latest change says.
     */
    private void apply(Sync sync, Planned planned, List<Change> changes, RealtimeChanges.Tally tally) {
        List<Pending> run = new ArrayList<>();
        java.util.Set<String> runKeys = new java.util.HashSet<>();
        boolean runDeletes = false;
        for (Change change : changes) {
            Map<String, Object> key = map(change.data().path("key"));
            String keyText = keyText(key);
            Instant happenedAt = happenedAt(change.data());
            Prepared prepared = planned.plan() == null ? new Prepared(Applied.failed("the sync cannot run: " + planned.unplannable()), null, false)
                    : prepare(sync, planned, change.type(), map(change.data().path("record")), key);
            if (prepared.done() != null) {
                count(sync, tally, prepared.done(), keyText, happenedAt);
                continue;
            }
            if (!run.isEmpty() && (prepared.delete() != runDeletes || run.size() >= WRITE_RUN || (keyText != null && runKeys.contains(keyText)))) {
                write(sync, planned, run, runDeletes, tally);
                run.clear();
                runKeys.clear();
            }
            runDeletes = prepared.delete();
            run.add(new Pending(prepared.record(), keyText, happenedAt));
            if (keyText != null) {
                runKeys.add(keyText);
            }
        }
        if (!run.isEmpty()) {
            write(sync, planned, run, runDeletes, tally);
        }
    }

    private static void count(Sync sync, RealtimeChanges.Tally tally, Applied applied, String key, Instant happenedAt) {
        if (applied.outcome() == RealtimeChanges.Outcome.FAILED) {
            Log.warnf("event=realtime_record_failed org_id=%s sync_id=%s reason=\"%s\"", sync.orgId, sync.syncId(), applied.reason());
        }
        tally.add(applied.outcome(), key, applied.reason(), happenedAt);
    }

    /** Filter, map and transform an upsert; the destination key of a delete. */
    private Prepared prepare(Sync sync, Planned planned, String type, Map<String, Object> record, Map<String, Object> key) {
        SyncPlan plan = planned.plan();
        if (type.equals("record.deleted")) {
            Map<String, Object> source = new LinkedHashMap<>(key == null ? Map.of() : key);
            if (record != null) {
                source.putAll(record);
            }
            Map<String, Object> destinationKey = new LinkedHashMap<>();
            for (String field : plan.key()) {
                plan.mappings().stream().filter(m -> m.destination().equals(field)).findFirst()
                        .filter(m -> source.get(m.source()) != null).ifPresent(m -> destinationKey.put(field, source.get(m.source())));
            }
            if (plan.key().isEmpty() || destinationKey.size() != plan.key().size()) {
                Log.infof("event=realtime_delete_skipped org_id=%s sync_id=%s reason=no_destination_key", sync.orgId, sync.syncId());
                return new Prepared(Applied.skipped("no destination key"), null, true);
            }
            return new Prepared(null, destinationKey, true);
        }
        if (record == null || !InMemoryFilter.of(plan.filter()).test(record)) {
            return new Prepared(Applied.skipped("filtered out"), null, false);
        }
        Map<String, Object> mapped = new LinkedHashMap<>();
        for (SyncPlan.Mapping mapping : plan.mappings()) {
            if (record.containsKey(mapping.source())) {
                mapped.put(mapping.destination(), record.get(mapping.source()));
            }
        }
        Map<String, Object> transformed;
        try {
            transformed = planned.transform().apply(record, mapped);
        } catch (Exception e) {
            return new Prepared(Applied.failed("transform failed: " + e.getMessage()), null, false);
        }
        if (transformed == null) {
            return new Prepared(Applied.skipped("skipped by the transform"), null, false);
        }
        return new Prepared(null, transformed, false);
    }

    /** One write of a run of upserts or deletes; each record's outcome is added to {@code tally}. */
    private void write(Sync sync, Planned planned, List<Pending> run, boolean delete, RealtimeChanges.Tally tally) {
        SyncPlan plan = planned.plan();
        List<Map<String, Object>> records = run.stream().map(Pending::record).toList();
        ConnectionsApi.WriteRequest write = delete ? ConnectionsApi.WriteRequest.of(plan.destination().name(), records, "delete", plan.key())
                : ConnectionsApi.WriteRequest.of(plan.destination().name(), records, plan.writeMode(), plan.key().isEmpty() ? null : plan.key());
        Map<Integer, ConnectionsApi.Failure> refused = new HashMap<>();
        try {
            for (ConnectionsApi.Failure failure : connections.write(plan.destinationConnectionId(), write).refused()) {
                refused.put(failure.index(), failure);
            }
        } catch (ServiceCallException e) {
            if (e.retryable()) {
                throw new Failures.Transient(e.getMessage(), e);
            }
            for (Pending pending : run) {
                count(sync, tally, Applied.failed(e.reason()), pending.key(), pending.happenedAt());
            }
            return;
        }
        for (int i = 0; i < run.size(); i++) {
            ConnectionsApi.Failure failure = refused.get(i);
            Applied applied;
            if (failure == null) {
                applied = new Applied(delete ? RealtimeChanges.Outcome.DELETED : RealtimeChanges.Outcome.WRITTEN, null);
            } else if (delete && failure.notFound()) {
                // Already gone (never copied, or deleted before): what the delete asks for holds.
                applied = Applied.skipped("not at the destination");
            } else {
                applied = Applied.failed(failure.error() == null ? "refused by the destination" : failure.error());
            }
            count(sync, tally, applied, run.get(i).key(), run.get(i).happenedAt());
        }
    }

    /** When the change was committed at the source, or else captured; null when the event says neither readably. */
    private static Instant happenedAt(JsonNode data) {
        String at = data.path("source").path("committed_at").asText(data.path("occurred_at").asText(null));
        try {
            return at == null ? null : Instant.parse(at);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** A change's source key as a run's errors show it: the values, joined with | when several. */
    private static String keyText(Map<String, Object> key) {
        return key == null || key.isEmpty() ? null : SyncPipeline.joined(List.copyOf(key.keySet()), key);
    }

    /** The sync's plan and compiled transforms, or, when it cannot be planned now (a table dropped, a field renamed), why. */
    private Planned planned(Sync sync) {
        Planned cached = plans.get(sync.id);
        if (cached != null && cached.version().equals(sync.updatedAt)) {
            return cached;
        }
        SyncDtos.SyncRequest request = syncs.request(sync);
        Planned planned;
        try {
            SyncPlan plan = planner.plan(request);
            planned = new Planned(sync.updatedAt, request.source().object(), plan, transforms.compile(sync.transformId, plan.mappings()), null);
        } catch (ApiException | TransformStage.TransformUnavailable e) {
            Log.warnf("event=realtime_sync_unplannable org_id=%s sync_id=%s reason=\"%s\"", sync.orgId, sync.syncId(), e.getMessage());
            // Not cached: the systems may be mended before the next change.
            return new Planned(sync.updatedAt, request.source().object(), null, null, e.getMessage());
        }
        Planned previous = plans.put(sync.id, planned);
        if (previous != null && previous.transform() != null) {
            previous.transform().close();
        }
        return planned;
    }

    private Map<String, Object> map(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        try {
            return json.forType(new TypeReference<Map<String, Object>>() { }).readValue(node);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the change's record is not an object of values: " + e.getMessage(), e);
        }
    }
}
