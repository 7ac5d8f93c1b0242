package dev.weft.sync.sync;

import dev.weft.platform.filter.Filter;
import dev.weft.sync.connections.ConnectionsApi;

import java.util.List;

/**
 * A sync checked against both connections' describe, with every name spelled as the systems spell it: what a run
 * reads, keeps, maps and writes. Built when a sync is saved (its errors are the API's 400s) and again at the start of
 * each run (the systems may have changed since).
 *
 * @param readFields  fields asked of the source (empty: all)
 * @param filter      every condition of {@code source.filter} and {@code filters} ANDed, on source field names; null: none
 * @param mappings    source field -> destination field, in order; never empty
 * @param writeMode   the data API's mode: insert or upsert (mirror writes as upsert, then deletes what the run did not see)
 * @param key         destination fields a record is matched on (upsert); empty for insert
 */
public record SyncPlan(String sourceConnectionId, ConnectionsApi.ObjectSchema source, List<String> readFields, Filter filter,
                       String destinationConnectionId, ConnectionsApi.ObjectSchema destination, List<Mapping> mappings, String mode,
                       String writeMode, List<String> key) {

    public record Mapping(String source, String destination, String transform) {
    }
}
