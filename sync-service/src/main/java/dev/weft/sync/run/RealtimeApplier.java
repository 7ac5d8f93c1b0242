package dev.weft.sync.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.weft.platform.events.EventData;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.events.EventHandler;
import dev.weft.platform.events.Failures;
import dev.weft.platform.events.IncomingEvent;
import dev.weft.platform.filter.InMemoryFilter;
import dev.weft.platform.services.ServiceCallException;
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
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Realtime syncs: each {@code record.created|updated|deleted} change event (connections-service's change capture, on
 * weft.records.events) is applied to every enabled realtime sync of its org that reads that connection and object,
 * through the same stages as a run: filter, map, transform, write (upsert by key; a delete by the mapped key). Once per
 * event (the platform's processed-event claim), and an upsert or delete applied twice changes nothing. A record the
 * destination refuses is counted and kept among the sync's latest errors ({@link RealtimeChanges}, in the claim's
 * transaction), not retried; connections-service being down is retried by the consumer. While a run of the sync is
 * queued or running, its changes wait ({@link DeferredChanges}) and are applied when it ends ({@link #drain}): the
 * run's copy of a record is read before a change and may be written after it.
 */
@ApplicationScoped
public class RealtimeApplier implements EventHandler {
    private final SyncService syncs;
    private final SyncPlanner planner;
    private final ConnectionsClient connections;
    private final TransformStage transforms;
    private final RealtimeChanges changes;
    private final DeferredChanges deferred;
    /** Change events' numerics are exact numbers: read as decimals (EventData), so every digit reaches the destination. */
    private final ObjectReader json;
    /** Plans per sync, until the sync changes: describing both connections per event would cost two calls a change. */
    private final Map<UUID, Planned> plans = new ConcurrentHashMap<>();

    /** {@code source}: the object the sync reads, as saved; {@code plan} null when it cannot be planned, {@code unplannable} saying why. */
    private record Planned(Instant version, String source, SyncPlan plan, TransformStage.Compiled transform, String unplannable) {
    }

    public RealtimeApplier(SyncService syncs, SyncPlanner planner, ConnectionsClient connections, TransformStage transforms, RealtimeChanges changes,
                           DeferredChanges deferred, ObjectMapper json) {
        this.changes = changes;
        this.deferred = deferred;
        this.syncs = syncs;
        this.planner = planner;
        this.connections = connections;
        this.transforms = transforms;
        this.json = EventData.exactReader(json);
    }

    @Override
    public String name() {
        return "sync-realtime";
    }

    @Override
    public java.util.Set<String> topics() {
        return java.util.Set.of(dev.weft.platform.events.Topics.RECORDS);
    }

    @Override
    public boolean handles(IncomingEvent event) {
        return event.type().startsWith("record.");
    }

    @Override
    public void handle(IncomingEvent event) throws Exception {
        JsonNode data = json.readTree(event.data());
        if ("write".equals(data.path("direction").asText())) {
            return;
        }
        String connectionId = data.path("connection_id").asText(null);
        String object = data.path("object").asText(null);
        if (connectionId == null || object == null) {
            return;
        }
        // In id order: each sync's lock is taken in turn, and two events taking them in other orders could deadlock.
        List<Sync> realtime = Sync.list("sourceConnectionId = ?1 and schedule = ?2 and enabled = true order by id", connectionId, SyncService.REALTIME);
        for (Sync sync : realtime) {
            Planned planned = planned(sync);
            if (!planned.source().equalsIgnoreCase(object)) {
                continue;
            }
            deferred.lock(sync.id);
            if (deferred.mustWait(sync.id)) {
                // A run is copying the source (its older copy of this record could land after this change), or changes
                // from during one still wait: this one goes after them, once the run has ended.
                deferred.defer(sync.id, sync.orgId, event.type(), event.data());
                continue;
            }
            applyAndCount(sync, planned, event.type(), data);
        }
    }

    /** Applies one change to one sync and counts what it did, in the caller's transaction. */
    private void applyAndCount(Sync sync, Planned planned, String type, JsonNode data) throws java.sql.SQLException {
        Map<String, Object> key = map(data.path("key"));
        Applied applied = planned.plan() == null ? Applied.failed("the sync cannot run: " + planned.unplannable())
                : apply(sync, planned, type, map(data.path("record")), key);
        if (applied.outcome() == RealtimeChanges.Outcome.FAILED) {
            Log.warnf("event=realtime_record_failed org_id=%s sync_id=%s reason=\"%s\"", sync.orgId, sync.syncId(), applied.reason());
        }
        // In this event's transaction: a redelivered event, its claim already taken, is not counted again.
        changes.count(sync, applied.outcome(), keyText(key), applied.reason(), happenedAt(data));
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
                page = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> drainPage(syncId));
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
            for (int i = 0; i < page.size(); i++) {
                JsonNode change = data.get(i);
                if (!planned.source().equalsIgnoreCase(change.path("object").asText())) {
                    continue;
                }
                String key = keys.get(i);
                if (key != null && latest.get(key) != i) {
                    changes.count(sync, RealtimeChanges.Outcome.SKIPPED, key, null, happenedAt(change));
                } else {
                    applyAndCount(sync, planned, page.get(i).type(), change);
                }
            }
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

    private Applied apply(Sync sync, Planned planned, String type, Map<String, Object> record, Map<String, Object> key) {
        SyncPlan plan = planned.plan();
        ConnectionsApi.WriteRequest write;
        boolean delete = type.equals("record.deleted");
        if (delete) {
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
                return Applied.skipped("no destination key");
            }
            write = ConnectionsApi.WriteRequest.of(plan.destination().name(), List.of(destinationKey), "delete", plan.key());
        } else {
            if (record == null || !InMemoryFilter.of(plan.filter()).test(record)) {
                return Applied.skipped("filtered out");
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
                return Applied.failed("transform failed: " + e.getMessage());
            }
            if (transformed == null) {
                return Applied.skipped("skipped by the transform");
            }
            write = ConnectionsApi.WriteRequest.of(plan.destination().name(), List.of(transformed), plan.writeMode(),
                    plan.key().isEmpty() ? null : plan.key());
        }
        try {
            ConnectionsApi.WriteResponse result = connections.write(plan.destinationConnectionId(), write);
            if (!result.refused().isEmpty()) {
                if (delete && result.refused().getFirst().notFound()) {
                    // Already gone (never copied, or deleted before): what the delete asks for holds.
                    return Applied.skipped("not at the destination");
                }
                String error = result.refused().getFirst().error();
                return Applied.failed(error == null ? "refused by the destination" : error);
            }
            return new Applied(delete ? RealtimeChanges.Outcome.DELETED : RealtimeChanges.Outcome.WRITTEN, null);
        } catch (ServiceCallException e) {
            if (e.retryable()) {
                throw new Failures.Transient(e.getMessage(), e);
            }
            return Applied.failed(e.reason());
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
