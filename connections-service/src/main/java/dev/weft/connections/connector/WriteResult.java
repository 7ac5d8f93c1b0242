package dev.weft.connections.connector;

import java.util.List;

/** One result per written record, in request order, and the totals. */
public record WriteResult(List<RecordResult> results) {

    public record RecordResult(int index, boolean success, String id, String error) {
        public static RecordResult ok(int index, String id) {
            return new RecordResult(index, true, id, null);
        }

        public static RecordResult failed(int index, String error) {
            return new RecordResult(index, false, null, error);
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
}
