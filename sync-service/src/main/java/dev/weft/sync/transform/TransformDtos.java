package dev.weft.sync.transform;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Bodies of /v1/transforms (seed 000 "Custom Transforms"). */
public final class TransformDtos {
    /** Longest code accepted, in characters. */
    public static final int MAX_CODE = 100_000;
    /** Most records one test call transforms. */
    public static final int MAX_TEST_RECORDS = 100;

    private TransformDtos() {
    }

    /** Create, and replace (PUT): the whole transform. {@code code} as the seed names it. */
    public record TransformRequest(
            @NotBlank @Size(max = 200) String name,
            /** {@code jsonata} or {@code javascript}. */
            @NotBlank String type,
            @NotBlank @Size(max = MAX_CODE) String code,
            @Size(max = 1000) String description) {
    }

    public record TransformView(
            String id,
            String name,
            String type,
            String code,
            String description,
            Instant createdAt,
            Instant updatedAt) {
    }

    /** Sample records to run the stored transform on. */
    public record TestRequest(@NotNull @NotEmpty @Size(max = MAX_TEST_RECORDS) List<@NotNull Map<String, Object>> records) {
    }

    /** One sample's outcome: its output, or that it was skipped, or its error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestResult(
            int index,
            /** {@code ok}, {@code skipped} (the transform returned nothing) or {@code error}. */
            String status,
            /** The record as the transform returned it; its null fields are kept (a sync writes them as nulls). */
            @JsonInclude(value = JsonInclude.Include.NON_NULL, content = JsonInclude.Include.ALWAYS) Map<String, Object> output,
            TestError error) {
    }

    /** {@code kind}: runtime, limit, refused (or syntax); line and column are 1-based, absent when unknown. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestError(String kind, String message, Integer line, Integer column) {
    }

    public record TestResponse(String transformId, int succeeded, int skipped, int failed, List<TestResult> results) {
    }
}
