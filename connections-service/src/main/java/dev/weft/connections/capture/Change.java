package dev.weft.connections.capture;

import java.time.Instant;
import java.util.Map;

/**
 * One change of one record as its source saw it. {@code record} is the row after the change (before it, for a delete,
 * where the source has it); {@code previous} is the row before an update where the source gives it (PostgreSQL with
 * {@code REPLICA IDENTITY FULL}, MySQL/MariaDB always), else null.
 *
 * @param position    where this change sits in the source (an LSN, a binlog file:position, a cursor value)
 * @param committedAt when the source committed it, for lag; null when unknown
 */
public record Change(Op op, Map<String, Object> key, Map<String, Object> record, Map<String, Object> previous, String position,
                     Instant committedAt) {

    public enum Op {
        CREATED("record.created"), UPDATED("record.updated"), DELETED("record.deleted");

        private final String eventType;

        Op(String eventType) {
            this.eventType = eventType;
        }

        public String eventType() {
            return eventType;
        }
    }
}
