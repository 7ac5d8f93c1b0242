package dev.weft.connections.connector;

import java.util.List;

/**
 * One result per written record, in request order, and the totals. {@code createdTotal} and {@code updatedTotal}: what
 * a destination that counts per statement, not per record, reported (Snowflake's MERGE); null otherwise. {@code replayed}:
 * the write's id ({@link WriteSpec#writeId}) had been written before, so nothing was written now and this is that
 * write's answer again.
 */
public record WriteResult(List<RecordResult> results, Long createdTotal, Long updatedTotal, boolean replayed) {

    public WriteResult(List<RecordResult> results) {
        this(results, null, null, false);
    }

    public WriteResult(List<RecordResult> results, Long createdTotal, Long updatedTotal) {
        this(results, createdTotal, updatedTotal, false);
    }

    /**
     * {@code created}: whether the write created the record (true) or changed one that was there (false), when the
     * destination says so (an insert creates, an update changes, an upsert tells on PostgreSQL and Salesforce); null
     * when it does not (a delete, an upsert elsewhere). {@code code}: why a record was refused, where a caller may act on
     * it ({@value #NOT_FOUND}); null otherwise.
     */
    public record RecordResult(int index, boolean success, String id, String error, Boolean created,
                               @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String code) {
        /** An update or delete whose key matches no record: for a delete, the record is already gone. */
        public static final String NOT_FOUND = "not_found";

        public static RecordResult ok(int index, String id) {
            return new RecordResult(index, true, id, null, null, null);
        }

        public static RecordResult ok(int index, String id, Boolean created) {
            return new RecordResult(index, true, id, null, created, null);
        }

        public static RecordResult failed(int index, String error) {
            return new RecordResult(index, false, null, error, null, null);
        }

        /** An update or delete by a key no record has. */
        public static RecordResult notFound(int index, String error) {
            return new RecordResult(index, false, null, error, null, NOT_FOUND);
        }

        /** A record's key values joined by commas, as the JDBC connectors report a record's id; null without a key or a value. */
        public static String idOf(List<String> key, java.util.Map<String, Object> record) {
            if (key == null || key.isEmpty()) {
                return null;
            }
            StringBuilder joined = new StringBuilder();
            for (String k : key) {
                Object value = record.get(k);
                if (value == null) {
                    return null;
                }
                if (!joined.isEmpty()) {
                    joined.append(',');
                }
                joined.append(idPart(value));
            }
            return joined.toString();
        }

        /** One key value as a record's id shows it (ids of composite keys join these with commas): decimals unscaled. */
        public static String idPart(Object value) {
            return value instanceof java.math.BigDecimal decimal ? decimal.toPlainString() : String.valueOf(value);
        }
    }

    public long succeeded() {
        return results.stream().filter(RecordResult::success).count();
    }

    public long failed() {
        return results.size() - succeeded();
    }

    /** How many records the write created, or null when the destination told of none (see {@link RecordResult#created}). */
    public Long created() {
        if (createdTotal != null) {
            return createdTotal;
        }
        return told() ? results.stream().filter(r -> r.success() && Boolean.TRUE.equals(r.created())).count() : null;
    }

    /** How many existing records the write changed, or null as for {@link #created}. */
    public Long updated() {
        if (updatedTotal != null) {
            return updatedTotal;
        }
        return told() ? results.stream().filter(r -> r.success() && Boolean.FALSE.equals(r.created())).count() : null;
    }

    private boolean told() {
        return results.stream().anyMatch(r -> r.success() && r.created() != null);
    }
}
