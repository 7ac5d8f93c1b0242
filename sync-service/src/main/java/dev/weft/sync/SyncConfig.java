package dev.weft.sync;

import dev.weft.platform.transform.TransformLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** sync-service settings ({@code weft.sync.*}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.sync")
public interface SyncConfig {

    /**
     * Records per batch read from the source and written to the destination: the unit of a checkpoint. 5,000 moved
     * PostgreSQL to PostgreSQL at 129,000 records/s against 77,000 with 1,000 (bench/sync, quiet machine): per-batch costs
     * (two internal calls, a checkpoint commit) amortised over more records. SaaS connectors split a write into their
     * vendor's own request sizes (Salesforce: 200 records a call), so a batch stays one internal call.
     */
    @WithDefault("5000")
    int batchSize();

    /**
     * Batches an {@code insert} run writes at the same time (each still checkpointed in order, after its own write and
     * every earlier one's). Two keep the destination busy while the batch before is answered and checkpointed. Other
     * modes write one at a time: there the order of writes decides which value of a key wins.
     */
    @WithDefault("2")
    int writesInFlight();

    /**
     * Batches a run reads and prepares (filters, maps, transforms) beyond those its writer has taken: memory holds them
     * besides the batches being written. Two keep the source's reads going while a write is answered and checkpointed
     * (bench/sync: 287,000-295,000 records/s against 260,000-285,000 with one, on a machine with both cores busy).
     */
    @WithDefault("2")
    int readAhead();

    /** Per-record errors kept on a run (the rest are only counted). */
    @WithDefault("100")
    int maxRecordedErrors();

    Worker worker();

    Transforms transforms();

    interface Worker {
        /** Whether this replica runs sync runs; any number of replicas may, each run runs on one at a time. */
        @WithDefault("true")
        boolean enabled();

        /** How often an idle worker looks for queued runs and for runs whose replica died. */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * How long a claimed run stays this replica's without a checkpoint: renewed at every batch, so a run whose
         * replica was killed is taken over (from its last checkpoint) once this passes.
         */
        @WithDefault("60s")
        Duration lease();

        /** Runs one replica executes at the same time. */
        @WithDefault("4")
        int concurrency();
    }

    interface Transforms {
        /** JavaScript statements (JSONata evaluation steps) one record may take. */
        @WithDefault("1000000")
        long statementLimit();

        /** CPU time one record may take (it also stops at ten times this by the wall clock). */
        @WithDefault("1s")
        Duration timeout();

        /** Bytes the evaluating thread may allocate for one record. */
        @WithDefault("67108864")
        long memoryLimit();

        /** Longest JavaScript string or typed array, in elements. */
        @WithDefault("8388608")
        int maxStringLength();

        /** Deepest JSONata recursion. */
        @WithDefault("500")
        int maxDepth();

        default TransformLimits limits() {
            return new TransformLimits(statementLimit(), timeout(), memoryLimit(), maxStringLength(), maxDepth());
        }
    }
}
