package dev.weft.workflow.trigger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.EventHandler;
import dev.weft.platform.events.IncomingEvent;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.InMemoryFilter;
import dev.weft.workflow.execution.ExecutionStarter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Domain events in, executions out: each consumed event (record.* from change capture on weft.records.events, or any
 * catalog event) is matched against the org's enabled triggers of its type; a record trigger also by connection and
 * object, then its filter over the record (the data API's grammar), a field_changed trigger by its field being among
 * the event's changed fields (old and new value from {@code previous} and {@code record}); an event trigger by its
 * filter over the event's data. Each match starts its workflow, once per (workflow, event id): the processed-event
 * claim and the executions' unique key both stand against redelivery.
 */
@ApplicationScoped
public class TriggerMatcher implements EventHandler {
    private final ExecutionStarter starter;
    private final TriggerService triggers;
    private final ObjectMapper json;

    private final javax.sql.DataSource dataSource;

    public TriggerMatcher(ExecutionStarter starter, TriggerService triggers, ObjectMapper json, javax.sql.DataSource dataSource) {
        this.starter = starter;
        this.triggers = triggers;
        this.json = json;
        this.dataSource = dataSource;
    }

    /**
     * The batch's events whose org has an enabled trigger of their type, found in one query: a change stream's thousands
     * of record events, of an org with no record trigger, each cost a transaction and a claim before.
     */
    @Override
    public List<IncomingEvent> worthHandling(List<IncomingEvent> events) throws java.sql.SQLException {
        java.util.Set<String> orgs = new java.util.HashSet<>();
        java.util.Set<String> types = new java.util.HashSet<>();
        for (IncomingEvent event : events) {
            orgs.add(event.orgId() == null ? "" : event.orgId());
            types.add(event.type());
        }
        java.util.Set<String> triggered = new java.util.HashSet<>();
        try (java.sql.Connection db = dataSource.getConnection();
             java.sql.PreparedStatement select = db.prepareStatement(
                     "SELECT DISTINCT org_id, event_type FROM triggers WHERE enabled AND org_id = ANY(?) AND event_type = ANY(?)")) {
            select.setArray(1, db.createArrayOf("text", orgs.toArray()));
            select.setArray(2, db.createArrayOf("text", types.toArray()));
            try (java.sql.ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    triggered.add(rows.getString(1) + " " + rows.getString(2));
                }
            }
        }
        return events.stream().filter(e -> triggered.contains((e.orgId() == null ? "" : e.orgId()) + " " + e.type())).toList();
    }

    @Override
    public String name() {
        return "workflow-triggers";
    }

    /** Every domain topic but the workflows' own (see handles). */
    @Override
    public java.util.Set<String> topics() {
        return dev.weft.platform.events.Topics.ALL.stream().filter(t -> !t.equals(dev.weft.platform.events.Topics.WORKFLOWS))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    public boolean handles(IncomingEvent event) {
        // Workflows' own events never start workflows (TriggerSpec refuses such triggers): no loop, no wasted transaction.
        return event.type() != null && !event.type().startsWith("workflow.");
    }

    @Override
    @SuppressWarnings("unchecked")
    public void handle(IncomingEvent event) throws Exception {
        List<Trigger> candidates = Trigger.list("eventType = ?1 and enabled = true", event.type());
        if (candidates.isEmpty()) {
            return;
        }
        Map<String, Object> data = event.data() == null ? Map.of() : dev.weft.platform.events.EventData.exactReader(json).forType(new TypeReference<LinkedHashMap<String, Object>>() { })
                .readValue(event.data());
        for (Trigger trigger : candidates) {
            TriggerSpec spec = triggers.spec(trigger);
            Map<String, Object> triggerInfo = new LinkedHashMap<>();
            triggerInfo.put("type", spec.type());
            triggerInfo.put("trigger_id", trigger.triggerId());
            triggerInfo.put("event_id", event.id());
            triggerInfo.put("event_type", event.type());
            Map<String, Object> context = new LinkedHashMap<>();
            if (spec.watchesRecords()) {
                // The object as the trigger names it, or the stream made for the trigger (which carries the object as the
                // connection describes it: public.leads for leads, ...).
                boolean sameObject = Objects.equals(spec.object(), data.get("object"))
                        || trigger.streamId != null && trigger.streamId.equals(data.get("stream_id"));
                if (!Objects.equals(spec.connectionId(), data.get("connection_id")) || !sameObject) {
                    continue;
                }
                Map<String, Object> record = data.get("record") instanceof Map<?, ?> r ? (Map<String, Object>) r
                        : data.get("key") instanceof Map<?, ?> k ? (Map<String, Object>) k : Map.of();
                Map<String, Object> previous = data.get("previous") instanceof Map<?, ?> p ? (Map<String, Object>) p : null;
                if (spec.field() != null) {
                    List<?> changed = data.get("changed_fields") instanceof List<?> l ? l : null;
                    boolean fieldChanged = changed != null ? changed.contains(spec.field())
                            : previous != null && !Objects.equals(previous.get(spec.field()), record.get(spec.field()));
                    if (!fieldChanged) {
                        continue;
                    }
                    triggerInfo.put("field", spec.field());
                    triggerInfo.put("old", previous == null ? null : previous.get(spec.field()));
                    triggerInfo.put("new", record.get(spec.field()));
                }
                Filter filter = spec.parsedFilter();
                if (filter != null && !InMemoryFilter.of(filter).test(record)) {
                    continue;
                }
                triggerInfo.put("connection_id", spec.connectionId());
                triggerInfo.put("object", spec.object());
                triggerInfo.put("record_id", data.get("record_id"));
                context.put(spec.object(), record);
                context.put("record", record);
                if (previous != null) {
                    context.put("previous", previous);
                }
            } else {
                Filter filter = spec.parsedFilter();
                if (filter != null && !InMemoryFilter.of(filter).test(data)) {
                    continue;
                }
                context.put("event", data);
                context.put("record", data);
            }
            starter.start(trigger, event.id(), triggerInfo, data, context);
        }
    }
}
