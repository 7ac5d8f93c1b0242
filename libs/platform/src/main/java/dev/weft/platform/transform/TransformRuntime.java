package dev.weft.platform.transform;

/**
 * Compiles transforms. Compile once per run (or per API call that needs it), apply per record, close at the end:
 * <pre>{@code
 * try (CompiledTransform transform = TransformRuntime.compile(TransformLanguage.JSONATA, source, TransformLimits.defaults())) {
 *     Map<String, Object> out = transform.apply(record);   // null: skip the record
 * }
 * }</pre>
 * Plain Java, not a CDI bean: a service that runs transforms declares the optional JSONata and GraalJS dependencies.
 */
public final class TransformRuntime {
    private TransformRuntime() {
    }

    /**
     * Runs {@code work} on a platform thread: inline when the caller is one, else on a pooled one while the caller
     * waits. Records are evaluated on platform threads (the allocation budget needs the JVM's per-thread counter), so a
     * virtual-thread caller applying a transform to many records should wrap the whole batch in this: one hand-over per
     * batch instead of one per record.
     */
    public static <T> T onPlatformThread(java.util.concurrent.Callable<T> work) {
        return Evaluation.onPlatformThread(work);
    }

    /**
     * @throws TransformException of kind SYNTAX (with line and column) when the source does not parse or defines no
     *                            transform; JavaScript's top-level code runs here, under the same limits as a record
     */
    public static CompiledTransform compile(TransformLanguage language, String source, TransformLimits limits) {
        if (source == null || source.isBlank()) {
            throw new TransformException(TransformException.Kind.SYNTAX, "the transform's code is empty", null, null);
        }
        return switch (language) {
            case JSONATA -> JsonataTransform.compile(source, limits);
            case JAVASCRIPT -> JavaScriptTransform.compile(source, limits);
        };
    }
}
