package dev.weft.sync.transform;

import dev.weft.sync.sync.SyncPlan;

import java.util.List;
import java.util.Map;

/**
 * The pipeline's transform stage: a sync's {@code transform_id} (a stored transform, applied to each mapped record) and
 * its {@code field_mappings[].transform} (a JSONata expression over the source record whose value becomes that field),
 * compiled once per run on the platform's transform runtime ({@link PlatformTransforms}).
 */
public interface TransformStage {

    /** Compiled for one run; close it when the run ends. */
    interface Compiled extends AutoCloseable {
        /**
         * The record to write, built from the mapped record (and the source record the field transforms read), or null
         * to skip it. An exception fails this record only.
         */
        Map<String, Object> apply(Map<String, Object> source, Map<String, Object> mapped) throws Exception;

        @Override
        default void close() {
        }
    }

    /** Identity: what a sync without transforms runs. */
    Compiled NONE = (source, mapped) -> mapped;

    /** Compiles the sync's transforms; a transform that is unknown or does not compile throws {@link TransformUnavailable}. */
    Compiled compile(String transformId, List<SyncPlan.Mapping> mappings);

    /** The sync's transform cannot run: unknown, or does not compile. {@code field} names the sync's field. */
    class TransformUnavailable extends RuntimeException {
        private final String field;

        public TransformUnavailable(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
