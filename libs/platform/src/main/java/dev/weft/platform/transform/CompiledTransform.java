package dev.weft.platform.transform;

import java.util.Map;

/**
 * A transform compiled once (per run) and applied to each record. Safe to call from several threads at once; close it
 * when the run ends to free its engines.
 */
public interface CompiledTransform extends AutoCloseable {

    TransformLanguage language();

    /**
     * The record transformed: a new map (the input is never changed), or {@code null} when the transform returned
     * nothing, which means skip the record.
     *
     * @throws TransformException the record failed (its message, and the line and column when known)
     */
    Map<String, Object> apply(Map<String, Object> record);

    @Override
    void close();
}
