package dev.weft.connections.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.platform.services.FieldRows;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

/** Bodies of the data API ({@code /v1/data/{connection_id}/...}) and the internal streaming endpoints. */
public final class DataDtos {
    private DataDtos() {
    }

    /** Seed 000: {@code {"object":"Account","fields":[...],"filter":"Industry = 'Technology' AND ...","limit":100}}. */
    public record QueryRequest(@NotBlank @Size(max = 200) String object, List<String> fields, String filter, Integer limit, String cursor) {
    }

    public record WriteRequest(@NotBlank @Size(max = 200) String object, List<Map<String, Object>> records, WriteMode mode, List<String> key) {
    }

    /**
     * An incremental read of the next batch after {@code cursor} (internal, for sync-service). {@code format} {@code rows}
     * asks for the row form ({@link RowsResponse}) when the batch's records all have the same fields; {@code records}
     * (the default) for {@link RecordsResponse}. {@code cursor_field} follows one of the object's {@code cursor_fields}
     * instead of its {@code cursor_field}; a cursor answered by a read that followed another field is refused.
     */
    public record ReadRequest(@NotBlank @Size(max = 200) String object, List<String> fields, String cursor, Integer batchSize, String format,
                              @Size(max = 200) String cursorField) {
    }

    /** The row form's read formats. */
    public static final String FORMAT_RECORDS = "records";
    public static final String FORMAT_ROWS = "rows";

    /**
     * A batch in the row form (internal): the field names once, then each record as the array of its values in that order,
     * written by the same serializers as {@link RecordsResponse}'s values.
     */
    public record RowsResponse(List<String> fields, @JsonInclude(value = JsonInclude.Include.ALWAYS, content = JsonInclude.Include.ALWAYS)
                               @JsonSerialize(using = FieldRows.RowsSerializer.class) FieldRows.Rows rows, Pagination pagination) {
    }

    /**
     * The internal batch write: the public write's body ({@code records}), or the same records in the row form
     * ({@code fields} once, {@code rows} of values in that order; not both). {@code answer} {@code failures} asks for
     * {@link FailuresResponse}, {@code results} (the default) for {@link WriteResponse}. {@code write_id} makes the write
     * happen once where the destination can record it with the rows (PostgreSQL, MySQL): sent again, it writes nothing
     * and answers as the first time, with {@code replayed} true.
     */
    public record BatchWriteRequest(@NotBlank @Size(max = 200) String object, List<Map<String, Object>> records, List<String> fields,
                                    List<Object[]> rows, WriteMode mode, List<String> key, String answer,
                                    @Pattern(regexp = "[A-Za-z0-9._:-]{1,200}", message = "write_id is 1 to 200 letters, digits, '.', '_', ':' or '-'")
                                    String writeId) {
    }

    public static final String ANSWER_RESULTS = "results";
    public static final String ANSWER_FAILURES = "failures";

    /** A record the write refused: its position in the batch, its key values (comma-joined, when it has them) and why. */
    public record WriteFailure(int index, @JsonInclude(JsonInclude.Include.ALWAYS) String key, String error,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String code) {
    }

    /** The write's totals and only the records it refused. */
    public record FailuresResponse(String object, WriteMode mode, Summary summary, List<WriteFailure> failures,
                                   @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean replayed) {
    }

    public record Pagination(@JsonInclude(JsonInclude.Include.ALWAYS) String next_cursor, boolean has_more) {
    }

    /** A NULL column is a field with a null value, not a missing field: records keep their nulls. */
    public record RecordsResponse(@JsonInclude(value = JsonInclude.Include.ALWAYS, content = JsonInclude.Include.ALWAYS) List<Map<String, Object>> data,
                                  Pagination pagination) {
    }

    /** {@code created} and {@code updated}: of the succeeded records, when the destination tells which (absent otherwise; see docs/connectors.md). */
    public record Summary(int total, long succeeded, long failed, Long created, Long updated) {
    }

    /** {@code replayed} (only when true): a batch write whose {@code write_id} was written before; nothing was written now. */
    public record WriteResponse(String object, WriteMode mode, Summary summary, List<WriteResult.RecordResult> results,
                                @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean replayed) {
    }

    public record ObjectList(List<ObjectSchema> data) {
    }

    /** A field of a table to create: {@code type} one of string, integer, number, boolean, date, datetime, object, array. */
    public record FieldSpec(String name, String type) {
    }

    /** The destination table a sync writes to, created when missing (internal, for sync-service). */
    public record EnsureObjectRequest(@NotBlank @Size(max = 200) String object, List<FieldSpec> fields, List<String> key) {
    }

    /**
     * Records of {@code object} matching {@code filter} whose {@code cursor_field} is after {@code cursor} (a value of that
     * field); or, with {@code after} (a {@code next_cursor} the internal read answered), those the reads after it would
     * still return, {@code cursor_field} then naming the field that read followed (when not the default).
     */
    public record CountRequest(@NotBlank @Size(max = 200) String object, String filter, String cursorField, Object cursor,
                               @Size(max = 4096) String after) {
    }

    /** {@code count} is null when the connector cannot count (percent and ETA are then unknown). */
    public record CountResponse(@JsonInclude(JsonInclude.Include.ALWAYS) Long count) {
    }
}
