package dev.weft.sync.connections;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.weft.platform.services.FieldRows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * connections-service's internal API as sync-service reads it (data/StreamResource there): unknown properties are
 * ignored so connections-service can add to its answers without breaking a running sync.
 */
public final class ConnectionsApi {
    private ConnectionsApi() {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FieldSchema(String name, String type, String nativeType, boolean nullable, boolean readOnly) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ObjectSchema(String name, String label, List<FieldSchema> fields, List<String> primaryKey, String cursorField,
                               List<String> cursorFields, List<String> writeModes) {

        /** This object as a read following {@code field} (one of its cursor fields) sees it. */
        public ObjectSchema readBy(String field) {
            return field.equals(cursorField) ? this : new ObjectSchema(name, label, fields, primaryKey, field, cursorFields, writeModes);
        }

        /** The fields a read can follow: describe's {@code cursor_fields}, or its {@code cursor_field} alone. */
        public List<String> readableBy() {
            return cursorFields != null ? cursorFields : cursorField == null ? List.of() : List.of(cursorField);
        }

        /** The field of this exact name, or, failing that, the one that differs only in case (as connections-service resolves). */
        public Optional<FieldSchema> resolve(String name) {
            if (fields == null || name == null) {
                return Optional.empty();
            }
            return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                    .or(() -> fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).findFirst());
        }

        public boolean takes(String mode) {
            return writeModes == null || writeModes.contains(mode);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ObjectList(List<ObjectSchema> data) {
    }

    /** {@code format} {@code rows}: the batch in the row form when its records share their fields (see {@link RecordsResponse}). */
    public record ReadRequest(String object, List<String> fields, String cursor, Integer batchSize, String format, String cursorField) {
        public ReadRequest(String object, List<String> fields, String cursor, Integer batchSize) {
            this(object, fields, cursor, batchSize, "rows", null);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pagination(String nextCursor, boolean hasMore) {
    }

    /**
     * A read batch in either form connections-service answers: {@code data}, the records as objects, or the row form,
     * {@code fields} once and {@code rows} of values in their order (the same values, decoded by the same deserializers).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordsResponse(List<Map<String, Object>> data, List<String> fields, List<Object[]> rows, Pagination pagination) {
        public RecordsResponse(List<Map<String, Object>> data, Pagination pagination) {
            this(data, null, null, pagination);
        }

        /** The batch's records, whichever form it came in: a row is a read-only map over its values, not a copy. */
        public List<Map<String, Object>> records() {
            if (rows == null) {
                return data == null ? List.of() : data;
            }
            FieldRows shared = FieldRows.of(fields == null ? List.of() : fields);
            List<Map<String, Object>> records = new ArrayList<>(rows.size());
            for (Object[] row : rows) {
                records.add(shared.record(row));
            }
            return records;
        }
    }

    /**
     * A batch write: in the row form ({@code fields} once, {@code rows} of values) when all records have the same fields,
     * else as objects ({@code records}; null values are sent either way: a null field is written as NULL, not left out).
     * {@code answer} {@code failures}: the answer lists only the refused records. {@code write_id}: the destination writes
     * the batch once however often it is sent, where it can record the id with the rows (an answer {@code replayed}).
     */
    public record WriteRequest(String object, @JsonInclude(content = JsonInclude.Include.ALWAYS) List<Map<String, Object>> records,
                               List<String> fields, @JsonInclude(content = JsonInclude.Include.ALWAYS)
                               @JsonSerialize(using = FieldRows.RowsSerializer.class) FieldRows.Rows rows, String mode,
                               List<String> key, String answer, String writeId) {

        public static WriteRequest of(String object, List<Map<String, Object>> records, String mode, List<String> key) {
            List<String> fields = FieldRows.sharedFields(records);
            if (fields == null || fields.isEmpty()) {
                return new WriteRequest(object, records, null, null, mode, key, "failures", null);
            }
            return new WriteRequest(object, null, fields, new FieldRows.Rows(fields, records), mode, key, "failures", null);
        }

        /** The same write, carrying {@code id}. */
        public WriteRequest once(String id) {
            return new WriteRequest(object, records, fields, rows, mode, key, answer, id);
        }
    }

    /** {@code created} and {@code updated} are null when the destination does not tell which. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Summary(int total, long succeeded, long failed, Long created, Long updated) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordResult(int index, boolean success, String id, String error, String code) {
    }

    /** {@code after}: a read's {@code next_cursor}, to count what the reads after it would still return. */
    public record CountRequest(String object, String filter, String cursorField, Object cursor, String after) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CountResponse(Long count) {
    }

    /** A field of a table to create: type one of string, integer, number, boolean, date, datetime, object, array. */
    public record FieldSpec(String name, String type) {
    }

    /** The destination table a sync writes to, created when missing. */
    public record EnsureObject(String object, List<FieldSpec> fields, List<String> key) {
    }

    /** A record the destination refused: its position in the batch, its key values as connections-service joins them, why. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    /** {@code code}: {@code not_found} for an update or delete whose key matches no record; else absent. */
    public record Failure(int index, String key, String error, String code) {
        /** No record has the key: for a delete, the record is already gone. */
        public boolean notFound() {
            return "not_found".equals(code);
        }

    }

    /** Every record's result ({@code results}), or, as asked for, only the refused ones ({@code failures}) and the totals. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record WriteResponse(String object, String mode, Summary summary, List<RecordResult> results, List<Failure> failures, boolean replayed) {

        /** How many records were written. */
        public long succeeded() {
            if (failures != null && summary != null) {
                return summary.succeeded();
            }
            return results == null ? 0 : results.stream().filter(RecordResult::success).count();
        }

        /** How many records the write created and changed, when the destination tells (null otherwise). */
        public Long created() {
            return summary == null ? null : summary.created();
        }

        public Long updated() {
            return summary == null ? null : summary.updated();
        }

        /** The refused records, whichever answer came. */
        public List<Failure> refused() {
            if (failures != null) {
                return failures;
            }
            return results == null ? List.of() : results.stream().filter(r -> !r.success()).map(r -> new Failure(r.index(), r.id(), r.error(), r.code())).toList();
        }
    }
}
