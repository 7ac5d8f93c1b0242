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
import dev.weft.sync.sync.Sync;
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
 * destination refuses is logged and counted, not retried; connections-service being down is retried by the consumer.
 */
@ApplicationScoped
public class RealtimeApplier implements EventHandler {
    private final SyncService syncs;
    private final SyncPlanner planner;
    private final ConnectionsClient connections;
    private final TransformStage transforms;
    /** Change events' numerics are exact numbers: read as decimals (EventData), so every digit reaches the destination. */
    private final ObjectReader json;
    /** Plans per sync, until the sync changes: describing both connections per event would cost two calls a change. */
    private final Map<UUID, Planned> plans = new ConcurrentHashMap<>();

    private record Planned(Instant version, SyncPlan plan, TransformStage.Compiled transform) {
    }

    public RealtimeApplier(SyncService syncs, SyncPlanner planner, ConnectionsClient connections, TransformStage transforms, ObjectMapper json) {
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
        List<Sync> realtime = Sync.list("sourceConnectionId = ?1 and schedule = ?2 and enabled = true", connectionId, SyncService.REALTIME);
        for (Sync sync : realtime) {
            Planned planned = planned(sync);
            if (planned == null || !planned.plan().source().name().equalsIgnoreCase(object)) {
                continue;
            }
            apply(sync, planned, event.type(), map(data.path("record")), map(data.path("key")));
        }
    }

    private void apply(Sync sync, Planned planned, String type, Map<String, Object> record, Map<String, Object> key) throws Exception {
        SyncPlan plan = planned.plan();
        ConnectionsApi.WriteRequest write;
        if (type.equals("record.deleted")) {
            Map<String, Object> source = new LinkedHashMap<>(key);
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
                return;
            }
            write = ConnectionsApi.WriteRequest.of(plan.destination().name(), List.of(destinationKey), "delete", plan.key());
        } else {
            if (record == null || !InMemoryFilter.of(plan.filter()).test(record)) {
                return;
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
                Log.warnf("event=realtime_record_failed org_id=%s sync_id=%s reason=\"transform failed: %s\"", sync.orgId, sync.syncId(), e.getMessage());
                return;
            }
            if (transformed == null) {
                return;
            }
            write = ConnectionsApi.WriteRequest.of(plan.destination().name(), List.of(transformed), plan.writeMode(),
                    plan.key().isEmpty() ? null : plan.key());
        }
        try {
            ConnectionsApi.WriteResponse result = connections.write(plan.destinationConnectionId(), write);
            if (!result.refused().isEmpty()) {
                Log.warnf("event=realtime_record_failed org_id=%s sync_id=%s reason=\"%s\"", sync.orgId, sync.syncId(),
                        result.refused().getFirst().error());
            }
        } catch (ServiceCallException e) {
            if (e.retryable()) {
                throw new Failures.Transient(e.getMessage(), e);
            }
            Log.warnf("event=realtime_record_failed org_id=%s sync_id=%s status=%d reason=\"%s\"", sync.orgId, sync.syncId(), e.status(), e.reason());
        }
    }

    private Planned planned(Sync sync) {
        Planned cached = plans.get(sync.id);
        if (cached != null && cached.version().equals(sync.updatedAt)) {
            return cached;
        }
        try {
            SyncPlan plan = planner.plan(syncs.request(sync));
            Planned planned = new Planned(sync.updatedAt, plan, transforms.compile(sync.transformId, plan.mappings()));
            Planned previous = plans.put(sync.id, planned);
            if (previous != null) {
                previous.transform().close();
            }
            return planned;
        } catch (ApiException | TransformStage.TransformUnavailable e) {
            Log.warnf("event=realtime_sync_unplannable org_id=%s sync_id=%s reason=\"%s\"", sync.orgId, sync.syncId(), e.getMessage());
            return null;
        }
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
