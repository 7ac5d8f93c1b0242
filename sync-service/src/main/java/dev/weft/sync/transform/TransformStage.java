package dev.weft.sync.transform;

import dev.weft.sync.sync.SyncPlan;

import java.util.List;
import java.util.Map;

/**
 * The pipeline's transform stage: a sync's {@code transform_id} and per-field {@code field_mappings[].transform},
 * compiled once per run. The transforms service (TransformRuntime in libs/platform) plugs in here; until it does,
 * {@link NoTransforms} runs syncs without transforms and fails, with a clear error, the runs of syncs that name one.
 */
public interface TransformStage {

    /** Compiled for one run; {@link #apply} is called per record, on the mapped record. */
    interface Compiled {
        /** The record to write, or null to skip it. An exception fails this record only. */
        Map<String, Object> apply(Map<String, Object> record) throws Exception;
    }

    /** Identity: what a sync without transforms runs. */
    Compiled NONE = record -> record;

    /** Compiles the sync's transforms; a transform that cannot be compiled throws {@link TransformUnavailable}. */
    Compiled compile(String transformId, List<SyncPlan.Mapping> mappings);

    /** The run cannot transform as the sync asks: the run fails with this message. */
    class TransformUnavailable extends RuntimeException {
        public TransformUnavailable(String message) {
            super(message);
        }
    }
}
