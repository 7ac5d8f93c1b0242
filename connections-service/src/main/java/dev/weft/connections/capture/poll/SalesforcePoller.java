package dev.weft.connections.capture.poll;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.CaptureRefused;
import dev.weft.connections.capture.Change;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.salesforce.SalesforceConnector;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Salesforce: SOQL through {@code queryAll} on {@code SystemModstamp}, ordered by {@code SystemModstamp, Id} after the
 * cursor (the last record's modstamp and Id, so records sharing a second are neither lost nor repeated). A row with
 * {@code IsDeleted = true} (in the recycle bin) is a delete; {@code CreatedDate = SystemModstamp} a create; anything else
 * an update. Salesforce gives no previous values.
 */
@ApplicationScoped
class SalesforcePoller implements Poller {
    /** Records one query asks for; Salesforce answers them in batches of up to 2,000, each committed as it arrives. */
    static final int QUERY_LIMIT = 10_000;

    private final SalesforceConnector salesforce;

    SalesforcePoller(SalesforceConnector salesforce) {
        this.salesforce = salesforce;
    }

    @Override
    public String provider() {
        return "salesforce";
    }

    @Override
    public void check(CaptureContext context) {
        if (context.object().field("SystemModstamp").isEmpty()) {
            throw new CaptureRefused(context.object().name() + " has no SystemModstamp field; Salesforce changes are polled by it");
        }
    }

    @Override
    public Map<String, String> start(CaptureContext context, Instant from) {
        // To the second, as SOQL compares: the first poll asks for SystemModstamp >= that second.
        return cursor(from == null ? "" : from.truncatedTo(ChronoUnit.SECONDS).toString(), "");
    }

    @Override
    public void poll(CaptureContext context, Map<String, String> cursor, Sink sink) {
        ObjectSchema object = context.object();
        String[] at = {cursor.getOrDefault(AT, "")};
        String[] id = {cursor.getOrDefault(ID, "")};
        int read;
        do {
            read = salesforce.changes(context.connector(), object, context.fields(), at[0].isEmpty() ? null : Instant.parse(at[0]), id[0],
                    QUERY_LIMIT, records -> {
                        List<Change> changes = new ArrayList<>(records.size());
                        for (Map<String, Object> record : records) {
                            Instant modstamp = SalesforceConnector.timestamp(String.valueOf(record.get("SystemModstamp")));
                            at[0] = modstamp.toString();
                            id[0] = String.valueOf(record.get("Id"));
                            changes.add(new Change(op(record), Map.of("Id", id[0]), record, null, position(cursor(at[0], id[0])), modstamp));
                        }
                        sink.accept(changes, cursor(at[0], id[0]));
                    });
        } while (read >= QUERY_LIMIT);
    }

    private static Change.Op op(Map<String, Object> record) {
        if (Boolean.TRUE.equals(record.get("IsDeleted"))) {
            return Change.Op.DELETED;
        }
        Object created = record.get("CreatedDate");
        if (created != null && Objects.equals(SalesforceConnector.timestamp(String.valueOf(created)),
                SalesforceConnector.timestamp(String.valueOf(record.get("SystemModstamp"))))) {
            return Change.Op.CREATED;
        }
        return Change.Op.UPDATED;
    }

    private static Map<String, String> cursor(String at, String id) {
        Map<String, String> cursor = new LinkedHashMap<>();
        cursor.put(AT, at);
        cursor.put(ID, id);
        return cursor;
    }
}
