package dev.weft.sync.connections;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

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
                               List<String> writeModes) {

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

    public record ReadRequest(String object, List<String> fields, String cursor, Integer batchSize) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pagination(String nextCursor, boolean hasMore) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordsResponse(List<Map<String, Object>> data, Pagination pagination) {
    }

    /** Null values are sent: a null field is written as NULL, not left out. */
    public record WriteRequest(String object, @JsonInclude(content = JsonInclude.Include.ALWAYS) List<Map<String, Object>> records, String mode,
                               List<String> key) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Summary(int total, long succeeded, long failed) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordResult(int index, boolean success, String id, String error) {
    }

    public record CountRequest(String object, String filter, String cursorField, Object cursor) {
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

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record WriteResponse(String object, String mode, Summary summary, List<RecordResult> results) {
    }
}
